// Environment -> typed, validated Config. The only module that reads process.env.
//
// Each variable is declared once, in VARIABLES: its environment name, its Config field, its zod
// schema (type, bounds, default). `Config` is the output type of the one schema built from that
// table plus the fields derived from several variables (sandbox, production, cache, …).
import { z } from 'zod';
import {
  CREDENTIAL_VARIABLES,
  checkCredentials,
  takeServiceCredentials,
} from './config-credentials.js';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().min(0);
const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  // A trailing slash would make `${base}/accounts` a double slash upstream.
  .transform((u) => u.replace(/\/+$/, ''));
// Unset means "the default for NODE_ENV"; anything but these words is refused rather than guessed.
/** Requests per second; unset: unlimited. */
const rate = z.coerce.number().positive().max(1_000_000).optional();
const optionalSwitch = z
  .enum(['true', 'false', '1', '0'])
  .optional()
  .transform((s) => (s === undefined ? undefined : s === 'true' || s === '1'));
const switchDefault = (value: 'true' | 'false') =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(value)
    .transform((s) => s === 'true' || s === '1');

/** One environment variable (the key): the Config field it fills and its schema. */
const variable = <const F extends string, S extends z.ZodType>(field: F, schema: S) => ({
  field,
  schema,
});

const VARIABLES = {
  PORT: variable('port', port.default(4000)),
  HOST: variable('host', z.string().min(1).default('0.0.0.0')),
  USERS_API_URL: variable('usersApiUrl', httpUrl.optional()),
  VCARD_API_URL: variable('vcardApiUrl', httpUrl.optional()),
  /** `true`: the simulators even with NODE_ENV=production (or with upstream URLs set). */
  SANDBOX: variable('sandboxExplicit', switchDefault('false')),
  USERS_API_TOKEN: variable('usersApiToken', z.string().optional()),
  VCARD_API_TOKEN: variable('vcardApiToken', z.string().optional()),
  VCARD_API_KEY: variable('vcardApiKey', z.string().optional()),
  /** OAuth2 (users API) and Kazoo user_auth (vcard API) service credentials (#17). */
  ...CREDENTIAL_VARIABLES,
  USERS_API_MAX_PAGE_SIZE: variable('usersApiMaxPageSize', positiveInt.max(10_000).default(100)),
  MAX_PAGE_SIZE: variable('maxPageSize', positiveInt.max(10_000).default(100)),
  UPSTREAM_MAX_CONCURRENCY: variable('upstreamMaxConcurrency', positiveInt.max(10_000).default(64)),
  /** Tenant policies of the upstream layer (src/upstream/README.md, #18). */
  MAX_UPSTREAM_CALLS_PER_REQUEST: variable(
    'maxUpstreamCallsPerRequest',
    positiveInt.max(1_000_000).default(500),
  ),
  UPSTREAM_MAX_CONCURRENCY_PER_REQUEST: variable(
    'upstreamMaxConcurrencyPerRequest',
    positiveInt.max(10_000).default(16),
  ),
  UPSTREAM_DEDUPE: variable('upstreamDedupe', switchDefault('true')),
  /** Requests per second to each upstream for the whole fleet (through Redis when REDIS_URL). */
  USERS_API_RATE_LIMIT: variable('usersApiRateLimit', rate),
  VCARD_API_RATE_LIMIT: variable('vcardApiRateLimit', rate),
  /** Instances the budget is divided by while it cannot be shared through Redis. */
  RATE_LIMIT_INSTANCES: variable('rateLimitInstances', positiveInt.max(10_000).default(1)),
  /** Per-attempt upstream timeout. */
  UPSTREAM_TIMEOUT_MS: variable('upstreamTimeoutMs', positiveInt.default(10_000)),
  /** Overall budget of one GraphQL request across all its upstream calls and retries. */
  REQUEST_DEADLINE_MS: variable('requestDeadlineMs', positiveInt.default(25_000)),
  /** How long a SIGTERM drain waits for requests in flight before it cuts their connections. */
  SHUTDOWN_TIMEOUT_MS: variable('shutdownTimeoutMs', positiveInt.default(10_000)),
  UPSTREAM_MAX_BODY_BYTES: variable('upstreamMaxBodyBytes', positiveInt.default(5 * 1024 * 1024)),
  /** How long a client may take to send its headers / its whole request (slow-body bound). */
  HTTP_HEADERS_TIMEOUT_MS: variable('httpHeadersTimeoutMs', positiveInt.default(15_000)),
  HTTP_REQUEST_TIMEOUT_MS: variable('httpRequestTimeoutMs', positiveInt.default(30_000)),
  CURSOR_SECRET: variable('cursorSecret', z.string().optional()),
  CORS_ORIGINS: variable(
    'corsOrigins',
    z
      .string()
      .optional()
      .transform((s) =>
        s
          ?.split(',')
          .map((o) => o.trim())
          .filter((o) => o !== ''),
      ),
  ),
  PERSISTED_DOCUMENTS: variable('persistedDocuments', z.string().optional()),
  /** Limits on one operation (src/plugins/limits.ts). */
  MAX_QUERY_DEPTH: variable('maxQueryDepth', positiveInt.max(1000).default(8)),
  MAX_ALIASES: variable('maxAliases', nonNegativeInt.max(10_000).default(15)),
  MAX_TOKENS: variable('maxTokens', positiveInt.max(1_000_000).default(1000)),
  MAX_DIRECTIVES: variable('maxDirectives', nonNegativeInt.max(10_000).default(50)),
  /**
   * Cost of one HTTP request, a batch's operations summed (src/cost/): one upstream call weighs
   * 25, so 25,000 bounds a request to about 1,000 calls.
   */
  MAX_QUERY_COST: variable('maxQueryCost', positiveInt.default(25_000)),
  /** Operations per batched request; 0 turns batching off. */
  MAX_BATCH_SIZE: variable('maxBatchSize', nonNegativeInt.max(1000).default(10)),
  MAX_REQUEST_BYTES: variable('maxRequestBytes', positiveInt.default(100 * 1024)),
  GRAPHIQL: variable('graphiqlSwitch', optionalSwitch),
  INTROSPECTION: variable('introspectionSwitch', optionalSwitch),
  /** `true`: `_service { sdl }` answers even with introspection off. */
  FEDERATION_SDL: variable('federationSdl', switchDefault('false')),
  CACHE_TTL_MS: variable('cacheTtlMs', nonNegativeInt.max(2_147_483_647).default(0)),
  REDIS_URL: variable(
    'redisUrl',
    z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  ),
  CACHE_MAX_ENTRIES: variable('cacheMaxEntries', positiveInt.default(10_000)),
  CACHE_MAX_BYTES: variable('cacheMaxBytes', positiveInt.default(64 * 1024 * 1024)),
  LOG_LEVEL: variable(
    'logLevel',
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  NODE_ENV: variable('nodeEnv', z.string().default('development')),
  /** OTLP/HTTP base URL (`/v1/traces` is appended); tracing is off when unset. */
  OTEL_EXPORTER_OTLP_ENDPOINT: variable('otelEndpoint', httpUrl.optional()),
  OTEL_SERVICE_NAME: variable(
    'otelServiceName',
    z.string().trim().min(1).default('telecom-directory-gateway'),
  ),
  /** Whether GET /metrics answers (the metrics are kept either way). */
  METRICS_ENABLED: variable('metricsEnabled', switchDefault('true')),
};

type Variables = typeof VARIABLES;
type Shape = { [K in keyof Variables as Variables[K]['field']]: Variables[K]['schema'] };

const ENTRIES = Object.entries(VARIABLES);
const ENV_NAME = new Map<string, string>(ENTRIES.map(([env, v]) => [v.field, env]));

const shape = Object.fromEntries(ENTRIES.map(([, v]) => [v.field, v.schema])) as Shape;

/**
 * Environment names -> field names. An empty (or blank) value counts as unset, for every
 * variable: docker-compose's `${VAR}` and `.env` templates pass unset variables as ''.
 */
function fromEnvironment(env: unknown): Record<string, string | undefined> {
  const source = typeof env === 'object' && env !== null ? (env as Record<string, unknown>) : {};
  const out: Record<string, string | undefined> = {};
  for (const [env, { field }] of ENTRIES) {
    const value = source[env];
    // Every field present (undefined when unset), so Config has all its keys.
    out[field] = typeof value === 'string' && value.trim() !== '' ? value : undefined;
  }
  return out;
}

const configSchema = z
  .preprocess(fromEnvironment, z.object(shape))
  .superRefine((v, ctx) => {
    checkCredentials(v, ctx);
    if ((v.usersApiUrl === undefined) !== (v.vcardApiUrl === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['usersApiUrl'],
        message:
          'set both USERS_API_URL and VCARD_API_URL, or neither (then the built-in simulators are used)',
      });
    }
    if (
      v.nodeEnv === 'production' &&
      v.usersApiUrl === undefined &&
      v.vcardApiUrl === undefined &&
      !v.sandboxExplicit
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['usersApiUrl'],
        message:
          'NODE_ENV=production needs USERS_API_URL and VCARD_API_URL (or SANDBOX=true to serve the built-in simulators on purpose)',
      });
    }
    // Node refuses a server whose headers may take longer than the whole request.
    if (v.httpHeadersTimeoutMs > v.httpRequestTimeoutMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['httpHeadersTimeoutMs'],
        message: 'must not exceed HTTP_REQUEST_TIMEOUT_MS',
      });
    }
    const rateLimited = v.usersApiRateLimit !== undefined || v.vcardApiRateLimit !== undefined;
    if (v.redisUrl !== undefined && v.cacheTtlMs === 0 && !rateLimited) {
      ctx.addIssue({
        code: 'custom',
        path: ['redisUrl'],
        message:
          'the cache is off and no rate limit is set: set CACHE_TTL_MS > 0 or USERS_API_RATE_LIMIT / VCARD_API_RATE_LIMIT to use Redis, or unset REDIS_URL',
      });
    }
  })
  .transform(({ graphiqlSwitch, introspectionSwitch, cacheTtlMs, redisUrl, ...v }) => {
    const { cacheMaxEntries, cacheMaxBytes, ...other } = v;
    // The flat credential variables leave as the two settings objects the token sources take.
    const { credentials, rest: withoutCredentials } = takeServiceCredentials(other);
    const {
      maxUpstreamCallsPerRequest,
      upstreamMaxConcurrencyPerRequest,
      upstreamDedupe,
      usersApiRateLimit,
      vcardApiRateLimit,
      rateLimitInstances,
      ...rest
    } = withoutCredentials;
    const production = v.nodeEnv === 'production';
    return {
      ...rest,
      ...credentials,
      /** The built-in simulators serve both upstreams: no upstream URL, or SANDBOX=true. */
      sandbox: v.sandboxExplicit || v.usersApiUrl === undefined,
      production,
      graphiql: graphiqlSwitch ?? !production,
      introspection: introspectionSwitch ?? !production,
      /**
       * The cross-request cache of upstream answers, keyed by credential: off when ttlMs is 0
       * (the default); in memory, or in Redis when redisUrl is set.
       */
      cache: {
        ttlMs: cacheTtlMs,
        redisUrl: cacheTtlMs > 0 ? redisUrl : undefined,
        maxEntries: cacheMaxEntries,
        maxBytes: cacheMaxBytes,
      },
      /** Tenant policies of the upstream layer (src/upstream/README.md). */
      tenancy: {
        /** Upstream calls one GraphQL HTTP request may cause (a batch is one request). */
        maxCallsPerRequest: maxUpstreamCallsPerRequest,
        /** Calls one request may have in flight per upstream. */
        maxConcurrencyPerRequest: upstreamMaxConcurrencyPerRequest,
        /** Concurrent identical GETs with the same credential share one call. */
        dedupe: upstreamDedupe,
        /** Requests per second per upstream for the whole fleet; undefined: unlimited. */
        rateLimits: { users: usersApiRateLimit, vcard: vcardApiRateLimit },
        /** Instances the budget is divided by when it cannot be shared through Redis. */
        rateLimitInstances,
        /** Where the budget is shared (the same REDIS_URL as the cache). */
        redisUrl,
      },
    };
  });

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {}

/** Parses the environment; throws ConfigError with one line per bad variable, naming it. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    const field = String(issue.path[0] ?? '');
    const name = ENV_NAME.get(field) ?? 'environment';
    // Never echo the value: it may be a secret.
    return `invalid ${name}: ${issue.message}`;
  });
  throw new ConfigError(lines.join('\n'));
}
