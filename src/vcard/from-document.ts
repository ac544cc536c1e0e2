// Crossbar user document (JSON answer of "Get User Vcard") → VCard. Only contact details are read;
// the document has already lost its secrets in userDocumentSchema, and nothing else is copied.
import type { VCard, VCardAddress, VCardPhone } from '../domain.js';
import type { UserDocument } from './document.js';
import {
  addPhone,
  cleanLanguage,
  cleanList,
  cleanPhone,
  cleanText,
  cleanTypes,
  isPhoneNumber,
  normalizeBirthday,
} from './normalize.js';

/**
 * TEL TYPE values per caller-id role, in the order the numbers are listed. `internal` is the
 * extension colleagues dial; `external` and `asserted` are the public number the network shows;
 * `emergency` is the callback number given to emergency services, which has no registered vCard
 * type, hence the x-name. The presence id, when it is a number, is the extension again.
 */
export const CALLER_ID_PHONE_TYPES = {
  internal: ['work'],
  external: ['work', 'voice'],
  asserted: ['work', 'voice'],
  emergency: ['x-emergency'],
} as const;
export const PRESENCE_PHONE_TYPES = ['work'] as const;

/** Fallback FN: vCard requires FN and the GraphQL field is non-null. */
export const UNKNOWN_NAME = 'Unknown';

/**
 * FN from the best name available: "first last", else the login name, else the e-mail address,
 * else the presence id. Shared with the fixture writer so both upstream formats agree.
 */
export function formattedNameFor(doc: UserDocument): string {
  const first = cleanText(doc.first_name);
  const last = cleanText(doc.last_name);
  const fullName = [first, last].filter((part) => part !== null).join(' ');
  return (
    cleanText(fullName) ??
    cleanText(doc.username) ??
    cleanText(doc.email) ??
    cleanText(doc.presence_id) ??
    UNKNOWN_NAME
  );
}

/** The caller-id numbers (and a numeric presence id) with their TEL types, before merging. */
export function phoneEntriesFor(
  doc: UserDocument,
): { number: string | null; types: readonly string[] }[] {
  const callerId = doc.caller_id;
  const entries: { number: string | null; types: readonly string[] }[] = [
    { number: cleanPhone(callerId?.internal?.number), types: CALLER_ID_PHONE_TYPES.internal },
    { number: cleanPhone(callerId?.external?.number), types: CALLER_ID_PHONE_TYPES.external },
    { number: cleanPhone(callerId?.asserted?.number), types: CALLER_ID_PHONE_TYPES.asserted },
    { number: cleanPhone(callerId?.emergency?.number), types: CALLER_ID_PHONE_TYPES.emergency },
  ];
  const presence = cleanPhone(doc.presence_id);
  if (presence !== null && isPhoneNumber(presence)) {
    entries.push({ number: presence, types: PRESENCE_PHONE_TYPES });
  }
  return entries;
}

export function vcardFromDocument(doc: UserDocument): VCard {
  const profile = doc.profile;

  const phones: VCardPhone[] = [];
  for (const entry of phoneEntriesFor(doc)) addPhone(phones, entry.number, entry.types);

  const addresses: VCardAddress[] = [];
  for (const entry of profile?.addresses ?? []) {
    const address = cleanText(entry.address);
    if (address !== null) addresses.push({ address, types: cleanTypes(entry.types) });
  }

  const email = cleanText(doc.email);
  return {
    formattedName: formattedNameFor(doc),
    firstName: cleanText(doc.first_name),
    lastName: cleanText(doc.last_name),
    nicknames: cleanList(profile?.nicknames),
    title: cleanText(profile?.title),
    role: cleanText(profile?.role),
    birthday: normalizeBirthday(profile?.birthday),
    note: cleanText(profile?.note),
    emails: email === null ? [] : [email],
    phones,
    addresses,
    timezone: cleanText(doc.timezone),
    language: cleanLanguage(doc.language),
    sortString: cleanText(profile?.['sort-string']),
    assistant: cleanText(profile?.assistant),
  };
}
