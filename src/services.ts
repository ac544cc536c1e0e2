// The long-lived parts of a gateway instance: upstream clients over their chains and pools, limits
// learned at run time, and observers. Holds no user data.
import type { Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { GatewayMetrics } from './observability/metrics.js';
import { createUpstreamHooks } from './observability/upstream-hooks.js';
import type { CacheStore } from './upstream/cache/store.js';
import { MemoryStore } from './upstream/cache/memory.js';
import { RedisStore } from './upstream/cache/redis.js';
import type { CircuitBreaker } from './upstream/circuit-breaker.js';
import type { UpstreamHooks } from './upstream/hooks.js';
import type { UpstreamCache } from './upstream/steps/cache.js';
import { createUpstreams } from './upstream/upstreams.js';
import type { Chain } from './upstream/chain.js';
import type { UsersClient } from './upstream/users-client.js';
import type { VcardClient } from './upstream/vcard-client.js';
import { createUsersListLimits, type UsersListLimits } from './pagination/limits.js';

export interface Services {
  config: Config;
  logger: Logger;
  users: UsersClient;
  vcards: VcardClient;
  /** What is learned about the users API's lists at run time (page maximum, list totals). */
  limits: UsersListLimits;
  breakers: { users: CircuitBreaker; vcard: CircuitBreaker };
  /** Each upstream's composed chain (its step names: README of src/upstream). */
  chains: { users: Chain; vcard: Chain };
  metrics: GatewayMetrics | undefined;
  /** The cross-request cache (CACHE_TTL_MS > 0), one per upstream over one store. */
  cache: { store: CacheStore; users: UpstreamCache; vcard: UpstreamCache } | undefined;
  close(): Promise<void>;
}

export interface ServiceHooks {
  /** Backoff base for retries (tests shorten it). */
  baseBackoffMs?: number;
  breakerThreshold?: number;
  breakerCooldownMs?: number;
  /** First wait of a credential after a 429 without Retry-After (tests shorten it). */
  credentialBackoffMs?: number;
}

export interface Observability {
  metrics?: GatewayMetrics;
  tracer?: Tracer;
}

export function createServices(
  config: Config,
  logger: Logger,
  hooks: ServiceHooks = {},
  observability: Observability = {},
): Services {
  const { metrics } = observability;
  const { usersApiUrl, vcardApiUrl } = config;
  if (usersApiUrl === undefined || vcardApiUrl === undefined) {
    throw new Error('upstream URLs are not configured (start the sandbox first)');
  }
  const upstreamHooks = createUpstreamHooks({
    logger,
    metrics,
    tracer: observability.tracer,
    rateLimitInstances: config.tenancy.rateLimitInstances,
  });
  const upstreams = createUpstreams({
    usersApiUrl,
    vcardApiUrl,
    maxConcurrency: config.upstreamMaxConcurrency,
    timeoutMs: config.upstreamTimeoutMs,
    maxBodyBytes: config.upstreamMaxBodyBytes,
    usersApiToken: config.usersApiToken,
    vcardApiToken: config.vcardApiToken,
    vcardApiKey: config.vcardApiKey,
    usersApiOAuth: config.usersApiOAuth,
    vcardApiUserAuth: config.vcardApiUserAuth,
    cache: createCacheStore(config, logger, upstreamHooks),
    retry: hooks.baseBackoffMs === undefined ? {} : { baseBackoffMs: hooks.baseBackoffMs },
    breaker: {
      ...(hooks.breakerThreshold === undefined ? {} : { threshold: hooks.breakerThreshold }),
      ...(hooks.breakerCooldownMs === undefined ? {} : { cooldownMs: hooks.breakerCooldownMs }),
    },
    tenancy: {
      ...config.tenancy,
      ...(hooks.credentialBackoffMs === undefined
        ? {}
        : { credentialBackoffMs: hooks.credentialBackoffMs }),
    },
    hooks: upstreamHooks,
  });
  const { rateLimits, rateLimitInstances, redisUrl } = config.tenancy;
  if (rateLimits.users !== undefined || rateLimits.vcard !== undefined) {
    logger.info(
      { rateLimits, shared: redisUrl !== undefined, instances: rateLimitInstances },
      'upstream rate budgets are on',
    );
  }
  const { cache } = upstreams;
  if (cache !== undefined) metrics?.observeCache({ users: cache.users, vcard: cache.vcard });
  return {
    config,
    logger,
    users: upstreams.users,
    vcards: upstreams.vcards,
    limits: createUsersListLimits(config.usersApiMaxPageSize),
    breakers: upstreams.breakers,
    chains: upstreams.chains,
    metrics,
    cache,
    close: () => upstreams.close(),
  };
}

function createCacheStore(
  config: Config,
  logger: Logger,
  hooks: UpstreamHooks,
): { store: CacheStore; ttlMs: number } | undefined {
  const { ttlMs, redisUrl, maxEntries, maxBytes } = config.cache;
  // The contract: no cross-request caching of upstream data unless an operator turns it on.
  if (ttlMs <= 0) return undefined;
  const store: CacheStore =
    redisUrl === undefined
      ? new MemoryStore({ maxEntries, maxBytes })
      : new RedisStore({ url: redisUrl, hooks });
  logger.info({ store: store.kind, ttlMs }, 'cross-request cache of upstream answers is on');
  return { store, ttlMs };
}
