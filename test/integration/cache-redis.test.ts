// RedisStore against a real redis-server (started here, on loopback): round trip with a TTL, foreign
// values are misses, and a Redis that is not there is a miss with one warning, never an error.
import pino from 'pino';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_KEY_PREFIX, RedisStore } from '../../src/cache/redis.js';
import { freePort, redisServerMissing, startRedisServer } from '../support/redis.js';
import type { RedisServer } from '../support/redis.js';

const missing = redisServerMissing();
if (missing !== undefined) console.warn(`skipping the RedisStore tests: ${missing}`);

function capture(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) }), lines };
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

  it('stores entries as JSON under the prefix with SET … PX', async () => {
    const { logger, lines } = capture();
    const store = new RedisStore({ url: server.url, logger });
    const entry = { value: { a: [1, null, 'é'] }, freshUntil: Date.now() + 5_000, etag: '"x"' };
    // The first command waits for the connection instead of missing.
    await store.set('k1', entry, 5_000);
    expect(await store.get('k1')).toEqual(entry);
    const ttl = await raw.pttl(`${REDIS_KEY_PREFIX}k1`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5_000);
    expect(await store.get('absent')).toBeUndefined();
    await store.close();
    expect(lines).toEqual([]);
  });

  it('treats a value it did not write as a miss', async () => {
    const store = new RedisStore({ url: server.url, logger: capture().logger });
    await raw.set(`${REDIS_KEY_PREFIX}junk`, 'not json');
    await raw.set(`${REDIS_KEY_PREFIX}other`, '{"value":1}');
    expect(await store.get('junk')).toBeUndefined();
    expect(await store.get('other')).toBeUndefined();
    await store.close();
  });

  it('misses, with one warning, when nothing listens at REDIS_URL', async () => {
    const { logger, lines } = capture();
    const store = new RedisStore({ url: `redis://127.0.0.1:${await freePort()}`, logger });
    for (let i = 0; i < 20; i++) {
      expect(await store.get(`k${i}`)).toBeUndefined();
      await store.set(`k${i}`, { value: i, freshUntil: Date.now() + 1_000 }, 1_000);
    }
    await store.close();
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      level: 40,
      msg: 'cache: Redis unavailable, answering from the upstream',
    });
  });

  it('never puts a password from REDIS_URL in its warnings', async () => {
    const { logger, lines } = capture();
    const url = `redis://user:hunter2@127.0.0.1:${await freePort()}`;
    const store = new RedisStore({ url, logger });
    await store.get('k');
    await store.close();
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain('hunter2');
  });
});
