// The cross-request cache (CACHE_TTL_MS, REDIS_URL) end to end: repeated queries cost no upstream
// request, nothing is shared across credentials, errors are not kept, entries expire, and Redis
// shares entries across gateway instances without ever failing a query when it is down.
import pino from 'pino';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createGateway } from '../../src/server.js';
import type { Gateway } from '../../src/server.js';
import { codes, startHarness } from '../support/harness.js';
import type { GraphQLResponse, Harness } from '../support/harness.js';
import { freePort, redisServerMissing, startRedisServer } from '../support/redis.js';
import type { RedisServer } from '../support/redis.js';

/** Q2 of issue #9: a page of 50 users with extensions, DIDs and vCards. */
const Q2 = `{ users(accountId: "1003", first: 50) {
  totalCount
  nodes {
    id firstName lastName
    extensions { number dids { phoneNumber customTag } }
    vcard { formattedName emails phones { number types } }
  } } }`;
const Q2_COST = { list: 1, user: 0, vcard: 50, apiAuth: 0 };
const NO_CALLS = { list: 0, user: 0, vcard: 0, apiAuth: 0 };

const SMALL = `{ users(accountId: "1001", first: 3) { nodes { userId vcard { formattedName } } } }`;
const SMALL_COST = { list: 1, user: 0, vcard: 3, apiAuth: 0 };

const A = { authorization: 'Bearer token-of-a', 'x-auth-token': 'token-of-a' };
const B = { authorization: 'Bearer token-of-b', 'x-auth-token': 'token-of-b' };

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function run(
  harness: Harness,
  query: string,
  headers?: Record<string, string>,
): Promise<{ res: GraphQLResponse; calls: ReturnType<Harness['calls']> }> {
  // Only the logs: resetCalls() would also drop the faults a test queued.
  harness.sandbox.users.log.length = 0;
  harness.sandbox.vcard.log.length = 0;
  const answer = await harness.gql(query, undefined, headers);
  // Status and headers (a fresh X-Request-ID each time) are not what is compared.
  const res: GraphQLResponse = {};
  if (answer.data !== undefined) res.data = answer.data;
  if (answer.errors !== undefined) res.errors = answer.errors;
  return { res, calls: harness.calls() };
}

function vcards(res: GraphQLResponse): unknown[] {
  const users = res.data?.['users'] as { nodes: { vcard: unknown }[] };
  return users.nodes.map((n) => n.vcard);
}

