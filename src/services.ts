// The long-lived parts of a gateway instance: upstream clients over their connection pools, limits
// learned at run time, and observers. Holds no user data.
import type { Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { CacheStore } from './cache/cache.js';
import { MemoryStore } from './cache/memory.js';
import { RedisStore } from './cache/redis.js';
import { UpstreamCache } from './cache/upstream-cache.js';
import type { Config } from './config.js';
import type { GatewayMetrics } from './observability/metrics.js';
import { noteUpstreamAttempt } from './observability/scope.js';
import { createUsersListLimits, type UsersListLimits } from './pagination/limits.js';
import { CircuitBreaker } from './upstream/circuit-breaker.js';
import type { AttemptEvent } from './upstream/http.js';
import { UpstreamHttp } from './upstream/http.js';
import { UsersClient } from './upstream/users-client.js';
import { VcardClient, VcardTokenProvider } from './upstream/vcard-client.js';

export interface Services {
  config: Config;
  logger: Logger;
  users: UsersClient;
  vcards: VcardClient;
  /** What is learned about the users API's lists at run time (page maximum, list totals). */
  limits: UsersListLimits;
  breakers: { users: CircuitBreaker; vcard: CircuitBreaker };
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
  const breaker = (upstream: string): CircuitBreaker => {
    // The gauge reads 0 (closed) from the start, not only after a first change.
    metrics?.circuitState(upstream, 'closed');
    return new CircuitBreaker({
      ...(hooks.breakerThreshold === undefined ? {} : { threshold: hooks.breakerThreshold }),
      ...(hooks.breakerCooldownMs === undefined ? {} : { cooldownMs: hooks.breakerCooldownMs }),
      onStateChange: (state) => {
        metrics?.circuitState(upstream, state);
        logger.warn({ upstream, state }, 'circuit breaker state changed');
      },
    });
  };
  const breakers = { users: breaker('users'), vcard: breaker('vcard') };
  const onAttempt = (event: AttemptEvent): void => {
    metrics?.upstreamAttempt(event);
    noteUpstreamAttempt();
    // 4xx (an unknown user, a bad token) is the caller's business; the upstream's failures are ours.
    if (event.status === 'client-abort') {
      logger.debug(event, 'upstream call abandoned: the client went away');
    } else if (typeof event.status !== 'number' || event.status >= 500 || event.status === 429) {
      logger.warn(event, 'upstream attempt failed');
    } else if (event.status >= 400) {
      logger.debug(event, 'upstream answered a client error');
    }
  };
  const httpOptions = {
    maxConcurrency: config.upstreamMaxConcurrency,
    timeoutMs: config.upstreamTimeoutMs,
    maxBodyBytes: config.upstreamMaxBodyBytes,
    onAttempt,
    ...(observability.tracer === undefined ? {} : { tracer: observability.tracer }),
    ...(hooks.baseBackoffMs === undefined ? {} : { baseBackoffMs: hooks.baseBackoffMs }),
  };
  const usersHttp = new UpstreamHttp('users', usersApiUrl, {
    ...httpOptions,
    breaker: breakers.users,
  });
  const vcardHttp = new UpstreamHttp('vcard', vcardApiUrl, {
    ...httpOptions,
    breaker: breakers.vcard,
  });
  // The token exchange must not be blocked by an open vcard circuit, so it uses its own pool.
  const tokensHttp =
    config.vcardApiKey === undefined
      ? undefined
      : new UpstreamHttp('vcard', vcardApiUrl, httpOptions);
  const tokens =
    tokensHttp && config.vcardApiKey !== undefined
      ? new VcardTokenProvider(tokensHttp, config.vcardApiKey)
      : undefined;
  const cache = createCache(config, logger, usersApiUrl, vcardApiUrl);
  if (cache !== undefined) metrics?.observeCache({ users: cache.users, vcard: cache.vcard });
  return {
    config,
    logger,
    users: new UsersClient(usersHttp, cache?.users),
    vcards: new VcardClient(vcardHttp, tokens, cache?.vcard),
    limits: createUsersListLimits(config.usersApiMaxPageSize),
    breakers,
    metrics,
    cache,
    close: async () => {
      await Promise.all([
        usersHttp.close(),
        vcardHttp.close(),
        tokensHttp?.close(),
        cache?.store.close(),
      ]);
    },
  };
}

function createCache(
  config: Config,
  logger: Logger,
  usersApiUrl: string,
  vcardApiUrl: string,
): Services['cache'] {
  const { ttlMs, redisUrl, maxEntries, maxBytes } = config.cache;
  // The contract: no cross-request caching of upstream data unless an operator turns it on.
  if (ttlMs <= 0) return undefined;
  const store: CacheStore =
    redisUrl === undefined
      ? new MemoryStore({ maxEntries, maxBytes })
      : new RedisStore({ url: redisUrl, logger });
  logger.info({ store: store.kind, ttlMs }, 'cross-request cache of upstream answers is on');
  return {
    store,
    users: new UpstreamCache({ store, ttlMs, baseUrl: usersApiUrl }),
    vcard: new UpstreamCache({ store, ttlMs, baseUrl: vcardApiUrl }),
  };
}
