// GraphQL Mesh / Hive Gateway, the tool most users would pick instead: composes the supergraph
// from the simulators' OpenAPI documents (mesh.config.ts, through the function `mesh-compose`
// runs) and serves it with Hive Gateway's runtime on node:http, with its defaults.
//
// Env: PORT, USERS_API_URL, VCARD_API_URL (and USERS_API_TOKEN, VCARD_API_TOKEN).
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { getComposedSchemaFromConfig } from '@graphql-mesh/compose-cli';
import { composeConfig } from './mesh.config.js';

type Log = (...args: unknown[]) => void;
interface ComposeLogger {
  log: Log;
  info: Log;
  debug: Log;
  warn: Log;
  error: Log;
  child: () => ComposeLogger;
}
const quiet = (): void => undefined;
const toStderr: Log = (...args) => process.stderr.write(`${args.map(String).join(' ')}\n`);
const logger: ComposeLogger = {
  log: quiet,
  info: quiet,
  debug: quiet,
  warn: toStderr,
  error: toStderr,
  child: () => logger,
};

const supergraph = await getComposedSchemaFromConfig(composeConfig, logger);
// Kept for inspection; the simulators' ports change on every run.
writeFileSync(join(tmpdir(), 'bench-mesh-supergraph.graphql'), supergraph);

const gateway = createGatewayRuntime({ supergraph, logging: 'warn' });
const server = createServer(gateway);
server.listen(Number(process.env.PORT ?? 4200), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
