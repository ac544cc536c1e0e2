// Run by redis-loading.test.ts in a process of its own (a fresh module cache): builds a gateway
// without Redis, then one with it, and prints whether ioredis was loaded after each.
import { createRequire } from 'node:module';
import { sep } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../../src/config.js';
import { createGateway } from '../../../src/server.js';

const cache = createRequire(import.meta.url).cache;
const loaded = (): boolean => Object.keys(cache).some((k) => k.includes(`${sep}ioredis${sep}`));
const logger = pino({ level: 'silent' });
const env = {
  USERS_API_URL: 'http://127.0.0.1:9',
  VCARD_API_URL: 'http://127.0.0.1:9',
  // Everything Redis would serve, asked for without a Redis URL: a cache and a rate budget.
  CACHE_TTL_MS: '60000',
  USERS_API_RATE_LIMIT: '10',
};
const without = createGateway(loadConfig(env), { logger });
const withoutRedis = loaded();
const withRedis = createGateway(loadConfig({ ...env, REDIS_URL: 'redis://127.0.0.1:9' }), {
  logger,
});
console.log(JSON.stringify({ withoutRedis, withRedis: loaded() }));
await Promise.race([
  Promise.all([without.close(), withRedis.close()]),
  new Promise((resolve) => setTimeout(resolve, 1_000)),
]);
process.exit(0);
