// A gateway process for the parse-cache memory test: real HTTP, its own heap. The upstreams are
// never called (`{ __typename }` only); their URLs point at a closed loopback port.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { loadConfig } from '../../../src/config.js';
import { createGateway } from '../../../src/server.js';

const config = loadConfig({
  ...process.env,
  USERS_API_URL: 'http://127.0.0.1:9',
  VCARD_API_URL: 'http://127.0.0.1:9',
});
const gateway = createGateway(config, {
  logger: pino({ level: 'silent' }),
});
const server = createServer(gateway.yoga);
// The test asks for the RSS after a full collection: garbage of past requests is not retention.
process.on('message', (message) => {
  if (message !== 'memory') return;
  const { gc } = globalThis as { gc?: () => void };
  gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  process.send?.({ rss, heapUsed });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
