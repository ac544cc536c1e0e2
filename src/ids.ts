// Ids and filter values from clients, checked before they reach an upstream URL, and the opaque
// global ids of `Node`.
import { InputError } from './errors.js';

// Account ids (a string in users-api.txt) and crossbar ids (hex) are opaque: allow a little more
// than seen, never a path.
const SAFE_ID = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
// users-api.txt documents user_id as a number. One spelling per user (no sign, no leading zero):
// "007" would reach the upstream as user 7 under another cache key and another global id.
const USER_ID = /^(?:0|[1-9][0-9]{0,15})$/;

const isSafeId = (value: string): boolean => SAFE_ID.test(value) && !value.includes('..');

export function assertId(value: string, argumentName: string): string {
  if (!isSafeId(value)) {
    throw new InputError(
      `Invalid ${argumentName}: expected 1 to 64 letters, digits, '_', '-' or '.'.`,
      argumentName,
    );
  }
  return value;
}

const isUsersApiUserId = (value: string): boolean =>
  USER_ID.test(value) && Number.isSafeInteger(Number(value));

/** A user id of the users API: a non-negative integer in canonical decimal form. */
export function assertUserId(value: string, argumentName: string): string {
  if (!isUsersApiUserId(value)) {
    throw new InputError(
      `Invalid ${argumentName}: the users API's user ids are numbers (digits only, no leading zero).`,
      argumentName,
    );
  }
  return value;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export function assertFilterValue(value: string, argumentName: string): string {
  if (value.length > 256 || CONTROL.test(value)) {
    throw new InputError(
      `Invalid ${argumentName}: at most 256 characters, no control characters.`,
      argumentName,
    );
  }
  return value;
}

export interface UserRef {
  accountId: string;
  userId: string;
}

const USER_PREFIX = 'User/';

export function encodeUserGlobalId(ref: UserRef): string {
  return Buffer.from(`${USER_PREFIX}${ref.accountId}/${ref.userId}`, 'utf8').toString('base64url');
}

/** Decodes `User.id`; anything else is BAD_USER_INPUT naming the argument. */
export function decodeUserGlobalId(id: string, argumentName = 'id'): UserRef {
  const bad = (): InputError =>
    new InputError(`Invalid ${argumentName}: not a global id made by this API.`, argumentName);
  if (id.length > 200 || !/^[A-Za-z0-9_-]+$/.test(id)) throw bad();
  const text = Buffer.from(id, 'base64url').toString('utf8');
  if (!text.startsWith(USER_PREFIX)) throw bad();
  const [accountId, userId, ...rest] = text.slice(USER_PREFIX.length).split('/');
  if (accountId === undefined || userId === undefined || rest.length > 0) throw bad();
  // A User's global id is made from a users API record, whose id is a number.
  if (!isSafeId(accountId) || !isUsersApiUserId(userId)) throw bad();
  return { accountId, userId };
}
