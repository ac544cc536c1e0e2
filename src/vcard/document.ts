// The contact-relevant subset of the crossbar user document ("Get User Vcard", JSON answer).
// The upstream document also carries secrets (password, voicemail, call_recording, call_forward,
// metaflows, …). zod objects strip unknown keys by default, so parsing with this schema is what
// keeps those secrets out of everything downstream: only the keys listed here survive.
import { z } from 'zod';

/** Upstream fields may be absent or explicitly null; both mean "not set". */
const optionalText = z.string().nullish();

// Crossbar documents are hand-edited JSON: a number stored as a JSON number must not void the card.
const numberText = z.union([z.string(), z.number().transform(String)]).nullish();

const callerIdEntrySchema = z
  .object({
    name: optionalText,
    number: numberText,
  })
  .nullish();

const addressSchema = z.object({
  address: optionalText,
  types: z.array(z.string()).nullish(),
});

const profileSchema = z
  .object({
    addresses: z.array(addressSchema).nullish(),
    assistant: optionalText,
    birthday: optionalText,
    nicknames: z.array(z.string()).nullish(),
    note: optionalText,
    role: optionalText,
    'sort-string': optionalText,
    title: optionalText,
  })
  .nullish();

export const userDocumentSchema = z.object({
  first_name: optionalText,
  last_name: optionalText,
  username: optionalText,
  email: optionalText,
  caller_id: z
    .object({
      internal: callerIdEntrySchema,
      external: callerIdEntrySchema,
      emergency: callerIdEntrySchema,
      asserted: callerIdEntrySchema,
    })
    .nullish(),
  presence_id: optionalText,
  timezone: optionalText,
  language: optionalText,
  profile: profileSchema,
});

/** The parsed (secret-free) document. Input and output types coincide: no transforms. */
export type UserDocument = z.infer<typeof userDocumentSchema>;
/** What the upstream may send before stripping; fixtures and simulators build these. */
export type UserDocumentInput = z.input<typeof userDocumentSchema>;

export const userDocumentEnvelopeSchema = z.object({ data: userDocumentSchema });
