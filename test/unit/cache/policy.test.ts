// Upstream caching headers → what the cross-request cache may keep and for how long, and the
// in-memory store's bounds.
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../../src/cache/memory.js';
import { cachePolicy, parseCacheControl } from '../../../src/cache/upstream-cache.js';

const TTL = 60_000;

describe('cachePolicy', () => {
  it('keeps an answer for CACHE_TTL_MS when the upstream says nothing', () => {
    expect(cachePolicy(undefined, TTL)).toEqual({
      freshMs: TTL,
      etag: undefined,
      cacheControl: undefined,
    });
    expect(cachePolicy({ 'content-type': 'application/json' }, TTL)?.freshMs).toBe(TTL);
  });

  it.each([
    ['no-store', undefined],
    ['private, no-store', undefined],
    ['NO-STORE', undefined],
  ])('does not keep %s', (header, expected) => {
    expect(cachePolicy({ 'cache-control': header }, TTL)).toBe(expected);
  });

  it('does not keep an answer that varies on anything (Vary: *)', () => {
    expect(cachePolicy({ vary: '*' }, TTL)).toBeUndefined();
    expect(cachePolicy({ vary: 'accept' }, TTL)?.freshMs).toBe(TTL);
  });

  it.each([
    ['max-age=5', 5_000],
    ['private, max-age=5', 5_000],
    ['max-age="5"', 5_000],
    // max-age shortens CACHE_TTL_MS, never lengthens it.
    ['max-age=3600', TTL],
    ['max-age=0', 0],
    ['no-cache', 0],
    ['no-cache, max-age=30', 0],
    ['max-age=nonsense', TTL],
  ])('%s → fresh for %i ms', (header, freshMs) => {
    expect(cachePolicy({ 'cache-control': header }, TTL)?.freshMs).toBe(freshMs);
  });

  it('subtracts the Age an intermediary reports', () => {
    expect(cachePolicy({ 'cache-control': 'max-age=10', age: '4' }, TTL)?.freshMs).toBe(6_000);
    expect(cachePolicy({ 'cache-control': 'max-age=10', age: '40' }, TTL)?.freshMs).toBe(0);
  });

  it('keeps the validator and the header for a later revalidation', () => {
    expect(cachePolicy({ etag: 'W/"v1"', 'cache-control': 'no-cache' }, TTL)).toEqual({
      freshMs: 0,
      etag: 'W/"v1"',
      cacheControl: 'no-cache',
    });
  });

  it('parses directives case-insensitively, with or without values', () => {
    expect([...parseCacheControl(' Private , MAX-AGE=7,no-transform')]).toEqual([
      ['private', ''],
      ['max-age', '7'],
      ['no-transform', ''],
    ]);
  });
});

describe('MemoryStore', () => {
  const entry = (value: unknown) => ({ value, freshUntil: Date.now() + TTL });

  it('drops the least recently used entry beyond maxEntries', async () => {
    const store = new MemoryStore({ maxEntries: 2, maxBytes: 1_000_000 });
    await store.set('a', entry(1), TTL, 10);
    await store.set('b', entry(2), TTL, 10);
    await store.get('a');
    await store.set('c', entry(3), TTL, 10);
    expect(await store.get('b')).toBeUndefined();
    expect((await store.get('a'))?.value).toBe(1);
    expect((await store.get('c'))?.value).toBe(3);
  });

  it('stays within maxBytes', async () => {
    const store = new MemoryStore({ maxEntries: 100, maxBytes: 1_000 });
    for (let i = 0; i < 10; i++) await store.set(`k${i}`, entry(i), TTL, 300);
    expect(store.size).toBe(3);
    // One entry larger than the whole budget is not kept at all.
    await store.set('huge', entry('x'), TTL, 5_000);
    expect(await store.get('huge')).toBeUndefined();
  });

  it('hands out the stored object, frozen so no request can change it for the next', async () => {
    const store = new MemoryStore({ maxEntries: 10, maxBytes: 1_000_000 });
    const value = { users: [{ firstName: 'Ann', extensions: [{ number: '100' }] }] };
    await store.set('k', entry(value), TTL, 10);
    const hit = await store.get('k');
    expect(hit?.value).toBe(value);
    expect(Object.isFrozen(value.users[0]?.extensions[0])).toBe(true);
    expect(() => value.users.push({ firstName: 'Bob', extensions: [] })).toThrow(TypeError);
  });
});
