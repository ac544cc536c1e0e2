// The simulators' own rate limit (429 with Retry-After above it, per simulator or per credential),
// the fault that answers 429 to one credential only, and the request-log helpers that count
// requests per second. The limiter and the counters are pure: checked by properties against a
// brute-force oracle first, then over real HTTP.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { maxRequestsInAnyWindow, requestsPerWindow, startSandbox } from '../../../sandbox/index.js';
import type { LoggedRequest, Sandbox } from '../../../sandbox/index.js';
import { SlidingWindowLimiter } from '../../../sandbox/rate-limit.js';

const entry = (at: number, credential?: string): LoggedRequest => ({
  method: 'GET',
  path: '/accounts/1001/users',
  query: {},
  headers: {},
  api: true,
  at,
  ...(credential === undefined ? {} : { credential }),
});

/** Oracle: the most arrivals in any window [t - windowMs + 1, t] ending on an arrival. */
function bruteMax(times: number[], windowMs: number): number {
  return Math.max(0, ...times.map((t) => times.filter((u) => u > t - windowMs && u <= t).length));
}

const arrivals = fc
  .array(fc.integer({ min: 0, max: 5000 }), { maxLength: 200 })
  .map((times) => times.sort((a, b) => a - b));

describe('SlidingWindowLimiter (property)', () => {
  it('admits at most perSecond in any 1 s window, and refuses only when the window is full', () => {
    fc.assert(
      fc.property(arrivals, fc.integer({ min: 1, max: 20 }), (times, perSecond) => {
        const limiter = new SlidingWindowLimiter({ perSecond });
        const admitted: number[] = [];
        for (const t of times) {
          const inWindow = admitted.filter((u) => u > t - 1000).length;
          const answer = limiter.admit(undefined, t);
          expect(answer.admitted).toBe(inWindow < perSecond);
          if (answer.admitted) admitted.push(t);
          else expect(answer.retryAfterSeconds).toBe(1);
        }
        expect(bruteMax(admitted, 1000)).toBeLessThanOrEqual(perSecond);
      }),
    );
  });

  it('per credential: each credential has its own budget', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.constantFrom('a', 'b', 'c')), {
          maxLength: 150,
        }),
        fc.integer({ min: 1, max: 10 }),
        (requests, perSecond) => {
          requests.sort((x, y) => x[0] - y[0]);
          const limiter = new SlidingWindowLimiter({ perSecond, perCredential: true });
          const admitted: [number, string][] = [];
          for (const [t, who] of requests) {
            const inWindow = admitted.filter(([u, w]) => w === who && u > t - 1000).length;
            const answer = limiter.admit(who, t);
            expect(answer.admitted).toBe(inWindow < perSecond);
            if (answer.admitted) admitted.push([t, who]);
          }
        },
      ),
    );
  });
});

describe('request-log counters (property)', () => {
  it('maxRequestsInAnyWindow equals the brute-force maximum', () => {
    fc.assert(
      fc.property(arrivals, fc.integer({ min: 1, max: 1500 }), (times, windowMs) => {
        const log = times.map((t) => entry(t));
        expect(maxRequestsInAnyWindow(log, { windowMs })).toBe(bruteMax(times, windowMs));
      }),
    );
  });

  it('requestsPerWindow buckets every counted request once, from the first one', () => {
    fc.assert(
      fc.property(arrivals, (times) => {
        const counts = requestsPerWindow(times.map((t) => entry(t)));
        expect(counts.reduce((a, b) => a + b, 0)).toBe(times.length);
        const start = times[0] ?? 0;
        counts.forEach((count, i) => {
          const oracle = times.filter((t) => t >= start + i * 1000 && t < start + (i + 1) * 1000);
          expect(count).toBe(oracle.length);
        });
      }),
    );
  });

  it('count API requests only unless told otherwise', () => {
    const log = [entry(0), { ...entry(10), api: false }, entry(20, 'a')];
    expect(requestsPerWindow(log)).toEqual([2]);
    expect(maxRequestsInAnyWindow(log, { filter: (e) => e.credential === 'a' })).toBe(1);
    expect(maxRequestsInAnyWindow(log, { filter: () => true })).toBe(3);
  });
});

let sandbox: Sandbox;

const users = (token: string) =>
  fetch(`${sandbox.users.url}/accounts/1001/users`, {
    headers: { authorization: `Bearer ${token}` },
  });
