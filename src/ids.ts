// Ids and filter values from clients, checked before they reach an upstream URL, and the opaque
// global ids of `Node`.
import { InputError } from './errors.js';

// Upstream ids are numeric (users API) or hex (crossbar); allow a little more, never a path.
const SAFE_ID = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

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
  if (!isSafeId(accountId) || !isSafeId(userId)) throw bad();
  return { accountId, userId };
}
