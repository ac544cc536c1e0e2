// The process around the gateway (src/main.ts): the settings of its HTTP server, what it says about
// itself when it starts (one line an operator can check a deploy against, and the warnings a
// production deploy must not ignore), and how long a shutdown may take. Pure: main.ts acts on it.
import { z } from 'zod';
import { ConfigError } from './config.js';
import type { Config } from './config.js';

/**
 * After SIGTERM the drain takes at most SHUTDOWN_TIMEOUT_MS; closing the upstream pools, the
 * tracer and the sandbox then get this much more before the process exits anyway. A supervisor's
 * kill deadline (Kubernetes terminationGracePeriodSeconds) must exceed the sum.
 */
export const SHUTDOWN_GRACE_MS = 2_000;

/**
 * The variables of the process layer that src/config.ts does not parse yet (SANDBOX,
 * HTTP_HEADERS_TIMEOUT_MS, HTTP_REQUEST_TIMEOUT_MS). Same rules as config.ts: an empty value is
 * unset, a bad one is refused naming the variable. Once Config carries `sandboxExplicit`,
 * `httpHeadersTimeoutMs` and `httpRequestTimeoutMs`, main.ts reads them from there and this goes.
 */
export interface ProcessSettings {
  sandboxExplicit: boolean;
  httpHeadersTimeoutMs: number;
  httpRequestTimeoutMs: number;
}

const blankIsUnset = (v: unknown): unknown =>
  typeof v === 'string' && v.trim() === '' ? undefined : v;

const processEnvSchema = z
  .object({
    SANDBOX: z.preprocess(
      blankIsUnset,
      z
        .enum(['true', 'false', '1', '0'])
        .optional()
        .transform((s) => s === 'true' || s === '1'),
    ),
    HTTP_HEADERS_TIMEOUT_MS: z.preprocess(
      blankIsUnset,
      z.coerce.number().int().positive().default(15_000),
    ),
    HTTP_REQUEST_TIMEOUT_MS: z.preprocess(
      blankIsUnset,
      z.coerce.number().int().positive().default(30_000),
    ),
  })
  // Node refuses a server whose headers may take longer than the whole request.
  .refine((e) => e.HTTP_HEADERS_TIMEOUT_MS <= e.HTTP_REQUEST_TIMEOUT_MS, {
    message: 'must not exceed HTTP_REQUEST_TIMEOUT_MS',
    path: ['HTTP_HEADERS_TIMEOUT_MS'],
  });

/** Throws a ConfigError with one line per bad variable, naming it (never echoing its value). */
export function readProcessSettings(
  env: Record<string, string | undefined>,
  config: Config,
): ProcessSettings {
  const parsed = processEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues
        .map((issue) => `invalid ${String(issue.path[0] ?? 'environment')}: ${issue.message}`)
        .join('\n'),
    );
  }
  const e = parsed.data;
  if (config.production && config.sandbox && !e.SANDBOX) {
    throw new ConfigError(
      'NODE_ENV=production needs USERS_API_URL and VCARD_API_URL; set SANDBOX=true to serve ' +
        'the built-in simulators (fake data) instead',
    );
  }
  return {
    sandboxExplicit: e.SANDBOX,
    httpHeadersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
    httpRequestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
  };
}

export interface StartupReport {
  /** Fields of the "starting" log line. */
  summary: Record<string, unknown>;
  /** Each one is logged at warn level. */
  warnings: string[];
}

/** scheme://host[:port] of a URL: never its user, password, path or query. */
export function originOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const u = new URL(url);
    // `origin` is "null" for schemes such as redis:, so it is assembled by hand.
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(unparsable URL)';
  }
}

export function describeStartup(config: Config, settings: ProcessSettings): StartupReport {
  const summary: Record<string, unknown> = {
    environment: config.production ? 'production' : 'development',
    sandbox: config.sandbox,
    usersApi: originOf(config.usersApiUrl),
    vcardApi: originOf(config.vcardApiUrl),
    graphiql: config.graphiql,
    introspection: config.introspection,
    cache:
      config.cache.ttlMs === 0
        ? 'off'
        : { ttlMs: config.cache.ttlMs, store: config.cache.redisUrl ? 'redis' : 'memory' },
    redis: originOf(config.cache.redisUrl) ?? 'off',
    tracing: originOf(config.otelEndpoint) ?? 'off',
    metrics: config.metricsEnabled,
    cors: config.corsOrigins ?? (config.sandbox ? 'any origin' : 'off'),
    persistedDocuments: config.persistedDocuments !== undefined,
    signedCursors: config.cursorSecret !== undefined,
    httpHeadersTimeoutMs: settings.httpHeadersTimeoutMs,
    httpRequestTimeoutMs: settings.httpRequestTimeoutMs,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
  };
  const warnings: string[] = [];
  if (config.sandbox && config.production) {
    warnings.push(
      'SANDBOX=true with NODE_ENV=production: this gateway serves FAKE DATA from the built-in ' +
        'simulators, not the real users and vCard APIs',
    );
  }
  if (!config.sandbox && config.cursorSecret === undefined) {
    warnings.push(
      'CURSOR_SECRET is not set: cursors are not signed, so a client can forge page offsets; ' +
        'set it (the same value on every replica) in production',
    );
  }
  return { summary, warnings };
}
