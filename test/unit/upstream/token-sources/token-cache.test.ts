import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UpstreamError } from '../../../../src/errors.js';
import { TokenCache, holdFrom } from '../../../../src/upstream/token-sources/token-cache.js';
import type { IssuedToken } from '../../../../src/upstream/token-sources/token-cache.js';

const within = (ms: number, signal?: AbortSignal) => ({
  requestId: 'r1',
  deadline: { at: Date.now() + ms, signal },
});
const farAway = () => within(60_000);

/** A fetch whose answers the test releases one by one; counts its calls. */
function scriptedFetch() {
  const pending: { resolve: (t: IssuedToken) => void; reject: (e: Error) => void }[] = [];
  const signals: AbortSignal[] = [];
  const fetch = vi.fn(
    ({ signal }: { signal: AbortSignal }) =>
      new Promise<IssuedToken>((resolve, reject) => {
        signals.push(signal);
        pending.push({ resolve, reject });
        signal.addEventListener('abort', () =>
          reject(new UpstreamError('users', { kind: 'timeout' })),
        );
      }),
  );
  const next = () => {
    const p = pending.shift();
    if (p === undefined) throw new Error('no fetch pending');
    return p;
  };
  return { fetch, signals, next };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('TokenCache', () => {
  it('50 concurrent callers share one fetch (single flight)', async () => {
    const s = scriptedFetch();
    const cache = new TokenCache(s.fetch, { upstream: 'users', timeoutMs: 5_000 });
    const all = Promise.all(Array.from({ length: 50 }, () => cache.token(farAway())));
    s.next().resolve({ value: 'Bearer a', lifetimeSeconds: 3600 });
    expect(new Set(await all)).toEqual(new Set(['Bearer a']));
    expect(await cache.token(farAway())).toBe('Bearer a');
    expect(s.fetch).toHaveBeenCalledTimes(1);
  });

  it('a caller whose deadline passes stops waiting; the fetch goes on for the next caller', async () => {
    const s = scriptedFetch();
    const cache = new TokenCache(s.fetch, { upstream: 'vcard', timeoutMs: 5_000 });
    const hurried = cache.token(within(20));
    await expect(hurried).rejects.toMatchObject({
      upstream: 'vcard',
      failure: { kind: 'timeout' },
    });
    const patient = cache.token(farAway());
    expect(s.signals[0]?.aborted).toBe(false);
    s.next().resolve({ value: 't1' });
    expect(await patient).toBe('t1');
    expect(s.fetch).toHaveBeenCalledTimes(1);
  });

  it('a caller that goes away stops waiting at once', async () => {
    const s = scriptedFetch();
    const cache = new TokenCache(s.fetch, { upstream: 'users', timeoutMs: 5_000 });
    const gone = new AbortController();
    const waiting = cache.token(within(60_000, gone.signal));
    gone.abort();
    await expect(waiting).rejects.toBeInstanceOf(UpstreamError);
    expect(s.signals[0]?.aborted).toBe(false);
  });

  it('the fetch has its own timeout, whatever the callers allow', async () => {
    const s = scriptedFetch();
    const cache = new TokenCache(s.fetch, { upstream: 'users', timeoutMs: 30 });
    await expect(cache.token(farAway())).rejects.toMatchObject({ failure: { kind: 'timeout' } });
    expect(s.signals[0]?.aborted).toBe(true);
  });

  it('renews ahead of expiry in the background: callers keep the current token meanwhile', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000_000);
    const s = scriptedFetch();
    const cache = new TokenCache(s.fetch, { upstream: 'users', timeoutMs: 5_000 });
    const first = cache.token(farAway());
    s.next().resolve({ value: 'old', lifetimeSeconds: 100 });
    expect(await first).toBe('old');

    vi.setSystemTime(1_000_000 + 79_000); // before the renewal window (the last 20 s)
    expect(await cache.token(farAway())).toBe('old');
    expect(s.fetch).toHaveBeenCalledTimes(1);

    vi.setSystemTime(1_000_000 + 81_000); // inside it: still the old token, and one renewal
    expect(await cache.token(farAway())).toBe('old');
    expect(await cache.token(farAway())).toBe('old');
    expect(s.fetch).toHaveBeenCalledTimes(2);
    s.next().resolve({ value: 'new', lifetimeSeconds: 100 });
    await vi.waitFor(async () => expect(await cache.token(farAway())).toBe('new'));
    expect(s.fetch).toHaveBeenCalledTimes(2);
  });

  it('an expired token is never handed out: callers wait for the new one', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000_000);
    const s = scriptedFetch();
    const cache = new TokenCache(s.fetch, { upstream: 'users', timeoutMs: 5_000 });
    const first = cache.token(farAway());
    s.next().resolve({ value: 'old', lifetimeSeconds: 100 });
    await first;
    vi.setSystemTime(1_000_000 + 96_000); // inside the 5 s skew margin: treated as expired
    const waiting = cache.token(farAway());
    s.next().resolve({ value: 'new', lifetimeSeconds: 100 });
    expect(await waiting).toBe('new');
  });

  it('invalidate drops the refused token only, never a newer one', async () => {
    const s = scriptedFetch();
    const cache = new TokenCache(s.fetch, { upstream: 'vcard', timeoutMs: 5_000 });
    const first = cache.token(farAway());
    s.next().resolve({ value: 't1' });
    await first;
    cache.invalidate('t0'); // an older token: nothing happens
    expect(await cache.token(farAway())).toBe('t1');
    expect(s.fetch).toHaveBeenCalledTimes(1);

    cache.invalidate('t1');
    cache.invalidate('t1'); // many callers saw the same 401: still one fetch
    const again = Promise.all([cache.token(farAway()), cache.token(farAway())]);
    s.next().resolve({ value: 't2' });
    expect(await again).toEqual(['t2', 't2']);
    cache.invalidate('t1'); // a late 401 for the old token leaves the new one alone
    expect(await cache.token(farAway())).toBe('t2');
    expect(s.fetch).toHaveBeenCalledTimes(2);
  });

  it('a failure is held briefly: callers get it without a new fetch, then it is tried again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000_000);
    const s = scriptedFetch();
    const cache = new TokenCache(s.fetch, {
      upstream: 'users',
      timeoutMs: 5_000,
      failureHoldMs: 1_000,
    });
    const down = new UpstreamError('users', { kind: 'token-endpoint', problem: 'unreachable' });
    const first = cache.token(farAway());
    s.next().reject(down);
    await expect(first).rejects.toBe(down);
    await expect(cache.token(farAway())).rejects.toBe(down);
    expect(s.fetch).toHaveBeenCalledTimes(1);
    vi.setSystemTime(1_001_001);
    const retried = cache.token(farAway());
    s.next().resolve({ value: 'ok' });
    expect(await retried).toBe('ok');
    expect(s.fetch).toHaveBeenCalledTimes(2);
  });

  it('expiry times: sent <= renew <= expiry <= sent + lifetime, margins bounded (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_000_000_000_000 }),
        fc.double({ min: 0, max: 10_000_000, noNaN: true }),
        (sentAt, seconds) => {
          const h = holdFrom({ value: 'x', lifetimeSeconds: seconds }, sentAt);
          const end = sentAt + seconds * 1000; // the oracle: the issuer's expiry
          expect(h.renewAt).toBeGreaterThanOrEqual(sentAt);
          expect(h.renewAt).toBeLessThanOrEqual(h.expiresAt);
          expect(h.expiresAt).toBeLessThanOrEqual(end);
          // Never renewed more than a minute early, never dropped more than 5 s early.
          expect(end - h.renewAt).toBeLessThanOrEqual(60_001);
          expect(end - h.expiresAt).toBeLessThanOrEqual(5_001);
          // A token of a second or more is usable for most of its life.
          if (seconds >= 1) expect(h.expiresAt - sentAt).toBeGreaterThanOrEqual(seconds * 950 - 2);
        },
      ),
    );
  });

  it('a token without expires_in is kept until refused', () => {
    const h = holdFrom({ value: 'x' }, 5);
    expect(h.expiresAt).toBe(Infinity);
    expect(h.renewAt).toBe(Infinity);
  });
});
