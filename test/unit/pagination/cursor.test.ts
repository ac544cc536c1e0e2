import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeCursor,
  encodeCursor,
  listFingerprint,
  type CursorPosition,
} from '../../../src/pagination/cursor.js';
import { PaginationInputError } from '../../../src/pagination/errors.js';

const FP = listFingerprint({ accountId: '1001', filter: {}, order: 'upstream' });
const OTHER_FP = listFingerprint({ accountId: '1002', filter: {}, order: 'upstream' });
const SECRET = 'test-secret';
const BASE64URL_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const positionArb: fc.Arbitrary<CursorPosition> = fc.record({
  offset: fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1e9 })),
  anchor: fc.oneof(fc.stringMatching(/^[0-9]{1,12}$/), fc.string(), fc.string({ unit: 'binary' })),
});
const secretArb = fc.option(fc.string({ minLength: 1 }), { nil: undefined });

/** Runs decode and returns the PaginationInputError it threw, failing on anything else. */
function decodeError(run: () => unknown): PaginationInputError {
  try {
    run();
  } catch (error) {
    if (error instanceof PaginationInputError) return error;
    throw new Error(`expected a PaginationInputError, got ${String(error)}`);
  }
  throw new Error('expected decodeCursor to throw');
}

/** `cursor` or a PaginationInputError; anything else thrown fails the test. */
function decodeOrInputError(
  cursor: string,
  secret?: string,
): CursorPosition | PaginationInputError {
  try {
    return decodeCursor(cursor, FP, 'after', secret);
  } catch (error) {
    if (error instanceof PaginationInputError) return error;
    throw error;
  }
}

