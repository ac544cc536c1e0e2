// Cache entries as stored: what comes back is this release's shape or a miss, and every read is a
// copy of its own (no caller can change what the next one reads).
import fc from 'fast-check';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import type { User } from '../../../../src/domain.js';
import { decodeEntry, encodeEntry } from '../../../../src/upstream/cache/entry.js';
import type { Entry } from '../../../../src/upstream/cache/entry.js';
import { userSchema } from '../../../../src/upstream/domain-schemas.js';

const text = fc.string({ maxLength: 12 });
const nullable = fc.option(text, { nil: null });
const user: fc.Arbitrary<User> = fc.record({
  accountId: text,
  userId: fc.stringMatching(/^\d{1,8}$/),
  email: nullable,
  loginName: nullable,
  firstName: nullable,
  lastName: nullable,
  contactNumbers: fc.array(fc.record({ type: text, value: text }), { maxLength: 3 }),
  extensions: fc.array(
    fc.record({
      accountId: text,
      userId: text,
      number: text,
      dids: fc.array(fc.record({ phoneNumber: text, customTag: nullable }), { maxLength: 2 }),
    }),
    { maxLength: 3 },
  ),
});
const entry: fc.Arbitrary<Entry<User>> = fc.record({
  kept: fc.oneof(
    user.map((value) => ({ found: true as const, value })),
    fc.constant({ found: false as const }),
  ),
  freshUntil: fc.integer({ min: 0 }),
  etag: fc.option(text, { nil: undefined }),
  cacheControl: fc.option(text, { nil: undefined }),
});

describe('cache entries', () => {
  it('round-trip: what is read back equals what was kept', () => {
    fc.assert(
      fc.property(entry, (e) => {
        expect(decodeEntry(encodeEntry(e), userSchema)).toEqual(e);
      }),
    );
  });

  it('every read is a fresh, writable copy: a change by one reader is not seen by the next', () => {
    fc.assert(
      fc.property(user, (u) => {
        const stored = encodeEntry({
          kept: { found: true, value: u },
          freshUntil: 1,
          etag: undefined,
          cacheControl: undefined,
        });
        const first = decodeEntry(stored, userSchema);
        if (first?.kept.found !== true) throw new Error('expected a value');
        expect(first.kept.value).not.toBe(u);
        // What @apollo/subgraph does to an entity, and what a careless resolver might do.
        Object.assign(first.kept.value, { __typename: 'User' });
        first.kept.value.extensions.push({ accountId: 'x', userId: 'x', number: 'x', dids: [] });
        expect(decodeEntry(stored, userSchema)?.kept).toEqual({ found: true, value: u });
      }),
    );
  });

  it('an entry of an older release (no version, or a value of another shape) is a miss', () => {
    const value: User = {
      accountId: '1001',
      userId: '7',
      email: null,
      loginName: null,
      firstName: 'Ann',
      lastName: null,
      contactNumbers: [],
      extensions: [],
    };
    // The envelope release 1 wrote: { value, freshUntil, etag?, size }.
    expect(decodeEntry(JSON.stringify({ value, freshUntil: 1, size: 10 }), userSchema)).toBe(
      undefined,
    );
    const current = JSON.parse(
      encodeEntry({
        kept: { found: true, value },
        freshUntil: 1,
        etag: '"e"',
        cacheControl: undefined,
      }),
    ) as Record<string, unknown>;
    const older = (patch: Record<string, unknown>) =>
      decodeEntry(JSON.stringify({ ...current, ...patch }), userSchema);
    expect(older({})).toBeDefined();
    expect(older({ v: 1 })).toBeUndefined();
    // A user of an older shape: snake_case names, a numeric id, no extensions.
    expect(older({ value: { ...value, first_name: 'Ann', firstName: undefined } })).toBeUndefined();
    expect(older({ value: { ...value, userId: 7 } })).toBeUndefined();
    expect(older({ value: { ...value, extensions: undefined } })).toBeUndefined();
    expect(decodeEntry('not json', userSchema)).toBeUndefined();
    expect(decodeEntry('null', z.unknown())).toBeUndefined();
  });
});
