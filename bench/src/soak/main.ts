// Soak: a bounded mixed load on loopback against the gateway, which runs alone in a child process
// (gateway.ts) so its memory figures are its own. The child samples its RSS, heap and event-loop
// delay every interval; the verdict is whether memory stays flat after a warm-up.
//
//   npm run soak [-- --minutes 5] [--concurrency 8] [--interval 5]
//
// Writes bench/results/soak.json (every sample and counter), soak.md (tables and verdict) and
// soak.svg (RSS, heap and event-loop delay over time). The simulators and the load generator share
// this (parent) process; the gateway child only serves.
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { mulberry32, startSandbox } from '../../../sandbox/index.js';
import { numberFlag, parseFlags } from '../options.js';
import { ROOT, gitCommit, json, writeResults } from '../results.js';
import { UPSTREAM_LATENCY_MS, analyse, type OperationStats, type SoakOptions } from './analyse.js';
import type { ChildMessage, ParentMessage, Sample } from './ipc.js';
import {
  classify,
  operations,
  startFaults,
  type GraphQLAnswer,
  type Outcome,
  type Pool,
  type WorkerState,
} from './operations.js';
import { chart, markdown } from './report.js';

const GATEWAY = fileURLToPath(new URL('./gateway.ts', import.meta.url));
/** A request still unanswered after this is a hang: counted as unexpected, and the load goes on. */
const CLIENT_TIMEOUT_MS = 15_000;

function parseOptions(argv: string[]): SoakOptions {
  const flags = parseFlags(argv, {
    minutes: { type: 'string' },
    concurrency: { type: 'string' },
    interval: { type: 'string' },
  });
  return {
    minutes: numberFlag('minutes', flags.minutes, 5, { min: 0.1, max: 60 }),
    concurrency: numberFlag('concurrency', flags.concurrency, 8, {
      min: 1,
      max: 64,
      integer: true,
    }),
    intervalSeconds: numberFlag('interval', flags.interval, 5, { min: 1, max: 60 }),
  };
}

async function runSoak(options: SoakOptions): Promise<void> {
  const durationMs = options.minutes * 60_000;
  const intervalMs = options.intervalSeconds * 1000;
  const commit = gitCommit();
  const sandbox = await startSandbox({ latencyMs: UPSTREAM_LATENCY_MS });
  const pool: Pool = { accounts: sandbox.accountIds, users: [] };
  for (const [accountId, records] of sandbox.dataset.accounts) {
    for (const r of records) pool.users.push({ accountId, userId: String(r.id) });
  }
  const ops = operations(pool);
  const totalWeight = ops.reduce((s, o) => s + o.weight, 0);

  const child: ChildProcess = fork(
    GATEWAY,
    [sandbox.users.url, sandbox.vcard.url, String(intervalMs)],
    { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const samples: Sample[] = [];
  let completed = 0;
  let completedAtLastSample = 0;
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`gateway exited early (${code})`)));
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'ready') resolve(message.port);
      else {
        samples.push({ ...message.sample, requests: completed - completedAtLastSample });
        completedAtLastSample = completed;
        const s = message.sample;
        process.stdout.write(
          `t=${String(s.t).padStart(5)}s rss=${s.rssMb} MB heap=${s.heapUsedMb} MB ` +
            `eld p99=${s.eldP99Ms} ms max=${s.eldMaxMs} ms cpu=${s.cpuPercent}% requests=${completed}\n`,
        );
      }
    });
  });
  const endpoint = `http://127.0.0.1:${port}/graphql`;
  const loadBefore = os.loadavg();

  const stats = new Map<string, OperationStats>(
    ops.map((o) => [
      o.name,
      {
        count: 0,
        outcomes: { ok: 0, 'expected-error': 0, 'upstream-fault': 0, unexpected: 0 },
        latencies: [],
      },
    ]),
  );
  const unexpectedExamples: string[] = [];
  const deadline = Date.now() + durationMs;

  const worker = async (index: number): Promise<void> => {
    const state: WorkerState = { random: mulberry32(1000 + index), cursor: null, globalIds: [] };
    while (Date.now() < deadline) {
      let roll = state.random() * totalWeight;
      const operation = ops.find((o) => (roll -= o.weight) < 0) ?? ops[0];
      if (operation === undefined) throw new Error('no operations');
      const request = operation.build(state);
      const started = performance.now();
      let outcome: Outcome;
      let answer: GraphQLAnswer = {};
      try {
        const response = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(request),
          signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
        });
        answer = (await response.json()) as GraphQLAnswer;
        outcome = classify(operation, response.status, answer);
      } catch (error) {
        outcome = 'unexpected';
        answer = { errors: [{ extensions: { code: String(error) } }] };
        process.stdout.write(
          `unanswered after ${Math.round(performance.now() - started)} ms: ${operation.name} ` +
            `${JSON.stringify(request).slice(0, 400)} (${String(error)})\n`,
        );
      }
      const entry = stats.get(operation.name);
      if (entry) {
        entry.count++;
        entry.outcomes[outcome]++;
        entry.latencies.push(performance.now() - started);
      }
      completed++;
      if (outcome === 'ok') operation.after?.(state, answer);
      if (outcome === 'unexpected' && unexpectedExamples.length < 10) {
        unexpectedExamples.push(`${operation.name}: ${JSON.stringify(answer).slice(0, 300)}`);
      }
    }
  };

  process.stdout.write(
    `soak: ${options.minutes} min, concurrency ${options.concurrency}, gateway pid ${child.pid} on ${endpoint}\n`,
  );
  child.send({ type: 'start' } satisfies ParentMessage);
  const stopFaults = startFaults(sandbox, 2_000);
  await Promise.all(Array.from({ length: options.concurrency }, (_, i) => worker(i)));
  stopFaults();
  // A last sample right at the end of the load.
  const finalSample = new Promise<void>((resolve) => {
    const count = samples.length;
    const check = setInterval(() => {
      if (samples.length > count) {
        clearInterval(check);
        resolve();
      }
    }, 20);
  });
  child.send({ type: 'sample-now' } satisfies ParentMessage);
  await finalSample;
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.send({ type: 'stop' } satisfies ParentMessage);
  const exitCode = await exited;
  await sandbox.close();
  const loadAfter = os.loadavg();

  const report = analyse(samples, stats, options, {
    commit,
    loadBefore,
    loadAfter,
    exitCode,
    unexpectedExamples,
    requests: completed,
  });
  writeResults({
    'soak.json': json(report),
    'soak.md': markdown(report),
    'soak.svg': chart(report),
  });
  process.stdout.write(`\n${report.verdict.summary}\n`);
  if (!report.verdict.pass) process.exitCode = 1;
}

await runSoak(parseOptions(process.argv.slice(2)));