describe('cursor codec', () => {
  it('round-trips, signed or not', () => {
    fc.assert(
      fc.property(positionArb, secretArb, (pos, secret) => {
        const cursor = encodeCursor(pos, FP, secret);
        expect(cursor).toMatch(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)?$/);
        expect(decodeCursor(cursor, FP, 'after', secret)).toEqual(pos);
      }),
      { numRuns: 300 },
    );
  });

  it('accepts its own cursor for any anchor (too long ones are dropped, the offset kept)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 400 }), fc.string({ maxLength: 400 })),
        fc.integer({ min: 0, max: 1e9 }),
        secretArb,
        (anchor, offset, secret) => {
          const decoded = decodeCursor(
            encodeCursor({ offset, anchor }, FP, secret),
            FP,
            'after',
            secret,
          );
          expect(decoded.offset).toBe(offset);
          expect([anchor, '']).toContain(decoded.anchor);
        },
      ),
      { numRuns: 300 },
    );
    for (const anchor of ['漢'.repeat(200), '\u0001'.repeat(200), 'x'.repeat(1000)]) {
      expect(decodeCursor(encodeCursor({ offset: 5, anchor }, FP), FP, 'after').offset).toBe(5);
    }
  });

  it('decodes or throws PaginationInputError for any string, never anything else', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.stringMatching(/^[A-Za-z0-9_.-]{0,80}$/),
          // Valid base64url of arbitrary JSON-ish text reaches the parser.
          fc.json().map((text) => Buffer.from(text).toString('base64url')),
          fc
            .tuple(fc.anything(), fc.anything(), fc.anything(), fc.anything())
            .map((t) => Buffer.from(JSON.stringify(['c1', ...t]) ?? '').toString('base64url')),
        ),
        secretArb,
        (input, secret) => {
          const result = decodeOrInputError(input, secret);
          if (result instanceof PaginationInputError) {
            expect(result.argumentName).toBe('after');
            expect(result.message).toContain('"after"');
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('survives mutated real cursors: decodes or throws PaginationInputError', () => {
    fc.assert(
      fc.property(
        positionArb,
        secretArb,
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.constantFrom('flip', 'insert', 'delete'),
            fc.string({ maxLength: 2 }),
          ),
          { minLength: 1, maxLength: 4 },
        ),
        (pos, secret, edits) => {
          let cursor = encodeCursor(pos, FP, secret);
          for (const [at, kind, text] of edits) {
            const i = cursor.length === 0 ? 0 : at % cursor.length;
            if (kind === 'flip') cursor = cursor.slice(0, i) + text + cursor.slice(i + 1);
            else if (kind === 'insert') cursor = cursor.slice(0, i) + text + cursor.slice(i);
            else cursor = cursor.slice(0, i) + cursor.slice(i + 1);
          }
          decodeOrInputError(cursor, secret);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('detects any changed character of a signed cursor', () => {
    fc.assert(
      fc.property(positionArb, fc.nat(), fc.nat(), (pos, at, replacement) => {
        const cursor = encodeCursor(pos, FP, SECRET);
        const i = at % cursor.length;
        const alphabet = `${BASE64URL_CHARS}.`.replace(cursor.charAt(i), '');
        const tampered =
          cursor.slice(0, i) + alphabet.charAt(replacement % alphabet.length) + cursor.slice(i + 1);
        const error = decodeError(() => decodeCursor(tampered, FP, 'before', SECRET));
        expect(error.argumentName).toBe('before');
      }),
      { numRuns: 500 },
    );
  });

  it('detects every single-character change of one signed cursor, exhaustively', () => {
    const cursor = encodeCursor({ offset: 41, anchor: '12345' }, FP, SECRET);
    for (let i = 0; i < cursor.length; i++) {
      for (const c of `${BASE64URL_CHARS}.`) {
        if (c === cursor.charAt(i)) continue;
        const tampered = cursor.slice(0, i) + c + cursor.slice(i + 1);
        decodeError(() => decodeCursor(tampered, FP, 'after', SECRET));
      }
    }
  });

  it('rejects a cursor of another list, naming the argument', () => {
    for (const secret of [undefined, SECRET]) {
      const cursor = encodeCursor({ offset: 3, anchor: '7' }, OTHER_FP, secret);
      const error = decodeError(() => decodeCursor(cursor, FP, 'before', secret));
      expect(error.argumentName).toBe('before');
      expect(error.message).toMatch(/"before".*another list/);
    }
  });

  it('rejects an unsigned cursor when a secret is configured', () => {
    const cursor = encodeCursor({ offset: 3, anchor: '7' }, FP);
    const error = decodeError(() => decodeCursor(cursor, FP, 'after', SECRET));
    expect(error.message).toMatch(/"after".*unsigned/);
  });

  it('rejects a cursor signed with another secret', () => {
    const cursor = encodeCursor({ offset: 3, anchor: '7' }, FP, 'other-secret');
    const error = decodeError(() => decodeCursor(cursor, FP, 'after', SECRET));
    expect(error.message).toMatch(/signature/);
  });

  it('rejects a stripped or swapped signature', () => {
    const a = encodeCursor({ offset: 3, anchor: '7' }, FP, SECRET);
    const b = encodeCursor({ offset: 4, anchor: '8' }, FP, SECRET);
    const [bodyA] = a.split('.');
    const [, sigB] = b.split('.');
    decodeError(() => decodeCursor(`${bodyA}`, FP, 'after', SECRET));
    decodeError(() => decodeCursor(`${bodyA}.${sigB}`, FP, 'after', SECRET));
    decodeError(() => decodeCursor(`${bodyA}.`, FP, 'after', SECRET));
  });

  it('accepts a signed cursor when no secret is configured', () => {
    const cursor = encodeCursor({ offset: 3, anchor: '7' }, FP, SECRET);
    expect(decodeCursor(cursor, FP, 'after')).toEqual({ offset: 3, anchor: '7' });
  });

  it('rejects absurd offsets, other versions and malformed payloads', () => {
    const forge = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url');
    const cases: [string, RegExp][] = [
      [forge(['c1', FP, -1, '7']), /out of range/],
      [forge(['c1', FP, 1.5, '7']), /out of range/],
      [forge(['c1', FP, 1e9 + 1, '7']), /out of range/],
      [forge(['c2', FP, 1, '7']), /version/],
      [forge(['c1', FP, '1', '7']), /malformed/],
      [forge(['c1', FP, 1]), /malformed/],
      [forge({ v: 'c1' }), /malformed/],
      ['', /malformed/],
      ['a'.repeat(5000), /malformed/],
      ['!!!', /malformed/],
      ['YQ', /malformed/], // base64url of "a": valid encoding, not JSON
      ['YR', /malformed/], // not canonical base64url (padding bits set)
    ];
    for (const [cursor, why] of cases) {
      const error = decodeError(() => decodeCursor(cursor, FP, 'after'));
      expect(error.message).toMatch(why);
    }
    expect(decodeCursor(forge(['c1', FP, 1e9, '7']), FP, 'after')).toEqual({
      offset: 1e9,
      anchor: '7',
    });
  });

  it('refuses to encode an offset it would refuse to decode', () => {
    expect(() => encodeCursor({ offset: -1, anchor: 'x' }, FP)).toThrow(RangeError);
    expect(() => encodeCursor({ offset: 1e9 + 1, anchor: 'x' }, FP)).toThrow(RangeError);
  });
});

describe('listFingerprint', () => {
  const filterArb = fc.dictionary(
    fc.constantFrom('firstName', 'lastName', 'loginName', 'email'),
    fc.option(fc.string(), { nil: undefined }),
  );

  it('ignores key order and undefined or empty filter values', () => {
    fc.assert(
      fc.property(fc.string(), filterArb, fc.string(), (accountId, filter, order) => {
        const reversed = Object.fromEntries(Object.entries(filter).reverse());
        const cleaned = Object.fromEntries(
          Object.entries(filter).filter(([, v]) => v !== undefined && v !== ''),
        );
        const fp = listFingerprint({ accountId, filter, order });
        expect(listFingerprint({ accountId, filter: reversed, order })).toBe(fp);
        expect(listFingerprint({ accountId, filter: cleaned, order })).toBe(fp);
        expect(fp).toMatch(/^[A-Za-z0-9_-]{8,24}$/);
      }),
      { numRuns: 200 },
    );
  });

  it('tells lists apart', () => {
    const base = { accountId: '1001', filter: { lastName: 'Doe' }, order: 'upstream' };
    const fp = listFingerprint(base);
    expect(listFingerprint({ ...base, accountId: '1002' })).not.toBe(fp);
    expect(listFingerprint({ ...base, filter: { lastName: 'Roe' } })).not.toBe(fp);
    expect(listFingerprint({ ...base, filter: { firstName: 'Doe' } })).not.toBe(fp);
    expect(listFingerprint({ ...base, filter: {} })).not.toBe(fp);
    expect(listFingerprint({ ...base, order: 'name' })).not.toBe(fp);
    // Values that would collide under naive concatenation.
    expect(listFingerprint({ accountId: 'a', filter: { email: 'b,c' }, order: 'o' })).not.toBe(
      listFingerprint({ accountId: 'a,b', filter: { email: 'c' }, order: 'o' }),
    );
  });
});
