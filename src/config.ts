// Environment -> typed, validated Config. The only module that reads process.env.
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  // A trailing slash would make `${base}/accounts` a double slash upstream.
  .transform((u) => u.replace(/\/+$/, ''));
const optionalString = z
  .string()
  .optional()
  .transform((s) => (s === undefined || s.trim() === '' ? undefined : s));
// Unset means "the default for NODE_ENV"; anything but these words is refused rather than guessed.
const optionalSwitch = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((s) => (s === undefined || s === '' ? undefined : s === 'true' || s === '1'));

const envSchema = z
  .object({
    PORT: port.default(4000),
    HOST: z.string().min(1).default('0.0.0.0'),
    USERS_API_URL: httpUrl.optional(),
    VCARD_API_URL: httpUrl.optional(),
    USERS_API_TOKEN: optionalString,
    VCARD_API_TOKEN: optionalString,
    VCARD_API_KEY: optionalString,
    USERS_API_MAX_PAGE_SIZE: positiveInt.max(10_000).default(100),
    MAX_PAGE_SIZE: positiveInt.max(10_000).default(100),
    UPSTREAM_MAX_CONCURRENCY: positiveInt.max(10_000).default(64),
    UPSTREAM_TIMEOUT_MS: positiveInt.default(10_000),
    REQUEST_DEADLINE_MS: positiveInt.default(25_000),
    SHUTDOWN_TIMEOUT_MS: positiveInt.default(10_000),
    UPSTREAM_MAX_BODY_BYTES: positiveInt.default(5 * 1024 * 1024),
    CURSOR_SECRET: optionalString,
    CORS_ORIGINS: optionalString,
    PERSISTED_DOCUMENTS: optionalString,
    MAX_QUERY_DEPTH: positiveInt.max(1000).default(8),
    MAX_ALIASES: z.coerce.number().int().min(0).max(10_000).default(15),
    MAX_TOKENS: positiveInt.max(1_000_000).default(1000),
    MAX_DIRECTIVES: z.coerce.number().int().min(0).max(10_000).default(50),
    // The cost model is in src/security.ts: a page of 100 users with every field costs ~22,500.
    MAX_QUERY_COST: positiveInt.default(25_000),
    MAX_BATCH_SIZE: z.coerce.number().int().min(0).max(1000).default(10),
    MAX_REQUEST_BYTES: positiveInt.default(100 * 1024),
    GRAPHIQL: optionalSwitch,
    INTROSPECTION: optionalSwitch,
    CACHE_TTL_MS: z.coerce.number().int().min(0).max(2_147_483_647).default(0),
    REDIS_URL: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
      z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
    ),
    CACHE_MAX_ENTRIES: positiveInt.default(10_000),
    CACHE_MAX_BYTES: positiveInt.default(64 * 1024 * 1024),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    NODE_ENV: z.string().default('development'),
    OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
      httpUrl.optional(),
    ),
    OTEL_SERVICE_NAME: z.string().trim().min(1).default('telecom-directory-gateway'),
    METRICS_ENABLED: z
      .enum(['true', 'false', '1', '0'])
      .default('true')
      .transform((s) => s === 'true' || s === '1'),
  })
  .refine((env) => (env.USERS_API_URL === undefined) === (env.VCARD_API_URL === undefined), {
    message:
      'set both USERS_API_URL and VCARD_API_URL, or neither (then the built-in simulators are used)',
    path: ['USERS_API_URL'],
  })
  .refine((env) => env.REDIS_URL === undefined || env.CACHE_TTL_MS > 0, {
    message: 'the cache is off: set CACHE_TTL_MS > 0 to use Redis, or unset REDIS_URL',
    path: ['REDIS_URL'],
  });

