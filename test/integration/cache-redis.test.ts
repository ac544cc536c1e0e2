// RedisStore against a real redis-server (started here, on loopback): round trip with a TTL, foreign
// values are misses, and a Redis that is not there is a miss with one warning, never an error.
import pino from 'pino';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUpstreamHooks } from '../../src/observability/upstream-hooks.js';
import { REDIS_KEY_PREFIX, RedisStore } from '../../src/upstream/cache/redis.js';
import { startHarness } from '../support/harness.js';
import { freePort, redisServerMissing, startRedisServer } from '../support/redis.js';
import type { RedisServer } from '../support/redis.js';

const missing = redisServerMissing();
if (missing !== undefined) console.warn(`skipping the RedisStore tests: ${missing}`);

function capture(): { hooks: ReturnType<typeof createUpstreamHooks>; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
  return { hooks: createUpstreamHooks({ logger }), lines };
}

describe.skipIf(missing !== undefined)('RedisStore', () => {
  let server: RedisServer;
  let raw: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    raw = new Redis(server.url);
  });
  afterAll(async () => {
    raw.disconnect();
    await server.stop();
  });

  it('stores entries as text under the prefix with SET … PX', async () => {
    const { hooks, lines } = capture();
    const store = new RedisStore({ url: server.url, hooks });
    const entry = JSON.stringify({ value: { a: [1, null, 'é'] }, etag: '"x"' });
    // The first command waits for the connection instead of missing.
    await store.set('k1', entry, 5_000);
    expect(await store.get('k1')).toBe(entry);
    const ttl = await raw.pttl(`${REDIS_KEY_PREFIX}k1`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5_000);
    expect(await store.get('absent')).toBeUndefined();
    await store.close();
    expect(lines).toEqual([]);
  });

  it('misses, with one warning, when nothing listens at REDIS_URL', async () => {
    const { hooks, lines } = capture();
    const store = new RedisStore({ url: `redis://127.0.0.1:${await freePort()}`, hooks });
    for (let i = 0; i < 20; i++) {
      expect(await store.get(`k${i}`)).toBeUndefined();
      await store.set(`k${i}`, String(i), 1_000);
    }
    await store.close();
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      level: 40,
      msg: 'cache: Redis unavailable, answering from the upstream',
    });
  });

  it('never puts a password from REDIS_URL in its warnings', async () => {
    const { hooks, lines } = capture();
    const url = `redis://user:hunter2@127.0.0.1:${await freePort()}`;
    const store = new RedisStore({ url, hooks });
    await store.get('k');
    await store.close();
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain('hunter2');
  });

  it('an entry an older release wrote (older envelope, or a value of an older shape) is a miss', async () => {
    const h = await startHarness({ env: { CACHE_TTL_MS: '60000', REDIS_URL: server.url } });
    try {
      const record = h.sandbox.dataset.accounts.get('1001')?.[0];
      if (record === undefined) throw new Error('no user in 1001');
      const id = String(record.id);
      const query = `{ user(accountId: "1001", userId: "${id}") { userId firstName } }`;
      const expected = { user: { userId: id, firstName: record.user.first_name } };
      expect((await h.gql(query)).data).toEqual(expected);
      expect(h.calls().user).toBe(1);
      const keys = await raw.keys(`${REDIS_KEY_PREFIX}users:*/users/${id}`);
      expect(keys).toHaveLength(1);
      const key = keys[0] ?? '';
      // Served from Redis while it holds this release's entry.
      expect((await h.gql(query)).data).toEqual(expected);
      expect(h.calls().user).toBe(1);

      const older = [
        // Release 1's envelope, around a user in the upstream's snake_case shape.
        { value: { user_id: id, first_name: 'Stale' }, freshUntil: Date.now() + 60_000, size: 9 },
        // This envelope, but a value missing a field the model has now.
        {
          ...(JSON.parse((await raw.get(key)) ?? '{}') as object),
          value: { accountId: '1001', userId: id, firstName: 'Stale' },
        },
      ];
      for (const [i, entry] of older.entries()) {
        await raw.set(key, JSON.stringify(entry), 'PX', 60_000);
        const res = await h.gql(query);
        expect(res.errors).toBeUndefined();
        expect(res.data).toEqual(expected);
        // A miss: the upstream was asked again, and its answer replaced the stale entry.
        expect(h.calls().user).toBe(2 + i);
        expect(await raw.get(key)).not.toContain('Stale');
      }
    } finally {
      await h.close();
    }
  });
});
