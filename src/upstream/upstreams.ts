// Composes the chain of each upstream, once per gateway instance. The order is README.md's
// drawing (test/unit/upstream/chain-order.test.ts keeps them equal); a new policy is one more
// link in `chainOf`, at the place the README gives for its kind.
import type { UpstreamName } from '../errors.js';
import type { Chain, Link } from './chain.js';
import { compose } from './chain.js';
import { CircuitBreaker } from './circuit-breaker.js';
import type { RequestScope } from './call.js';
import { CredentialBackoff } from './credential-backoff.js';
import { FairShare } from './fair-share.js';
import { RateBudget, connectBudgetRedis } from './rate-budget.js';
import type { CacheStore } from './cache/store.js';
import type { UpstreamHooks } from './hooks.js';
import { auth } from './steps/auth.js';
import { credentialBackoff } from './steps/backoff.js';
import { budget } from './steps/budget.js';
import { callCap, callCaps } from './steps/call-cap.js';
import { dedupe } from './steps/dedupe.js';
import { fairShare } from './steps/fair-share.js';
import { breaker } from './steps/breaker.js';
import { UpstreamCache } from './steps/cache.js';
import { deadline } from './steps/deadline.js';
import { observe } from './steps/observe.js';
import { retry } from './steps/retry.js';
import type { RetryOptions } from './steps/retry.js';
import { transport } from './steps/transport.js';
import type { Transport } from './steps/transport.js';
import { kazooUserAuth } from './token-sources/kazoo-user-auth.js';
import type { KazooUserAuthSettings } from './token-sources/kazoo-user-auth.js';
import { oauth2Token } from './token-sources/oauth2.js';
import type { OAuth2Settings } from './token-sources/oauth2.js';
import { TokenCache } from './token-sources/token-cache.js';
import type { TokenSource } from './tokens.js';
import { ApiKeyTokens, staticToken } from './tokens.js';
import { UsersClient } from './users-client.js';
import { VcardClient } from './vcard-client.js';

export interface UpstreamsOptions {
  usersApiUrl: string;
  vcardApiUrl: string;
  /** UPSTREAM_MAX_CONCURRENCY: connections (so requests in flight) per upstream. */
  maxConcurrency: number;
  /** UPSTREAM_TIMEOUT_MS: per attempt. */
  timeoutMs: number;
  maxBodyBytes: number;
  /** Service credentials, used when a request brings none. */
  usersApiToken?: string | undefined;
  vcardApiToken?: string | undefined;
  vcardApiKey?: string | undefined;
  /** OAuth2 client credentials for the users API (#17). */
  usersApiOAuth?: OAuth2Settings | undefined;
  /** Kazoo user credentials for the vcard API's PUT /user_auth (#17). */
  vcardApiUserAuth?: KazooUserAuthSettings | undefined;
  /** The cross-request cache; absent: off. */
  cache?: { store: CacheStore; ttlMs: number } | undefined;
  retry?: RetryOptions;
  breaker?: { threshold?: number; cooldownMs?: number };
  tenancy?: TenancyOptions;
  hooks: UpstreamHooks;
}

/** The tenant policies (#18); absent: the defaults below, no rate budget. */
export interface TenancyOptions {
  /** MAX_UPSTREAM_CALLS_PER_REQUEST (500). */
  maxCallsPerRequest: number;
  /** UPSTREAM_MAX_CONCURRENCY_PER_REQUEST (16). */
  maxConcurrencyPerRequest: number;
  /** UPSTREAM_DEDUPE (true). */
  dedupe: boolean;
  /** USERS_API_RATE_LIMIT / VCARD_API_RATE_LIMIT, requests per second; undefined: unlimited. */
  rateLimits: Record<UpstreamName, number | undefined>;
  /** RATE_LIMIT_INSTANCES: the budget's divisor while Redis cannot share it. */
  rateLimitInstances: number;
  /** Where the fleet shares its budget (REDIS_URL); absent: per instance. */
  redisUrl: string | undefined;
  /** First wait of a credential after a 429 without Retry-After (tests shorten it). */
  credentialBackoffMs?: number;
}

const DEFAULT_TENANCY: TenancyOptions = {
  maxCallsPerRequest: 500,
  maxConcurrencyPerRequest: 16,
  dedupe: true,
  rateLimits: { users: undefined, vcard: undefined },
  rateLimitInstances: 1,
  redisUrl: undefined,
};

const RATE_VARIABLE: Record<UpstreamName, string> = {
  users: 'USERS_API_RATE_LIMIT',
  vcard: 'VCARD_API_RATE_LIMIT',
};

export interface Upstreams {
  users: UsersClient;
  vcards: VcardClient;
  breakers: Record<UpstreamName, CircuitBreaker>;
  cache: { store: CacheStore; users: UpstreamCache; vcard: UpstreamCache } | undefined;
  chains: Record<UpstreamName, Chain>;
  /** The rate budgets that are set. */
  budgets: Record<UpstreamName, RateBudget | undefined>;
  close(): Promise<void>;
}