export interface Config {
  port: number;
  host: string;
  /** True when no upstream URL is configured: the built-in simulators serve both upstreams. */
  sandbox: boolean;
  usersApiUrl: string | undefined;
  vcardApiUrl: string | undefined;
  usersApiToken: string | undefined;
  vcardApiToken: string | undefined;
  vcardApiKey: string | undefined;
  usersApiMaxPageSize: number;
  maxPageSize: number;
  upstreamMaxConcurrency: number;
  upstreamTimeoutMs: number;
  /** Overall budget of one GraphQL request across all its upstream calls and retries. */
  requestDeadlineMs: number;
  /** How long a SIGTERM drain waits for requests in flight before it cuts their connections. */
  shutdownTimeoutMs: number;
  upstreamMaxBodyBytes: number;
  cursorSecret: string | undefined;
  corsOrigins: string[] | undefined;
  persistedDocuments: string | undefined;
  /** Limits on one operation (src/security.ts). */
  maxQueryDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  maxQueryCost: number;
  /** Operations per batched request; 0 turns batching off. */
  maxBatchSize: number;
  maxRequestBytes: number;
  graphiql: boolean;
  introspection: boolean;
  /**
   * The cross-request cache of upstream answers, keyed by credential: off when ttlMs is 0 (the
   * default); in memory, or in Redis when redisUrl is set.
   */
  cache: { ttlMs: number; redisUrl: string | undefined; maxEntries: number; maxBytes: number };
  logLevel: string;
  production: boolean;
  /** OTLP/HTTP base URL (`/v1/traces` is appended); tracing is off when unset. */
  otelEndpoint: string | undefined;
  otelServiceName: string;
  /** Whether GET /metrics answers (the metrics are kept either way). */
  metricsEnabled: boolean;
}

export class ConfigError extends Error {}

/** Parses the environment; throws ConfigError with one line per bad variable, naming it. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'environment');
      // Never echo the value: it may be a secret.
      return `invalid ${name}: ${issue.message}`;
    });
    throw new ConfigError(lines.join('\n'));
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    sandbox: e.USERS_API_URL === undefined,
    usersApiUrl: e.USERS_API_URL,
    vcardApiUrl: e.VCARD_API_URL,
    usersApiToken: e.USERS_API_TOKEN,
    vcardApiToken: e.VCARD_API_TOKEN,
    vcardApiKey: e.VCARD_API_KEY,
    usersApiMaxPageSize: e.USERS_API_MAX_PAGE_SIZE,
    maxPageSize: e.MAX_PAGE_SIZE,
    upstreamMaxConcurrency: e.UPSTREAM_MAX_CONCURRENCY,
    upstreamTimeoutMs: e.UPSTREAM_TIMEOUT_MS,
    requestDeadlineMs: e.REQUEST_DEADLINE_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    upstreamMaxBodyBytes: e.UPSTREAM_MAX_BODY_BYTES,
    cursorSecret: e.CURSOR_SECRET,
    corsOrigins: e.CORS_ORIGINS?.split(',')
      .map((o) => o.trim())
      .filter((o) => o !== ''),
    persistedDocuments: e.PERSISTED_DOCUMENTS,
    maxQueryDepth: e.MAX_QUERY_DEPTH,
    maxAliases: e.MAX_ALIASES,
    maxTokens: e.MAX_TOKENS,
    maxDirectives: e.MAX_DIRECTIVES,
    maxQueryCost: e.MAX_QUERY_COST,
    maxBatchSize: e.MAX_BATCH_SIZE,
    maxRequestBytes: e.MAX_REQUEST_BYTES,
    graphiql: e.GRAPHIQL ?? e.NODE_ENV !== 'production',
    introspection: e.INTROSPECTION ?? e.NODE_ENV !== 'production',
    cache: {
      ttlMs: e.CACHE_TTL_MS,
      redisUrl: e.REDIS_URL,
      maxEntries: e.CACHE_MAX_ENTRIES,
      maxBytes: e.CACHE_MAX_BYTES,
    },
    logLevel: e.LOG_LEVEL,
    production: e.NODE_ENV === 'production',
    otelEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    otelServiceName: e.OTEL_SERVICE_NAME,
    metricsEnabled: e.METRICS_ENABLED,
  };
}
