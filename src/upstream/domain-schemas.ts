// The domain values the cross-request cache keeps, as zod schemas: what comes back from the store
// (possibly written by another release) is checked against them before any caller sees it. Typed
// against src/domain.ts, so a change to the model that is not made here fails to compile.
import { z } from 'zod';
import type { User, UsersPage, VCard } from '../domain.js';

const nullableString = z.string().nullable();

export const userSchema: z.ZodType<User> = z.object({
  accountId: z.string(),
  userId: z.string(),
  email: nullableString,
  loginName: nullableString,
  firstName: nullableString,
  lastName: nullableString,
  contactNumbers: z.array(z.object({ type: z.string(), value: z.string() })),
  extensions: z.array(
    z.object({
      accountId: z.string(),
      userId: z.string(),
      number: z.string(),
      dids: z.array(z.object({ phoneNumber: z.string(), customTag: nullableString })),
    }),
  ),
});

export const usersPageSchema: z.ZodType<UsersPage> = z.object({
  users: z.array(userSchema),
  page: z.number().int(),
  pageSize: z.number().int(),
  totalItems: z.number().int(),
});

const typed = z.object({ types: z.array(z.string()) });

export const vcardSchema: z.ZodType<VCard> = z.object({
  formattedName: z.string(),
  firstName: nullableString,
  lastName: nullableString,
  nicknames: z.array(z.string()),
  title: nullableString,
  role: nullableString,
  birthday: nullableString,
  note: nullableString,
  emails: z.array(z.string()),
  phones: z.array(typed.extend({ number: z.string() })),
  addresses: z.array(typed.extend({ address: z.string() })),
  timezone: nullableString,
  language: nullableString,
  sortString: nullableString,
  assistant: nullableString,
});