export function createUpstreams(options: UpstreamsOptions): Upstreams {
  const { hooks } = options;
  const transports: Transport[] = [];
  const transportOf = (upstream: UpstreamName, baseUrl: string): Transport => {
    const t = transport(upstream, {
      baseUrl,
      maxConcurrency: options.maxConcurrency,
      maxBodyBytes: options.maxBodyBytes,
    });
    transports.push(t);
    return t;
  };
  const breakerOf = (upstream: UpstreamName): CircuitBreaker =>
    new CircuitBreaker({
      ...options.breaker,
      onStateChange: (state) => hooks.circuitChanged(upstream, state),
    });
  const breakers = { users: breakerOf('users'), vcard: breakerOf('vcard') };
  const cacheOf = (upstream: UpstreamName, baseUrl: string): UpstreamCache | undefined =>
    options.cache && new UpstreamCache(upstream, { ...options.cache, baseUrl });
  const caches = {
    users: cacheOf('users', options.usersApiUrl),
    vcard: cacheOf('vcard', options.vcardApiUrl),
  };

  const tenancy = options.tenancy ?? DEFAULT_TENANCY;
  const caps = callCaps(tenancy.maxCallsPerRequest);
  const rateLimited = Object.values(tenancy.rateLimits).some((r) => r !== undefined);
  const redis =
    rateLimited && tenancy.redisUrl !== undefined
      ? connectBudgetRedis(tenancy.redisUrl)
      : undefined;
  const budgetOf = (upstream: UpstreamName): RateBudget | undefined => {
    const perSecond = tenancy.rateLimits[upstream];
    if (perSecond === undefined) return undefined;
    // The gauge reads 0 from the start when the budget is shared.
    if (redis !== undefined) hooks.tenancy.limiterFallback(upstream, false);
    return new RateBudget({
      upstream,
      perSecond,
      variable: RATE_VARIABLE[upstream],
      redis,
      instances: tenancy.rateLimitInstances,
      events: {
        waited: hooks.tenancy.budgetWaited,
        refused: hooks.tenancy.budgetRefused,
        late: hooks.tenancy.budgetLate,
        fallback: hooks.tenancy.limiterFallback,
      },
    });
  };
  const budgets = { users: budgetOf('users'), vcard: budgetOf('vcard') };
  const backoffOptions =
    tenancy.credentialBackoffMs === undefined ? {} : { baseMs: tenancy.credentialBackoffMs };

  const chainOf = (
    upstream: UpstreamName,
    baseUrl: string,
    header: 'authorization' | 'x-auth-token',
    tokens: TokenSource | undefined,
  ): Chain => {
    const cache = caches[upstream];
    const rate = budgets[upstream];
    const share = new FairShare<RequestScope>({
      capacity: options.maxConcurrency,
      perRequest: tenancy.maxConcurrencyPerRequest,
    });
    const links: (Link | undefined)[] = [
      { name: 'auth', step: auth(upstream, { header, tokens }) },
      { name: 'call-cap', step: callCap(upstream, caps, hooks.tenancy) },
      cache && { name: 'cache', step: cache.step },
      tenancy.dedupe ? { name: 'dedupe', step: dedupe(upstream, hooks.tenancy) } : undefined,
      { name: 'retry', step: retry(options.retry) },
      {
        name: 'backoff',
        step: credentialBackoff(upstream, new CredentialBackoff(backoffOptions), hooks.tenancy),
      },
      { name: 'fair-share', step: fairShare(upstream, share, hooks.tenancy) },
      rate && { name: 'budget', step: budget(upstream, rate) },
      { name: 'observe', step: observe(upstream, hooks) },
      { name: 'deadline', step: deadline(upstream, { timeoutMs: options.timeoutMs }) },
      { name: 'breaker', step: breaker(upstream, breakers[upstream]) },
    ];
    return compose(links, transportOf(upstream, baseUrl).send);
  };

  // The vcard token exchanges' chain: its own pool and no breaker, so an open vcard circuit does
  // not block them.
  const exchangeChain = (): Chain =>
    compose(
      [
        { name: 'observe', step: observe('vcard', hooks) },
        { name: 'deadline', step: deadline('vcard', { timeoutMs: options.timeoutMs }) },
      ],
      transportOf('vcard', options.vcardApiUrl).send,
    );
  const usersTokens: TokenSource | undefined =
    options.usersApiOAuth !== undefined
      ? new TokenCache(oauth2Token(options.usersApiOAuth, hooks), {
          upstream: 'users',
          timeoutMs: options.timeoutMs,
        })
      : options.usersApiToken === undefined
        ? undefined
        : staticToken(`Bearer ${options.usersApiToken}`);
  const vcardTokens: TokenSource | undefined =
    options.vcardApiToken !== undefined
      ? staticToken(options.vcardApiToken)
      : options.vcardApiUserAuth !== undefined
        ? new TokenCache(
            kazooUserAuth(options.vcardApiUserAuth, exchangeChain().send, options.timeoutMs),
            { upstream: 'vcard', timeoutMs: options.timeoutMs },
          )
        : options.vcardApiKey === undefined
          ? undefined
          : new ApiKeyTokens({
              send: exchangeChain().send,
              apiKey: options.vcardApiKey,
              timeoutMs: options.timeoutMs,
            });

  const chains = {
    users: chainOf('users', options.usersApiUrl, 'authorization', usersTokens),
    vcard: chainOf('vcard', options.vcardApiUrl, 'x-auth-token', vcardTokens),
  };
  const store = options.cache?.store;
  return {
    users: new UsersClient(chains.users.send),
    vcards: new VcardClient(chains.vcard.send),
    breakers,
    cache:
      store && caches.users && caches.vcard
        ? { store, users: caches.users, vcard: caches.vcard }
        : undefined,
    chains,
    budgets,
    close: async () => {
      redis?.disconnect();
      await Promise.all([...transports.map((t) => t.close()), store?.close()]);
    },
  };
}
