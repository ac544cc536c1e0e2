// Soak, the gateway's side: the gateway alone in this child process, over a real socket on
// loopback, reporting its own RSS, heap, event-loop delay and CPU to the parent every interval.
//
//   forked by main.ts with: <usersUrl> <vcardUrl> <intervalMs>
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pino from 'pino';
import { sandboxConfig } from '../../../sandbox/index.js';
import { loadConfig } from '../../../src/config.js';
import { createGateway } from '../../../src/server.js';
import { round } from '../stats.js';
import {
  ELD_RESOLUTION_MS,
  UPSTREAM_TIMEOUT_MS,
  type ChildMessage,
  type ParentMessage,
} from './ipc.js';

const mb = (bytes: number): number => round(bytes / 1024 / 1024, 1);

async function serveGateway(usersUrl: string, vcardUrl: string, intervalMs: number): Promise<void> {
  let logLines = 0;
  const config = sandboxConfig(
    loadConfig({ UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS), LOG_LEVEL: 'warn' }),
    { users: { url: usersUrl }, vcard: { url: vcardUrl } },
  );
  // Warnings are produced as in production (serialised), only not printed.
  const logger = pino({ level: 'warn' }, { write: () => void logLines++ });
  const gateway = createGateway(config, { logger });
  const server = createServer(gateway.yoga);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const send = (message: ChildMessage): void => void process.send?.(message);

  const delay = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  const late = (ns: number): number => round(Math.max(0, ns / 1e6 - ELD_RESOLUTION_MS));
  let started = 0;
  let lastCpu = process.cpuUsage();
  let lastAt = 0;
  let timer: NodeJS.Timeout | undefined;
  const sample = (): void => {
    const now = performance.now();
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage(lastCpu);
    const elapsedMs = Math.max(1, now - lastAt);
    send({
      type: 'sample',
      sample: {
        t: round((now - started) / 1000, 1),
        rssMb: mb(memory.rss),
        heapUsedMb: mb(memory.heapUsed),
        heapTotalMb: mb(memory.heapTotal),
        externalMb: mb(memory.external),
        // The histogram is empty before its first tick.
        eldP50Ms: delay.count > 0 ? late(delay.percentile(50)) : 0,
        eldP99Ms: delay.count > 0 ? late(delay.percentile(99)) : 0,
        eldMaxMs: delay.count > 0 ? late(delay.max) : 0,
        cpuPercent: round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 100, 1),
        requests: 0,
      },
    });
    delay.reset();
    lastCpu = process.cpuUsage();
    lastAt = now;
  };

  process.on('message', (message: ParentMessage) => {
    if (message.type === 'start') {
      started = performance.now();
      lastAt = started;
      lastCpu = process.cpuUsage();
      delay.enable();
      sample();
      timer = setInterval(sample, intervalMs);
    } else if (message.type === 'sample-now') {
      sample();
    } else {
      clearInterval(timer);
      delay.disable();
      server.closeAllConnections();
      server.close(() => {
        void gateway.close().then(() => {
          process.stderr.write(`gateway: ${logLines} warn+ log lines\n`);
          process.exit(0);
        });
      });
    }
  });
  send({ type: 'ready', port: (server.address() as AddressInfo).port });
}

const [usersUrl, vcardUrl, interval] = process.argv.slice(2);
if (!usersUrl || !vcardUrl) throw new Error('usage: gateway.ts <usersUrl> <vcardUrl> [intervalMs]');
await serveGateway(usersUrl, vcardUrl, Number(interval ?? 5000));
