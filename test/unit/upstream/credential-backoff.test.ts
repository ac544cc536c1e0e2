import { describe, expect, it } from 'vitest';
import { CredentialBackoff } from '../../../src/upstream/credential-backoff.js';

function table(maxEntries = 100) {
  let now = 0;
  const b = new CredentialBackoff({ baseMs: 100, maxMs: 1_000, maxEntries, now: () => now });
  return { b, advance: (ms: number) => (now += ms) };
}

describe('CredentialBackoff', () => {
  it('slows only the credential that got the 429', () => {
    const { b } = table();
    expect(b.throttled('a', undefined)).toBe(100);
    expect(b.delay('a')).toBe(100);
    expect(b.delay('b')).toBe(0);
  });

  it('doubles per consecutive 429 up to the ceiling, and Retry-After wins when sent', () => {
    const { b, advance } = table();
    const waits = [1, 2, 3, 4, 5].map(() => {
      const w = b.throttled('a', undefined);
      advance(w);
      return w;
    });
    expect(waits).toEqual([100, 200, 400, 800, 1_000]);
    expect(b.throttled('a', 3_000)).toBe(3_000);
    advance(3_000);
    b.succeeded('a');
    expect(b.throttled('a', undefined)).toBe(100);
  });

  it('keeps the later end when calls of one credential are answered 429 together', () => {
    const { b } = table();
    b.throttled('a', 2_000);
    expect(b.throttled('a', 0)).toBe(2_000);
  });

  it('a success while the wait is still running does not cut it short', () => {
    const { b, advance } = table();
    b.throttled('a', 500);
    advance(100);
    b.succeeded('a');
    expect(b.delay('a')).toBe(400);
  });

  it('is bounded: the least recently throttled credentials are forgotten first', () => {
    const { b } = table(2);
    b.throttled('a', 1_000);
    b.throttled('b', 1_000);
    b.throttled('a', 1_000);
    b.throttled('c', 1_000);
    expect(b.size).toBe(2);
    expect(b.delay('b')).toBe(0);
    expect(b.delay('a')).toBeGreaterThan(0);
  });
});
