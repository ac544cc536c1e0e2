// Reads config, starts the HTTP server (and the sandbox simulators when no upstream is configured),
// drains on SIGTERM/SIGINT.
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { ConfigError, loadConfig } from './config.js';
import type { Config } from './config.js';
import type { Sandbox } from '../sandbox/index.js';
import { GatewayMetrics } from './observability/metrics.js';
import { startTracing } from './observability/tracing.js';
import { createGateway } from './server.js';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = pino({ level: config.logLevel });

  let sandbox: Sandbox | undefined;
  if (config.sandbox) {
    // Loaded only here: a deployment pointed at real upstreams never loads the simulators.
    const { sandboxConfig, startSandbox } = await import('../sandbox/index.js');
    sandbox = await startSandbox();
    config = sandboxConfig(config, sandbox);
    logger.info(
      { usersApi: sandbox.users.url, vcardApi: sandbox.vcard.url, accounts: sandbox.accountIds },
      'sandbox mode: USERS_API_URL and VCARD_API_URL are not set, serving built-in simulators with seeded data',
    );
  }

  // Without OTEL_EXPORTER_OTLP_ENDPOINT no tracer exists and no span is ever made.
  const tracing =
    config.otelEndpoint === undefined
      ? undefined
      : await startTracing({ endpoint: config.otelEndpoint, serviceName: config.otelServiceName });
  if (tracing)
    logger.info({ serviceName: config.otelServiceName }, 'exporting traces over OTLP/HTTP');
  const gateway = createGateway(config, {
    logger,
    // Process metrics (CPU, memory, event loop, GC) only here: they are per process.
    metrics: new GatewayMetrics({ processMetrics: true }),
    ...(tracing === undefined ? {} : { tracer: tracing.tracer }),
    ...(sandbox?.accountIds[0] === undefined ? {} : { exampleAccountId: sandbox.accountIds[0] }),
  });
  const server = createServer(gateway.yoga);
  server.keepAliveTimeout = 65_000;
  // Keep-alive clients would hold the drain open until its bound: answers not yet sent when the
  // drain starts, and answers to requests that arrive during it, close their connection.
  let stopping = false;
  const unanswered = new Set<ServerResponse>();
  server.prependListener('request', (_request, response) => {
    if (stopping) {
      response.setHeader('connection', 'close');
      return;
    }
    unanswered.add(response);
    response.once('close', () => unanswered.delete(response));
  });
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const shownHost = config.host === '0.0.0.0' ? 'localhost' : config.host;
  // The bound port, not config.port: PORT=0 lets the OS pick one.
  const { port } = server.address() as AddressInfo;
  logger.info(`GraphQL and GraphiQL at http://${shownHost}:${port}/graphql`);

  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining: refusing new connections, finishing requests in flight');
    gateway.setReady(false);
    for (const response of unanswered) {
      if (!response.headersSent) response.setHeader('connection', 'close');
    }
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // Streams whose headers went out before the drain end with their connection still open.
    const sweep = setInterval(() => server.closeIdleConnections(), 200);
    const timer = setTimeout(() => {
      logger.warn(
        { boundMs: config.shutdownTimeoutMs },
        'drain bound reached: closing connections',
      );
      server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    await closed;
    clearInterval(sweep);
    clearTimeout(timer);
    await gateway.close();
    await tracing?.shutdown();
    await sandbox?.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`fatal: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
