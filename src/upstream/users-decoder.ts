// The users API's list page, decoded by hand: the same rules as `usersPageDto` (users-schema.ts),
// which stays the specification and the oracle of the property tests
// (test/unit/upstream/users-decoder.test.ts: every input decodes to what zod makes of it, or is
// refused by both). Only the list page, the hot path (50 users per query), is decoded here.
import type { UserDto } from './users-schema.js';

export interface UsersPageDto {
  page_size: number;
  page: number;
  total_pages?: number;
  total_items: number;
  _embedded: UserDto[];
}

/** Thrown inside the decoder only; the caller turns it into `undefined`. */
class Refused extends Error {}
const REFUSED = new Refused();

type Json = Record<string, unknown>;

function object(value: unknown): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw REFUSED;
  return value as Json;
}

function count(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw REFUSED;
  return value;
}

function nullableString(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw REFUSED;
  return value;
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw REFUSED;
}

function list<T>(value: unknown, item: (v: unknown) => T): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw REFUSED;
  return value.map(item);
}

const DIGITS = /^\d+$/;

function userId(value: unknown): string {
  if (typeof value === 'string' && DIGITS.test(value)) return value;
  return String(count(value));
}

function user(value: unknown): UserDto {
  const u = object(value);
  return {
    id: userId(u['id']),
    email: nullableString(u['email']),
    login_name: nullableString(u['login_name']),
    first_name: nullableString(u['first_name']),
    last_name: nullableString(u['last_name']),
    contact_numbers: list(u['contact_numbers'], (c) => {
      const n = object(c);
      const type = n['type'];
      if (typeof type !== 'string') throw REFUSED;
      return { type, value: text(n['value']) };
    }),
    extensions: list(u['extensions'], (e) => {
      const x = object(e);
      return {
        extension_number: text(x['extension_number']),
        dids: list(x['dids'], (d) => {
          const did = object(d);
          return {
            phone_number: text(did['phone_number']),
            custom_tag: nullableString(did['custom_tag']),
          };
        }),
      };
    }),
  };
}

/** A parsed JSON body -> the page, or undefined when `usersPageDto` would refuse it. */
export function decodeUsersPage(json: unknown): UsersPageDto | undefined {
  try {
    const page = object(json);
    const totalPages = page['total_pages'];
    const embedded = page['_embedded'];
    const data = embedded === undefined || embedded === null ? undefined : object(embedded)['data'];
    return {
      page_size: count(page['page_size']),
      page: count(page['page']),
      ...(totalPages === undefined ? {} : { total_pages: count(totalPages) }),
      total_items: count(page['total_items']),
      _embedded: list(data, user),
    };
  } catch (error) {
    if (error === REFUSED) return undefined;
    throw error;
  }
}
