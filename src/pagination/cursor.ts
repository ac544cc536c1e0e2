// Opaque connection cursors.
//
// A cursor names a position in one particular list (account + filter + order) and remembers which
// item sat there, so that a page fetched after the list changed can re-find its place (see
// connection.ts). Layout: base64url of the JSON array
//
//     ["c1", <list fingerprint>, <offset>, <anchor id>]
//
// - "c1" is the format version: a later format gets another tag and old cursors are refused with a
//   clear message instead of being misread.
// - JSON keeps any anchor string intact (quotes, separators, lone surrogates included).
// - With a secret, `.<HMAC-SHA256 of the base64url body, truncated to 16 bytes>` is appended. The
//   fingerprint is inside the signed body, so a signed cursor cannot be moved to another list.
//
// decodeCursor is the one door for client-supplied cursors: every failure is a PaginationInputError
// naming the argument, never a RangeError/SyntaxError from Buffer, TextDecoder or JSON.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { PaginationInputError } from './errors.js';

/** Where an edge sits: `offset` is its 0-based index in the list, `anchor` the id of its item. */
export interface CursorPosition {
  offset: number;
  anchor: string;
}

const VERSION = 'c1';
/** Longer strings are refused before any decoding work. */
const MAX_CURSOR_LENGTH = 512;
/** Far beyond any real list; keeps offset arithmetic within safe integers. */
const MAX_OFFSET = 1_000_000_000;
/**
 * Anchors longer than this, measured as encoded (JSON, UTF-8), are not stored: the cursor would
 * outgrow MAX_CURSOR_LENGTH and be refused by decodeCursor itself. Measuring characters is not
 * enough: 200 CJK characters are 600 bytes, 200 control characters 1,200. Such a cursor still works
 * by its offset, only without drift correction. Upstream ids are far shorter.
 */
const MAX_ANCHOR_JSON_BYTES = 200;
const SIGNATURE_BYTES = 16;
/** Separates this use of the secret from any other use of the same secret. */
const HMAC_CONTEXT = 'graphql-gateway/pagination-cursor/v1\0';

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const FINGERPRINT = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Short stable hash of what makes a list: the account, the filter and the order. Filter keys whose
 * value is undefined or empty are ignored (they constrain nothing) and key order is irrelevant, so
 * equivalent queries share cursors. 96 bits: collisions between an account's lists are negligible,
 * and the value says nothing readable about the filter.
 */
export function listFingerprint(list: {
  accountId: string;
  filter: Record<string, string | undefined>;
  order: string;
}): string {
  const filter = Object.entries(list.filter)
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // JSON gives an unambiguous encoding: no separator inside a value can fake another list.
  const canonical = JSON.stringify(['list-v1', list.accountId, filter, list.order]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

/** An opaque, URL-safe cursor for `pos` in the list `fingerprint`; signed when `secret` is given. */
export function encodeCursor(pos: CursorPosition, fingerprint: string, secret?: string): string {
  if (!Number.isSafeInteger(pos.offset) || pos.offset < 0 || pos.offset > MAX_OFFSET) {
    throw new RangeError(`encodeCursor: offset out of range: ${pos.offset}`);
  }
  if (!FINGERPRINT.test(fingerprint)) {
    throw new RangeError('encodeCursor: fingerprint must be 1 to 64 base64url characters');
  }
  const anchor =
    Buffer.byteLength(JSON.stringify(pos.anchor)) <= MAX_ANCHOR_JSON_BYTES ? pos.anchor : '';
  const body = Buffer.from(JSON.stringify([VERSION, fingerprint, pos.offset, anchor])).toString(
    'base64url',
  );
  return hasSecret(secret) ? `${body}.${sign(body, secret).toString('base64url')}` : body;
}

/**
 * The position a client-supplied cursor names. Throws PaginationInputError (naming `argumentName`
 * and the reason) for anything that is not a cursor this server made for this list; nothing else
 * is thrown for any string.
 *
 * Without a secret, a signed cursor is accepted with its signature ignored: it cannot be checked,
 * and an unsigned cursor would be accepted anyway.
 */
export function decodeCursor(
  cursor: string,
  fingerprint: string,
  argumentName: string,
  secret?: string,
): CursorPosition {
  const fail = (why: string): PaginationInputError =>
    new PaginationInputError(`Invalid "${argumentName}" cursor: ${why}.`, argumentName);
  const malformed = 'not a cursor made by this API (malformed)';

  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH) {
    throw fail(malformed);
  }
  const parts = cursor.split('.');
  const body = parts[0] ?? '';
  const signature = parts[1];
  if (parts.length > 2 || !BASE64URL.test(body)) throw fail(malformed);
  if (signature !== undefined && !BASE64URL.test(signature)) throw fail(malformed);

  if (hasSecret(secret)) {
    if (signature === undefined) {
      throw fail('unsigned, but this server only accepts the signed cursors it makes');
    }
    const given = Buffer.from(signature, 'base64url');
    const expected = sign(body, secret);
    // The canonical check matters: the last character's unused bits would otherwise let four
    // spellings of one signature pass.
    if (
      given.toString('base64url') !== signature ||
      given.length !== expected.length ||
      !timingSafeEqual(given, expected)
    ) {
      throw fail('bad signature (altered, or made by another server)');
    }
  }

  // Strict base64url and UTF-8: Buffer silently skips bad characters, which would let many
  // spellings decode to one cursor; the round trip and the fatal decoder refuse them.
  const bytes = Buffer.from(body, 'base64url');
  if (bytes.toString('base64url') !== body) throw fail(malformed);
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw fail(malformed);
  }

  if (!Array.isArray(payload)) throw fail(malformed);
  // Array.isArray narrows to any[]; read the fields back as unknown so each one is checked.
  const fields: unknown[] = payload;
  const [version, cursorFingerprint, offset, anchor] = fields;
  if (typeof version !== 'string') throw fail(malformed);
  if (version !== VERSION) {
    throw fail(/^c[0-9]+$/.test(version) ? `unsupported cursor version "${version}"` : malformed);
  }
  if (
    fields.length !== 4 ||
    typeof cursorFingerprint !== 'string' ||
    typeof offset !== 'number' ||
    typeof anchor !== 'string'
  ) {
    throw fail(malformed);
  }
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > MAX_OFFSET) {
    throw fail('offset out of range');
  }
  if (cursorFingerprint !== fingerprint) {
    throw fail('made for another list (account, filter or order); start again without it');
  }
  return { offset, anchor };
}

function hasSecret(secret: string | undefined): secret is string {
  // An empty secret would be a key everybody knows: treat it as no secret rather than sign with it.
  return secret !== undefined && secret !== '';
}

function sign(body: string, secret: string): Buffer {
  return createHmac('sha256', secret)
    .update(HMAC_CONTEXT)
    .update(body)
    .digest()
    .subarray(0, SIGNATURE_BYTES);
}