describe('in-memory cache', () => {
  it('answers a repeated Q2 with no upstream request and the same data', async () => {
    h = await startHarness({ env: { CACHE_TTL_MS: '60000' } });
    const first = await run(h, Q2, A);
    expect(first.res.errors).toBeUndefined();
    expect(first.calls).toEqual(Q2_COST);
    // Users without a card (404 upstream) are part of the page: their null is remembered too.
    expect(vcards(first.res)).toContain(null);

    const second = await run(h, Q2, A);
    expect(second.calls).toEqual(NO_CALLS);
    expect(second.res).toEqual(first.res);
    expect(h.gateway.services.cache?.store.kind).toBe('memory');
    expect(h.gateway.services.cache?.vcard.stats.hits).toBe(50);

    // Operators see the hits, which make no upstream attempt, at /metrics.
    const scrape = await (await h.gateway.yoga.fetch('http://localhost/metrics')).text();
    const sample = (upstream: string, result: string): number => {
      const line = scrape
        .split('\n')
        .find((l) =>
          l.startsWith(`upstream_cache_requests_total{upstream="${upstream}",result="${result}"}`),
        );
      return Number(line?.split(' ').at(-1));
    };
    expect(sample('vcard', 'hit')).toBe(50);
    expect(sample('vcard', 'miss')).toBe(50);
    expect(sample('users', 'hit')).toBe(1);
    expect(sample('users', 'miss')).toBe(1);
  });

  it('is off by default: the same Q2 again costs the same upstream requests', async () => {
    h = await startHarness();
    expect(h.gateway.services.cache).toBeUndefined();
    const first = await run(h, Q2, A);
    const second = await run(h, Q2, A);
    expect(first.calls).toEqual(Q2_COST);
    expect(second.calls).toEqual(Q2_COST);
    expect(second.res).toEqual(first.res);
  });

  it('never answers one credential from another credential’s entries', async () => {
    h = await startHarness({ env: { CACHE_TTL_MS: '60000' } });
    expect((await run(h, Q2, A)).calls).toEqual(Q2_COST);
    // B asks exactly what A asked: every call goes upstream with B's own credential.
    const b = await run(h, Q2, B);
    expect(b.calls).toEqual(Q2_COST);
    const sent = [...h.sandbox.users.log, ...h.sandbox.vcard.log];
    const credentials = sent.map((r) => r.headers.authorization ?? r.headers['x-auth-token']);
    expect(credentials.every((c) => c?.includes('token-of-b'))).toBe(true);
    // Each keeps its own entries.
    expect((await run(h, Q2, A)).calls).toEqual(NO_CALLS);
    expect((await run(h, Q2, B)).calls).toEqual(NO_CALLS);
    // Callers without headers share the service tokens' entries, which are neither A's nor B's.
    expect((await run(h, SMALL)).calls).toEqual(SMALL_COST);
    expect((await run(h, SMALL)).calls).toEqual(NO_CALLS);
    expect((await run(h, SMALL, A)).calls).toEqual(SMALL_COST);
  });

  it('gives a refused caller the upstream’s refusal, not a cached answer', async () => {
    h = await startHarness({
      env: { CACHE_TTL_MS: '60000' },
      sandbox: {
        users: { forbiddenTokens: ['token-of-b'] },
        vcard: { requiredToken: 'token-of-a' },
      },
    });
    const a = await run(h, Q2, A);
    expect(a.res.errors).toBeUndefined();
    expect((await run(h, Q2, A)).calls).toEqual(NO_CALLS);

    const b = await run(h, Q2, B);
    expect(b.res.data).toBeNull();
    expect(codes(b.res)).toEqual(['FORBIDDEN']);
    expect(b.calls).toEqual({ ...NO_CALLS, list: 1 });

    // The vcard API refuses B's token; A's cached card must not stand in for it.
    const card = `{ vcard(accountId: "1003", userId: "${firstUserId(a.res)}") { formattedName } }`;
    expect((await run(h, card, A)).calls).toEqual(NO_CALLS);
    const refused = await run(h, card, B);
    expect(codes(refused.res)).toEqual(['UNAUTHENTICATED']);
    expect(refused.calls).toEqual({ ...NO_CALLS, vcard: 1 });
    // A refusal is not remembered either.
    expect((await run(h, card, B)).calls).toEqual({ ...NO_CALLS, vcard: 1 });
  });

  it('expires entries after CACHE_TTL_MS', async () => {
    h = await startHarness({ env: { CACHE_TTL_MS: '50' } });
    expect((await run(h, SMALL, A)).calls).toEqual(SMALL_COST);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await run(h, SMALL, A)).calls).toEqual(SMALL_COST);
  });

  it('does not keep errors or malformed answers', async () => {
    h = await startHarness({ env: { CACHE_TTL_MS: '60000' } });
    h.sandbox.users.injectFault({ kind: 'status', status: 500 }, { match: /\/users$/ });
    const failed = await run(h, SMALL, A);
    expect(codes(failed.res)).toEqual(['UPSTREAM_ERROR']);
    const ok = await run(h, SMALL, A);
    expect(ok.res.errors).toBeUndefined();
    expect(ok.calls).toEqual(SMALL_COST);

    // A card not asked before fails, then comes back malformed: neither is kept.
    const all = await run(h, `{ users(accountId: "1001", first: 12) { nodes { userId } } }`, A);
    const lastId = (all.res.data?.['users'] as { nodes: { userId: string }[] }).nodes.at(
      -1,
    )?.userId;
    const card = `{ vcard(accountId: "1001", userId: "${lastId}") { formattedName } }`;
    h.sandbox.vcard.injectFault({ kind: 'status', status: 500 });
    h.sandbox.vcard.injectFault({ kind: 'malformed' });
    expect(codes((await run(h, card, A)).res)).toEqual(['UPSTREAM_ERROR']);
    expect(codes((await run(h, card, A)).res)).toEqual(['UPSTREAM_ERROR']);
    const good = await run(h, card, A);
    expect(good.res.errors).toBeUndefined();
    expect(good.calls).toEqual({ ...NO_CALLS, vcard: 1 });
    expect((await run(h, card, A)).calls).toEqual(NO_CALLS);
  });

  it('caches single-user lookups, unknown users included', async () => {
    h = await startHarness({ env: { CACHE_TTL_MS: '60000' } });
    const q = `{ a: user(accountId: "1001", userId: "869048") { firstName }
                 b: user(accountId: "1001", userId: "1") { firstName } }`;
    const first = await run(h, q, A);
    expect(first.res.data).toMatchObject({ a: { firstName: expect.any(String) }, b: null });
    expect(first.calls).toEqual({ ...NO_CALLS, user: 2 });
    const second = await run(h, q, A);
    expect(second.calls).toEqual(NO_CALLS);
    expect(second.res.data).toEqual(first.res.data);
  });
});

