// Upstream caching headers → what the cross-request cache may keep and for how long, and the
// in-memory store's bounds.
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../../../src/upstream/cache/memory.js';
import { cachePolicy, parseCacheControl } from '../../../../src/upstream/cache/policy.js';

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
  const text = (n: number, fill = 'x') => fill.repeat(n);

  it('drops the least recently used entry beyond maxEntries', async () => {
    const store = new MemoryStore({ maxEntries: 2, maxBytes: 1_000_000 });
    await store.set('a', '1', TTL);
    await store.set('b', '2', TTL);
    await store.get('a');
    await store.set('c', '3', TTL);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBe('1');
    expect(await store.get('c')).toBe('3');
  });

  it('stays within maxBytes', async () => {
    const store = new MemoryStore({ maxEntries: 100, maxBytes: 1_000 });
    for (let i = 0; i < 10; i++) await store.set(`k${i}`, text(300), TTL);
    expect(store.size).toBe(3);
    // One entry larger than the whole budget is not kept at all.
    await store.set('huge', text(5_000), TTL);
    expect(await store.get('huge')).toBeUndefined();
  });
});
