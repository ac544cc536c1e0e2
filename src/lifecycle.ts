// The process around the gateway (src/main.ts): the settings of its HTTP server, what it says about
// itself when it starts (one line an operator can check a deploy against, and the warnings a
// production deploy must not ignore), and how long a shutdown may take. Pure: main.ts acts on it.
import type { Config } from './config.js';

/**
 * After SIGTERM the drain takes at most SHUTDOWN_TIMEOUT_MS; closing the upstream pools, the
 * tracer and the sandbox then get this much more before the process exits anyway. A supervisor's
 * kill deadline (Kubernetes terminationGracePeriodSeconds) must exceed the sum.
 */
export const SHUTDOWN_GRACE_MS = 2_000;

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

export function describeStartup(config: Config): StartupReport {
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
    httpHeadersTimeoutMs: config.httpHeadersTimeoutMs,
    httpRequestTimeoutMs: config.httpRequestTimeoutMs,
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