function firstUserId(res: GraphQLResponse): string {
  const id = (res.data?.['users'] as { nodes: { id: string }[] }).nodes[0]?.id ?? '';
  // Global ids are base64url of User/<account>/<user>.
  return Buffer.from(id, 'base64url').toString('utf8').split('/')[2] ?? '';
}

const missing = redisServerMissing();
if (missing !== undefined) {
  // Printed so that a skipped run says why; CI installs redis-server (.ci/run).
  console.warn(`skipping the Redis cache tests: ${missing}`);
}

describe.skipIf(missing !== undefined)('Redis cache', () => {
  let redis: RedisServer;
  let second: Gateway | undefined;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis.stop();
  });
  afterEach(async () => {
    await second?.close();
    second = undefined;
  });

  /** A second gateway instance in front of the harness' simulators and the same Redis. */
  function secondGateway(harness: Harness, url: string): Gateway {
    return createGateway(
      loadConfig({
        USERS_API_URL: harness.sandbox.users.url,
        VCARD_API_URL: harness.sandbox.vcard.url,
        CACHE_TTL_MS: '60000',
        REDIS_URL: url,
      }),
      { logger: pino({ level: 'silent' }) },
    );
  }

  it('shares entries across gateway instances', async () => {
    h = await startHarness({ env: { CACHE_TTL_MS: '60000', REDIS_URL: redis.url } });
    const first = await run(h, Q2, A);
    expect(first.res.errors).toBeUndefined();
    expect(first.calls).toEqual(Q2_COST);

    second = secondGateway(h, redis.url);
    expect(second.services.cache?.store.kind).toBe('redis');
    h.resetCalls();
    const response = await second.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...A },
      body: JSON.stringify({ query: Q2 }),
    });
    const body = (await response.json()) as GraphQLResponse;
    expect(h.calls()).toEqual(NO_CALLS);
    expect(body).toEqual(first.res);
    expect(second.services.cache?.vcard.stats.hits).toBe(50);

    // Another credential still goes upstream, through either instance.
    expect((await run(h, Q2, B)).calls).toEqual(Q2_COST);

    // What Redis holds: no credential, no secret of the vcard document, and a TTL on every key.
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys('tdg:v1:*');
      expect(keys.length).toBeGreaterThanOrEqual(2 * (1 + 50));
      const values = await client.mget(...keys);
      const everything = keys.join('\n') + values.join('\n');
      expect(everything).not.toContain('token-of-a');
      expect(everything).not.toContain('token-of-b');
      expect(everything).not.toContain('sandbox-secret-');
      for (const key of keys.slice(0, 5)) {
        const ttl = await client.pttl(key);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(60_000);
      }
    } finally {
      client.disconnect();
    }
  });

  it('answers from the upstream, and warns, when Redis is down', async () => {
    const closed = `redis://127.0.0.1:${await freePort()}`;
    h = await startHarness({ env: { CACHE_TTL_MS: '60000', REDIS_URL: closed } });
    const first = await run(h, Q2, A);
    const again = await run(h, Q2, A);
    expect(first.res.errors).toBeUndefined();
    expect(again.res).toEqual(first.res);
    expect(first.calls).toEqual(Q2_COST);
    expect(again.calls).toEqual(Q2_COST);
    const warnings = h.logs.filter((l) => l.includes('Redis unavailable'));
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(warnings[0] ?? '{}')).toMatchObject({ level: 40 });
    // Rate-limited: one line for all those failures, not one per request.
    expect(warnings.length).toBeLessThan(5);
  });

  it('keeps answering when Redis goes away while in use', async () => {
    const own = await startRedisServer();
    try {
      h = await startHarness({ env: { CACHE_TTL_MS: '60000', REDIS_URL: own.url } });
      expect((await run(h, SMALL, A)).calls).toEqual(SMALL_COST);
      expect((await run(h, SMALL, A)).calls).toEqual(NO_CALLS);
      await own.stop();
      const after = await run(h, SMALL, A);
      expect(after.res.errors).toBeUndefined();
      expect(after.calls).toEqual(SMALL_COST);
      expect(h.logs.some((l) => l.includes('Redis unavailable'))).toBe(true);
    } finally {
      await own.stop();
    }
  });
});
