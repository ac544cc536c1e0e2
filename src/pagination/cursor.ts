// Opaque Relay cursors.
//
// A cursor is base64url(JSON [version, listFingerprint, offset, anchorId]), followed, when a secret
// is configured, by "." and a truncated HMAC-SHA256 of those payload bytes. Choices and why:
// - The offset says where the edge was; the anchor (the node's id) lets the connection notice that
//   rows were inserted or deleted before it since, and re-find it (see connection.ts).
// - The fingerprint names the list (account, filter, order): a cursor replayed against another list
//   would silently land on the wrong page, so it is rejected instead.
// - The version tag is the first payload field so the format can change without misreading old
//   cursors as new ones.
// - Both parts must be canonical base64url (re-encoding gives the same text), so no two strings
//   decode to the same signed bytes: changing any character of a signed cursor is detected.
// - The MAC is checked before the payload is parsed: unauthenticated bytes are never interpreted.
// - Without a secret, signed cursors are still accepted (the signature is not checked): a server
//   that accepts forged unsigned cursors gains nothing from rejecting signed ones, and this keeps
//   cursors valid while a secret is being removed. An empty secret counts as no secret.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { PaginationInputError } from './errors.js';

/** Where an edge was: its 0-based offset in the list and the id of the node at that offset. */
export interface CursorPosition {
  offset: number;
  anchor: string;
}

const VERSION = 'c1';
const MAX_OFFSET = 1e9;
/** Far above any real cursor (ids are short); bounds the work done on hostile input. */
const MAX_CURSOR_LENGTH = 1024;
const MAC_BYTES = 16;
/** Domain separation: the same secret may sign other things elsewhere. */
const MAC_CONTEXT = 'relay-cursor\0';
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Short stable hash naming a list. Filter keys whose value is undefined or empty are ignored (they
 * constrain nothing) and key order is irrelevant, so equivalent requests share cursors.
 */
export function listFingerprint(list: {
  accountId: string;
  filter: Record<string, string | undefined>;
  order: string;
}): string {
  const filter = Object.entries(list.filter)
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // JSON keeps field boundaries unambiguous whatever characters ids and values contain.
  const canonical = JSON.stringify([list.accountId, filter, list.order]);
  // 72 bits: collisions between an account's lists are not a practical concern.
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 12);
}

/** Opaque, URL-safe cursor for `pos` in the list named by `fingerprint`; signed when `secret` is given. */
export function encodeCursor(pos: CursorPosition, fingerprint: string, secret?: string): string {
  if (!Number.isInteger(pos.offset) || pos.offset < 0 || pos.offset > MAX_OFFSET) {
    throw new RangeError(`encodeCursor: offset out of range: ${pos.offset}`);
  }
  const payload = Buffer.from(JSON.stringify([VERSION, fingerprint, pos.offset, pos.anchor]));
  const body = payload.toString('base64url');
  return hasSecret(secret) ? `${body}.${mac(payload, secret).toString('base64url')}` : body;
}

/**
 * Reads a cursor given as argument `argumentName`. Throws PaginationInputError, naming the argument
 * and the reason, for anything that is not a cursor this server made for this list; never throws
 * anything else, whatever the string.
 */
export function decodeCursor(
  cursor: string,
  fingerprint: string,
  argumentName: string,
  secret?: string,
): CursorPosition {
  const invalid = (why: string) =>
    new PaginationInputError(`Invalid cursor in "${argumentName}": ${why}.`, argumentName);
  const malformed = () => invalid('not a cursor made by this server (malformed)');

  // Guards JS callers too: the type says string, hostile input may not be.
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH) {
    throw malformed();
  }
  const parts = cursor.split('.');
  if (parts.length > 2) throw malformed();
  const [bodyText, signatureText] = parts;
  const payload = decodeBase64url(bodyText);
  if (payload === undefined) throw malformed();

  if (hasSecret(secret)) {
    if (signatureText === undefined) {
      throw invalid('unsigned, but this server only accepts signed cursors');
    }
    const signature = decodeBase64url(signatureText);
    const expected = mac(payload, secret);
    if (
      signature === undefined ||
      signature.length !== expected.length ||
      !timingSafeEqual(signature, expected)
    ) {
      throw invalid('bad signature (tampered with, or signed with another key)');
    }
  } else if (signatureText !== undefined && decodeBase64url(signatureText) === undefined) {
    throw malformed();
  }

  const fields = parsePayload(payload);
  if (fields === undefined) throw malformed();
  // The version decides how to read the rest, so it is checked before the shape.
  if (fields[0] !== VERSION) throw invalid('unsupported cursor version');
  const [, cursorFingerprint, offset, anchor] = fields;
  if (
    fields.length !== 4 ||
    typeof cursorFingerprint !== 'string' ||
    typeof offset !== 'number' ||
    typeof anchor !== 'string'
  ) {
    throw malformed();
  }
  if (cursorFingerprint !== fingerprint) {
    throw invalid('made for another list (a different account, filter or order)');
  }
  if (!Number.isInteger(offset) || offset < 0 || offset > MAX_OFFSET) {
    throw invalid('position out of range');
  }
  return { offset, anchor };
}

function hasSecret(secret: string | undefined): secret is string {
  return secret !== undefined && secret !== '';
}

function mac(payload: Buffer, secret: string): Buffer {
  return createHmac('sha256', secret)
    .update(MAC_CONTEXT)
    .update(payload)
    .digest()
    .subarray(0, MAC_BYTES);
}

/** Bytes of canonical base64url text, or undefined. Node's decoder skips junk; this does not. */
function decodeBase64url(text: string | undefined): Buffer | undefined {
  if (text === undefined || !BASE64URL.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

/** The payload's fields if it is a JSON array whose first field (the version) is a string. */
function parsePayload(payload: Buffer): unknown[] | undefined {
  const text = payload.toString('utf8');
  // Invalid UTF-8 decodes to U+FFFD and would not round-trip: not ours.
  if (!Buffer.from(text, 'utf8').equals(payload)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || typeof parsed[0] !== 'string') return undefined;
  const fields: unknown[] = parsed;
  return fields;
}
