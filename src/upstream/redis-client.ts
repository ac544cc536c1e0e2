// The one place that loads ioredis, and only when a Redis URL is configured: a gateway without
// Redis (one instance, no shared cache or budget) never loads the client library and its
// dependencies, which are several MB of a process that idles near 120 MB.
import { createRequire } from 'node:module';
import type * as IORedis from 'ioredis';

export type { Redis, RedisOptions } from 'ioredis';

export function newRedis(url: string, options: IORedis.RedisOptions): IORedis.Redis {
  const { Redis } = createRequire(import.meta.url)('ioredis') as typeof IORedis;
  return new Redis(url, options);
}
