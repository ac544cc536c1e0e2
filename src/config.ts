// Environment -> typed, validated Config. The only module that reads process.env.
//
// Each variable is declared once, in VARIABLES: its Config field, its environment name, its zod
// schema (type, bounds, default). `Config` is the output type of the one schema built from that
// table plus the fields derived from several variables (sandbox, production, cache, …).
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().min(0);
const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  // A trailing slash would make `${base}/accounts` a double slash upstream.
  .transform((u) => u.replace(/\/+$/, ''));
// Unset means "the default for NODE_ENV"; anything but these words is refused rather than guessed.
const optionalSwitch = z
  .enum(['true', 'false', '1', '0'])
  .optional()
  .transform((s) => (s === undefined ? undefined : s === 'true' || s === '1'));
const switchDefault = (value: 'true' | 'false') =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(value)
    .transform((s) => s === 'true' || s === '1');

/** One environment variable: the name it is read from and its schema. */
const variable = <S extends z.ZodType>(env: string, schema: S) => ({ env, schema });

const VARIABLES = {
  port: variable('PORT', port.default(4000)),
  host: variable('HOST', z.string().min(1).default('0.0.0.0')),
  usersApiUrl: variable('USERS_API_URL', httpUrl.optional()),
  vcardApiUrl: variable('VCARD_API_URL', httpUrl.optional()),
  /** `true`: the simulators even with NODE_ENV=production (or with upstream URLs set). */
  sandboxExplicit: variable('SANDBOX', switchDefault('false')),
  usersApiToken: variable('USERS_API_TOKEN', z.string().optional()),
  vcardApiToken: variable('VCARD_API_TOKEN', z.string().optional()),
  vcardApiKey: variable('VCARD_API_KEY', z.string().optional()),
  usersApiMaxPageSize: variable('USERS_API_MAX_PAGE_SIZE', positiveInt.max(10_000).default(100)),
  maxPageSize: variable('MAX_PAGE_SIZE', positiveInt.max(10_000).default(100)),
  upstreamMaxConcurrency: variable('UPSTREAM_MAX_CONCURRENCY', positiveInt.max(10_000).default(64)),
  /** Per-attempt upstream timeout. */
  upstreamTimeoutMs: variable('UPSTREAM_TIMEOUT_MS', positiveInt.default(10_000)),
  /** Overall budget of one GraphQL request across all its upstream calls and retries. */
  requestDeadlineMs: variable('REQUEST_DEADLINE_MS', positiveInt.default(25_000)),
  /** How long a SIGTERM drain waits for requests in flight before it cuts their connections. */
  shutdownTimeoutMs: variable('SHUTDOWN_TIMEOUT_MS', positiveInt.default(10_000)),
  upstreamMaxBodyBytes: variable('UPSTREAM_MAX_BODY_BYTES', positiveInt.default(5 * 1024 * 1024)),
  /** How long a client may take to send its headers / its whole request (slow-body bound). */
  httpHeadersTimeoutMs: variable('HTTP_HEADERS_TIMEOUT_MS', positiveInt.default(15_000)),
  httpRequestTimeoutMs: variable('HTTP_REQUEST_TIMEOUT_MS', positiveInt.default(30_000)),
  cursorSecret: variable('CURSOR_SECRET', z.string().optional()),
  corsOrigins: variable(
    'CORS_ORIGINS',
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
  persistedDocuments: variable('PERSISTED_DOCUMENTS', z.string().optional()),
  /** Limits on one operation (src/plugins/limits.ts). */
  maxQueryDepth: variable('MAX_QUERY_DEPTH', positiveInt.max(1000).default(8)),
  maxAliases: variable('MAX_ALIASES', nonNegativeInt.max(10_000).default(15)),
  maxTokens: variable('MAX_TOKENS', positiveInt.max(1_000_000).default(1000)),
  maxDirectives: variable('MAX_DIRECTIVES', nonNegativeInt.max(10_000).default(50)),
  /**
   * Longest GraphQL document (characters): whitespace and comments are not tokens, so MAX_TOKENS
   * alone lets a 100 KiB document of spaces through, and every distinct one would be cached.
   */
  maxDocumentLength: variable('MAX_DOCUMENT_LENGTH', positiveInt.max(1_000_000).default(16_384)),
  /**
   * Cost of one HTTP request, a batch's operations summed (src/cost/): one upstream call weighs
   * 25, so 25,000 bounds a request to about 1,000 calls.
   */
  maxQueryCost: variable('MAX_QUERY_COST', positiveInt.default(25_000)),
  /** Operations per batched request; 0 turns batching off. */
  maxBatchSize: variable('MAX_BATCH_SIZE', nonNegativeInt.max(1000).default(10)),
  maxRequestBytes: variable('MAX_REQUEST_BYTES', positiveInt.default(100 * 1024)),
  graphiqlSwitch: variable('GRAPHIQL', optionalSwitch),
  introspectionSwitch: variable('INTROSPECTION', optionalSwitch),
  /** `true`: `_service { sdl }` answers even with introspection off. */
  federationSdl: variable('FEDERATION_SDL', switchDefault('false')),
  cacheTtlMs: variable('CACHE_TTL_MS', nonNegativeInt.max(2_147_483_647).default(0)),
  redisUrl: variable(
    'REDIS_URL',
    z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  ),
  cacheMaxEntries: variable('CACHE_MAX_ENTRIES', positiveInt.default(10_000)),
  cacheMaxBytes: variable('CACHE_MAX_BYTES', positiveInt.default(64 * 1024 * 1024)),
  logLevel: variable(
    'LOG_LEVEL',
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  nodeEnv: variable('NODE_ENV', z.string().default('development')),
  /** OTLP/HTTP base URL (`/v1/traces` is appended); tracing is off when unset. */
  otelEndpoint: variable('OTEL_EXPORTER_OTLP_ENDPOINT', httpUrl.optional()),
  otelServiceName: variable(
    'OTEL_SERVICE_NAME',
    z.string().trim().min(1).default('telecom-directory-gateway'),
  ),
  /** Whether GET /metrics answers (the metrics are kept either way). */
  metricsEnabled: variable('METRICS_ENABLED', switchDefault('true')),
};

type Variables = typeof VARIABLES;
type Shape = { [K in keyof Variables]: Variables[K]['schema'] };
type Field = keyof Variables;

const FIELDS = Object.keys(VARIABLES) as Field[];
const ENV_NAME = new Map<string, string>(FIELDS.map((f) => [f, VARIABLES[f].env]));

const shape = Object.fromEntries(FIELDS.map((f) => [f, VARIABLES[f].schema])) as Shape;

/**
 * Environment names -> field names. An empty (or blank) value counts as unset, for every
 * variable: docker-compose's `${VAR}` and `.env` templates pass unset variables as ''.
 */
function fromEnvironment(env: unknown): Record<string, string | undefined> {
  const source = typeof env === 'object' && env !== null ? (env as Record<string, unknown>) : {};
  const out: Record<string, string | undefined> = {};
  for (const field of FIELDS) {
    const value = source[VARIABLES[field].env];
    // Every field present (undefined when unset), so Config has all its keys.
    out[field] = typeof value === 'string' && value.trim() !== '' ? value : undefined;
  }
  return out;
}

const configSchema = z
  .preprocess(fromEnvironment, z.object(shape))
  .superRefine((v, ctx) => {
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
    if (v.redisUrl !== undefined && v.cacheTtlMs === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['redisUrl'],
        message: 'the cache is off: set CACHE_TTL_MS > 0 to use Redis, or unset REDIS_URL',
      });
    }
  })
  .transform(({ graphiqlSwitch, introspectionSwitch, cacheTtlMs, redisUrl, ...v }) => {
    const { cacheMaxEntries, cacheMaxBytes, ...rest } = v;
    const production = v.nodeEnv === 'production';
    return {
      ...rest,
      /** The built-in simulators serve both upstreams: no upstream URL, or SANDBOX=true. */
      sandbox: v.sandboxExplicit || v.usersApiUrl === undefined,
      production,
      graphiql: graphiqlSwitch ?? !production,
      introspection: introspectionSwitch ?? !production,
      /**
       * The cross-request cache of upstream answers, keyed by credential: off when ttlMs is 0
       * (the default); in memory, or in Redis when redisUrl is set.
       */
      cache: { ttlMs: cacheTtlMs, redisUrl, maxEntries: cacheMaxEntries, maxBytes: cacheMaxBytes },
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