const vcard = (token: string) => {
  const id = sandbox.dataset.accounts.get('1001')?.[0]?.id;
  return fetch(`${sandbox.vcard.url}/accounts/1001/users/${id}/vcard`, {
    headers: { 'x-auth-token': token },
  });
};

describe('rateLimit over HTTP', () => {
  afterEach(() => sandbox.close());

  it('answers 429 with Retry-After above the limit, in each upstream own error shape', async () => {
    sandbox = await startSandbox({ rateLimit: { perSecond: 5 } });
    const answers = await Promise.all(Array.from({ length: 8 }, () => users('t')));
    expect(answers.filter((r) => r.status === 200)).toHaveLength(5);
    const refused = answers.filter((r) => r.status === 429);
    expect(refused).toHaveLength(3);
    expect(refused[0]?.headers.get('retry-after')).toBe('1');
    expect(await refused[0]?.json()).toEqual({ error: 'rate limit exceeded' });

    // The vcard simulator has a budget of its own, untouched by the users API's traffic.
    const cards = await Promise.all(Array.from({ length: 6 }, () => vcard('t')));
    expect(cards.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = cards.find((r) => r.status === 429);
    const body = (await limited?.json()) as { code: string; request_id: string };
    expect(body.code).toBe('too_many_requests');
    expect(limited?.headers.get('x-request-id')).toBe(body.request_id);

    expect(sandbox.users.log.map((r) => r.status).sort()).toEqual([
      200, 200, 200, 200, 200, 429, 429, 429,
    ]);
    expect(maxRequestsInAnyWindow(sandbox.users.log)).toBe(8);
    expect(maxRequestsInAnyWindow(sandbox.users.log, { filter: (e) => e.status !== 429 })).toBe(5);
  });

  it('serves again once the window has passed; can be changed or removed at run time', async () => {
    sandbox = await startSandbox({ users: { rateLimit: { perSecond: 2 } } });
    expect((await Promise.all([users('t'), users('t'), users('t')])).map((r) => r.status)).toEqual(
      expect.arrayContaining([200, 200, 429]),
    );
    await new Promise((resolve) => setTimeout(resolve, 1050));
    expect((await users('t')).status).toBe(200);
    sandbox.users.rateLimit = undefined;
    const free = await Promise.all(Array.from({ length: 10 }, () => users('t')));
    expect(free.every((r) => r.status === 200)).toBe(true);
    expect(sandbox.vcard.rateLimit).toBeUndefined();
  });

  it('perCredential: one budget per credential', async () => {
    sandbox = await startSandbox({ users: { rateLimit: { perSecond: 2, perCredential: true } } });
    const statuses = async (token: string, n: number) =>
      (await Promise.all(Array.from({ length: n }, () => users(token)))).map((r) => r.status);
    expect((await statuses('a', 3)).sort()).toEqual([200, 200, 429]);
    expect((await statuses('b', 2)).sort()).toEqual([200, 200]);
  });

  it('does not limit the token endpoint or the description', async () => {
    sandbox = await startSandbox({ rateLimit: { perSecond: 1 } });
    expect((await users('t')).status).toBe(200);
    expect((await fetch(`${sandbox.users.url}/openapi.json`)).status).toBe(200);
    const token = await fetch(sandbox.users.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'sandbox-gateway',
        client_secret: 'sandbox-gateway-secret',
      }),
    });
    expect(token.status).toBe(200);
    expect((await users('t')).status).toBe(429);
  });
});

describe('a 429 fault for one credential', () => {
  afterEach(() => sandbox.close());

  it('answers that credential only, on both simulators; others are served', async () => {
    sandbox = await startSandbox();
    const fault = { kind: 'status', status: 429, retryAfter: '1' } as const;
    sandbox.users.injectFault(fault, { times: Infinity, credential: 'tenant-a' });
    sandbox.vcard.injectFault(fault, { times: Infinity, credential: 'tenant-a' });
    for (let i = 0; i < 3; i++) {
      const limited = await users('tenant-a');
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('1');
      expect((await users('tenant-b')).status).toBe(200);
      expect((await vcard('tenant-a')).status).toBe(429);
      expect((await vcard('tenant-b')).status).toBe(200);
    }
    expect(sandbox.users.log.map((r) => [r.credential, r.status])).toEqual(
      Array.from({ length: 3 }, () => [
        ['tenant-a', 429],
        ['tenant-b', 200],
      ]).flat(),
    );
  });
});
