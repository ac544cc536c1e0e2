// The users API's JSON, validated at the boundary. Fields the docs list may be missing or null in
// real answers, so everything but the id is tolerant; unknown fields are stripped.
import { z } from 'zod';
import type { User } from '../domain.js';

const nullableString = z
  .string()
  .nullish()
  .transform((s) => s ?? null);

const didDto = z.object({
  phone_number: z.union([z.string(), z.number()]).transform(String),
  custom_tag: nullableString,
});

const extensionDto = z.object({
  extension_number: z.union([z.string(), z.number()]).transform(String),
  dids: z
    .array(didDto)
    .nullish()
    .transform((d) => d ?? []),
});

const contactNumberDto = z.object({
  type: z.string(),
  value: z.union([z.string(), z.number()]).transform(String),
});

export const userDto = z.object({
  id: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform(String),
  email: nullableString,
  login_name: nullableString,
  first_name: nullableString,
  last_name: nullableString,
  contact_numbers: z
    .array(contactNumberDto)
    .nullish()
    .transform((c) => c ?? []),
  extensions: z
    .array(extensionDto)
    .nullish()
    .transform((e) => e ?? []),
});
export type UserDto = z.infer<typeof userDto>;

const envelope = {
  page_size: z.number().int().nonnegative(),
  page: z.number().int().nonnegative(),
  total_pages: z.number().int().nonnegative().optional(),
  total_items: z.number().int().nonnegative(),
};

/** The list page's specification: users-decoder.ts decodes it by hand, tested against this. */
export const usersPageDto = z.object({
  ...envelope,
  _embedded: z
    .object({ data: z.array(userDto).nullish() })
    .nullish()
    .transform((e) => e?.data ?? []),
});

export const singleUserDto = z.object({
  _embedded: z.object({ data: userDto }),
});

/** snake_case DTO -> domain model. The only place this mapping happens. */
export function toUser(accountId: string, dto: UserDto): User {
  return {
    accountId,
    userId: dto.id,
    email: dto.email,
    loginName: dto.login_name,
    firstName: dto.first_name,
    lastName: dto.last_name,
    contactNumbers: dto.contact_numbers.map((c) => ({ type: c.type, value: c.value })),
    extensions: dto.extensions.map((e) => ({
      accountId,
      userId: dto.id,
      number: e.extension_number,
      dids: e.dids.map((d) => ({ phoneNumber: d.phone_number, customTag: d.custom_tag })),
    })),
  };
}
