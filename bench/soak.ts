// Soak: a bounded mixed load on loopback against the gateway, which runs alone in a child process
// so its memory figures are its own. The child samples its RSS, heap and event-loop delay every
// interval; the verdict is whether memory stays flat after a warm-up.
//
//   npx tsx bench/soak.ts [--minutes 5] [--concurrency 8] [--interval 5] [--out bench/results]
//
// Writes soak.json (every sample and counter), soak.md (tables and verdict) and soak.svg (RSS,
// heap and event-loop delay over time). The simulators and the load generator share this
// (parent) process; the gateway child only serves.
import { execFileSync, fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { startSandbox } from '../sandbox/index.js';
import type { Sandbox } from '../sandbox/index.js';
import { createGateway } from '../src/server.js';

const SCRIPT = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Upstream latency of the simulators: each call costs a little, as over a real network. */
const UPSTREAM_LATENCY_MS = 5;
/** Short, so the injected hangs end quickly as UPSTREAM_TIMEOUT. */
const UPSTREAM_TIMEOUT_MS = 1_000;
/** A request still unanswered after this is a hang: counted as unexpected, and the load goes on. */
const CLIENT_TIMEOUT_MS = 15_000;
/**
 * The event-loop delay histogram samples every this many ms and, on Node 20, records the whole
 * interval (an idle loop reads ~10 ms): the delay reported is what exceeds it.
 */
const ELD_RESOLUTION_MS = 10;
/** Memory may grow this much from the first minute after warm-up to the last minute. */
const GROWTH_THRESHOLD = 0.1;

// ---------------------------------------------------------------------------------------------
// Messages between the load generator (parent) and the gateway (child).

interface Sample {
  /** Seconds since the load started. */
  t: number;
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  /** Event-loop delay over the interval beyond the histogram's own resolution, ms. */
  eldP50Ms: number;
  eldP99Ms: number;
  eldMaxMs: number;
  /** CPU time of the gateway process over the interval, in % of one core. */
  cpuPercent: number;
  /** Requests the load generator completed during the interval (filled in by the parent). */
  requests: number;
}

type ChildMessage = { type: 'ready'; port: number } | { type: 'sample'; sample: Sample };
type ParentMessage = { type: 'start' } | { type: 'sample-now' } | { type: 'stop' };

const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;
const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;

// ---------------------------------------------------------------------------------------------
// Child: the gateway alone, over a real socket, reporting on itself.

async function serveGateway(usersUrl: string, vcardUrl: string, intervalMs: number): Promise<void> {
  let logLines = 0;
  const config = loadConfig({
    USERS_API_URL: usersUrl,
    VCARD_API_URL: vcardUrl,
    USERS_API_TOKEN: 'soak',
    VCARD_API_TOKEN: 'soak',
    UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
    LOG_LEVEL: 'warn',
  });
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

// ---------------------------------------------------------------------------------------------
// Parent: simulators, load generator, analysis and reports.

interface Options {
  minutes: number;
  concurrency: number;
  intervalSeconds: number;
  out: string;
}

function parseOptions(argv: string[]): Options {
  const options: Options = {
    minutes: 5,
    concurrency: 8,
    intervalSeconds: 5,
    out: fileURLToPath(new URL('results/', import.meta.url)),
  };
  for (let i = 0; i < argv.length; i += 2) {
    const [name, value] = [argv[i], argv[i + 1]];
    const number = Number(value);
    if (name === '--out' && value) options.out = value;
    else if (name === '--minutes' && number > 0 && number <= 60) options.minutes = number;
    else if (name === '--concurrency' && Number.isInteger(number) && number > 0 && number <= 64) {
      options.concurrency = number;
    } else if (name === '--interval' && number >= 1 && number <= 60) {
      options.intervalSeconds = number;
    } else {
      throw new Error(`unknown or out-of-range option ${name} ${value ?? ''}`);
    }
  }
  return options;
}

interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: { extensions?: { code?: unknown } }[];
}

type Outcome = 'ok' | 'expected-error' | 'upstream-fault' | 'unexpected';

interface Operation {
  name: string;
  weight: number;
  /** The request, given this worker's state; `expectErrors` means bad input on purpose. */
  build(state: WorkerState): { query: string; variables?: Record<string, unknown> };
  expectErrors?: string[];
  /** Reads state out of a good answer (cursor, global ids). */
  after?(state: WorkerState, answer: GraphQLAnswer): void;
}

interface WorkerState {
  random: () => number;
  cursor: string | null;
  globalIds: string[];
}

interface Pool {
  accounts: string[];
  users: { accountId: string; userId: string }[];
}

function pick<T>(items: readonly T[], random: () => number): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('empty choice');
  return item;
}

function operations(pool: Pool): Operation[] {
  const someUser = (s: WorkerState) => pick(pool.users, s.random);
  return [
    {
      name: 'users list with vCards',
      weight: 25,
      build: (s) => ({
        query: `query($a: ID!, $n: Int) { users(accountId: $a, first: $n) { totalCount
          nodes { id userId firstName lastName extensions { number dids { phoneNumber } }
          vcard { formattedName phones { number types } } } } }`,
        variables: { a: pick(['1001', '1003'], s.random), n: 5 + Math.floor(s.random() * 16) },
      }),
      after: (s, answer) => {
        const nodes = (answer.data?.['users'] as { nodes?: { id: string }[] } | undefined)?.nodes;
        for (const node of nodes ?? []) s.globalIds.push(node.id);
        if (s.globalIds.length > 200) s.globalIds.splice(0, s.globalIds.length - 200);
      },
    },
    {
      name: 'cursor pages (1003, forward)',
      weight: 15,
      build: (s) => ({
        query: `query($after: String) { users(accountId: "1003", first: 25, after: $after) {
          pageInfo { hasNextPage endCursor } edges { cursor node { userId firstName } } } }`,
        variables: { after: s.cursor },
      }),
      after: (s, answer) => {
        const info = (
          answer.data?.['users'] as { pageInfo: { hasNextPage: boolean; endCursor: string | null } }
        ).pageInfo;
        s.cursor = info.hasNextPage ? info.endCursor : null;
      },
    },
    {
      name: 'last page (1003, backward)',
      weight: 5,
      build: () => ({
        query: `{ users(accountId: "1003", last: 7) { totalCount pageInfo { hasPreviousPage startCursor }
          nodes { userId lastName } } }`,
      }),
    },
    {
      name: 'single user with vCard text',
      weight: 15,
      build: (s) => {
        const u = someUser(s);
        return {
          query: `query($a: ID!, $u: ID!) { user(accountId: $a, userId: $u) { id email loginName
            contactNumbers { type value } vcard { formattedName text } } }`,
          variables: { a: u.accountId, u: u.userId },
        };
      },
    },
    {
      name: 'vcard (V3 text)',
      weight: 5,
      build: (s) => {
        const u = someUser(s);
        return {
          query: `query($a: ID!, $u: ID!) { vcard(accountId: $a, userId: $u) { formattedName emails text(version: V3) } }`,
          variables: { a: u.accountId, u: u.userId },
        };
      },
    },
    {
      name: 'node / nodes by global id',
      weight: 10,
      build: (s) => {
        const ids = s.globalIds.length > 0 ? s.globalIds : ['VXNlci8xMDAxLzg2OTA0OA'];
        return {
          query: `query($id: ID!, $ids: [ID!]!) { node(id: $id) { id ... on User { userId lastName } }
            nodes(ids: $ids) { ... on User { firstName } } }`,
          variables: { id: pick(ids, s.random), ids: [pick(ids, s.random), pick(ids, s.random)] },
        };
      },
    },
    {
      name: '_entities',
      weight: 10,
      build: (s) => {
        const [a, b] = [someUser(s), someUser(s)];
        return {
          query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { userId firstName vcard { formattedName } } } }`,
          variables: {
            r: [
              { __typename: 'User', accountId: a.accountId, userId: a.userId },
              { __typename: 'User', accountId: b.accountId, userId: b.userId },
            ],
          },
        };
      },
    },
    {
      name: 'bad input (negative first, bad cursor, unknown account, bad id, syntax)',
      weight: 15,
      expectErrors: ['BAD_USER_INPUT', 'NOT_FOUND', 'GRAPHQL_PARSE_FAILED'],
      build: (s) =>
        pick(
          [
            { query: `{ users(accountId: "1001", first: -1) { totalCount } }` },
            { query: `{ users(accountId: "1001", after: "bm90LWEtY3Vyc29y") { totalCount } }` },
            { query: `{ users(accountId: "9999", first: 3) { totalCount } }` },
            { query: `{ node(id: "not-a-global-id") { id } }` },
            { query: `{ users(accountId: "1001", first: 3) { totalCount ` },
          ],
          s.random,
        ),
    },
  ];
}

function classify(operation: Operation, status: number, answer: GraphQLAnswer): Outcome {
  const codes = (answer.errors ?? []).map((e) => String(e.extensions?.code ?? 'NO_CODE'));
  // Injected upstream faults surface as the contract's codes; anything else is a bug.
  const upstreamFault = (c: string) => c === 'UPSTREAM_ERROR' || c === 'UPSTREAM_TIMEOUT';
  if (operation.expectErrors) {
    if (codes.length > 0 && codes.every((c) => operation.expectErrors?.includes(c))) {
      return 'expected-error';
    }
    // An unknown account still calls the users API, which may be failing at that moment.
    return codes.length > 0 && codes.every(upstreamFault) ? 'upstream-fault' : 'unexpected';
  }
  if (status !== 200) return 'unexpected';
  if (codes.length === 0) return answer.data ? 'ok' : 'unexpected';
  return codes.every(upstreamFault) ? 'upstream-fault' : 'unexpected';
}

/** A few upstream faults every few seconds, so error paths are soaked too. */
function startFaults(sandbox: Sandbox, everyMs: number): () => void {
  const kinds = [
    () => sandbox.vcard.injectFault({ kind: 'status', status: 503 }, { times: 3 }),
    () => sandbox.users.injectFault({ kind: 'malformed' }),
    () => sandbox.vcard.injectFault({ kind: 'reset' }, { times: 3 }),
    () => sandbox.users.injectFault({ kind: 'status', status: 500 }),
    () => sandbox.vcard.injectFault({ kind: 'hang' }),
    () => sandbox.vcard.injectFault({ kind: 'huge-body', bytes: 6 * 1024 * 1024 }),
  ];
  let next = 0;
  const timer = setInterval(() => kinds[next++ % kinds.length]?.(), everyMs);
  return () => clearInterval(timer);
}

function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface OperationStats {
  count: number;
  outcomes: Record<Outcome, number>;
  latencies: number[];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function slopePerMinute(points: { t: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mt = points.reduce((s, p) => s + p.t, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p.y - my);
    den += (p.t - mt) ** 2;
  }
  return (num / den) * 60;
}

const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

async function runSoak(options: Options): Promise<void> {
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
    SCRIPT,
    ['--gateway', sandbox.users.url, sandbox.vcard.url, String(intervalMs)],
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
    const state: WorkerState = { random: mulberry(1000 + index), cursor: null, globalIds: [] };
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
  mkdirSync(options.out, { recursive: true });
  writeFileSync(`${options.out}/soak.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${options.out}/soak.md`, markdown(report));
  writeFileSync(`${options.out}/soak.svg`, chart(report));
  process.stdout.write(`\n${report.verdict.summary}\nwritten to ${options.out}\n`);
  if (!report.verdict.pass) process.exitCode = 1;
}

interface Report {
  generatedAt: string;
  commit: string;
  machine: {
    cpu: string;
    cores: number;
    memoryGb: number;
    node: string;
    platform: string;
    loadAverageBefore: number[];
    loadAverageAfter: number[];
    note: string;
  };
  setup: {
    minutes: number;
    concurrency: number;
    intervalSeconds: number;
    upstreamLatencyMs: number;
    upstreamTimeoutMs: number;
    faults: string;
  };
  totals: {
    requests: number;
    requestsPerSecond: number;
    outcomes: Record<Outcome, number>;
    gatewayExitCode: number | null;
    unexpectedExamples: string[];
  };
  operations: {
    name: string;
    weight: number;
    count: number;
    p50Ms: number;
    p99Ms: number;
    outcomes: Record<Outcome, number>;
  }[];
  samples: Sample[];
  verdict: {
    warmupSeconds: number;
    rssFirstMinuteMb: number;
    rssAfterWarmupMb: number;
    rssLastMinuteMb: number;
    rssRatioLastToFirstMinute: number;
    rssGrowthAfterWarmup: number;
    rssSlopeMbPerMinute: number;
    heapAfterWarmupMb: number;
    heapLastMinuteMb: number;
    heapGrowthAfterWarmup: number;
    heapSlopeMbPerMinute: number;
    eldP99MedianMs: number;
    eldMaxMs: number;
    threshold: number;
    pass: boolean;
    summary: string;
  };
}

function analyse(
  samples: Sample[],
  stats: Map<string, OperationStats>,
  options: Options,
  extra: {
    commit: string;
    loadBefore: number[];
    loadAfter: number[];
    exitCode: number | null;
    unexpectedExamples: string[];
    requests: number;
  },
): Report {
  const end = samples.at(-1)?.t ?? 0;
  const warmup = Math.min(60, end * 0.2);
  const window = Math.min(60, (end - warmup) / 2);
  const between = (from: number, to: number) => samples.filter((s) => s.t >= from && s.t <= to);
  const first = between(0, window);
  const afterWarmup = between(warmup, warmup + window);
  const last = between(end - window, end);
  const steady = between(warmup, end);
  const rss = (xs: Sample[]) => mean(xs.map((s) => s.rssMb));
  const heap = (xs: Sample[]) => mean(xs.map((s) => s.heapUsedMb));
  const rssGrowth = rss(last) / rss(afterWarmup) - 1;
  const heapGrowth = heap(last) / heap(afterWarmup) - 1;
  const totals: Record<Outcome, number> = {
    ok: 0,
    'expected-error': 0,
    'upstream-fault': 0,
    unexpected: 0,
  };
  const weights = new Map(operations({ accounts: [], users: [] }).map((o) => [o.name, o.weight]));
  const operationRows = [...stats].map(([name, s]) => {
    const sorted = [...s.latencies].sort((a, b) => a - b);
    for (const k of Object.keys(totals) as Outcome[]) totals[k] += s.outcomes[k];
    return {
      name,
      weight: weights.get(name) ?? 0,
      count: s.count,
      p50Ms: round(percentile(sorted, 50), 1),
      p99Ms: round(percentile(sorted, 99), 1),
      outcomes: s.outcomes,
    };
  });
  const eldP99s = steady.map((s) => s.eldP99Ms).sort((a, b) => a - b);
  const pass =
    rssGrowth < GROWTH_THRESHOLD &&
    heapGrowth < GROWTH_THRESHOLD &&
    totals.unexpected === 0 &&
    extra.exitCode === 0;
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const summary =
    `${pass ? 'PASS' : 'FAIL'}: RSS ${round(rss(afterWarmup), 1)} MB after warm-up -> ` +
    `${round(rss(last), 1)} MB in the last minute (${pct(rssGrowth)}, threshold < ${pct(GROWTH_THRESHOLD)}), ` +
    `heap used ${pct(heapGrowth)}, RSS slope ${round(slopePerMinute(steady.map((s) => ({ t: s.t, y: s.rssMb }))), 2)} MB/min; ` +
    `${extra.requests} requests, ${totals.unexpected} unexpected answers`;
  return {
    generatedAt: new Date().toISOString(),
    commit: extra.commit,
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      memoryGb: round(os.totalmem() / 1024 ** 3, 1),
      node: process.version,
      platform: `${os.type()} ${os.release()}`,
      loadAverageBefore: extra.loadBefore.map((x) => round(x)),
      loadAverageAfter: extra.loadAfter.map((x) => round(x)),
      note:
        'Shared machine: other work (test suites, builds) ran at the same time, so throughput, ' +
        'latency and event-loop delay are noisy. Memory is the gateway process alone.',
    },
    setup: {
      minutes: options.minutes,
      concurrency: options.concurrency,
      intervalSeconds: options.intervalSeconds,
      upstreamLatencyMs: UPSTREAM_LATENCY_MS,
      upstreamTimeoutMs: UPSTREAM_TIMEOUT_MS,
      faults:
        'every 2 s one of: vcard 503 x3, users malformed, vcard reset x3, users 500, vcard hang, vcard 6 MiB body',
    },
    totals: {
      requests: extra.requests,
      requestsPerSecond: round(extra.requests / Math.max(1, end), 1),
      outcomes: totals,
      gatewayExitCode: extra.exitCode,
      unexpectedExamples: extra.unexpectedExamples,
    },
    operations: operationRows,
    samples,
    verdict: {
      warmupSeconds: round(warmup, 1),
      rssFirstMinuteMb: round(rss(first), 1),
      rssAfterWarmupMb: round(rss(afterWarmup), 1),
      rssLastMinuteMb: round(rss(last), 1),
      rssRatioLastToFirstMinute: round(rss(last) / rss(first), 3),
      rssGrowthAfterWarmup: round(rssGrowth, 4),
      rssSlopeMbPerMinute: round(slopePerMinute(steady.map((s) => ({ t: s.t, y: s.rssMb }))), 3),
      heapAfterWarmupMb: round(heap(afterWarmup), 1),
      heapLastMinuteMb: round(heap(last), 1),
      heapGrowthAfterWarmup: round(heapGrowth, 4),
      heapSlopeMbPerMinute: round(
        slopePerMinute(steady.map((s) => ({ t: s.t, y: s.heapUsedMb }))),
        3,
      ),
      eldP99MedianMs: percentile(eldP99s, 50),
      eldMaxMs: Math.max(...steady.map((s) => s.eldMaxMs)),
      threshold: GROWTH_THRESHOLD,
      pass,
      summary,
    },
  };
}

function gitCommit(): string {
  try {
    const run = (args: string[]) => execFileSync('git', args, { cwd: ROOT }).toString().trim();
    const dirty = run(['status', '--porcelain', '--untracked-files=no']) === '' ? '' : ' (dirty)';
    return run(['rev-parse', '--short', 'HEAD']) + dirty;
  } catch {
    return 'unknown';
  }
}

function markdown(r: Report): string {
  const v = r.verdict;
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const every = Math.max(1, Math.round(30 / r.setup.intervalSeconds));
  const rows = r.samples.filter((_, i) => i % every === 0 || i === r.samples.length - 1);
  return [
    `# Soak: ${r.setup.minutes} minutes of mixed load (\`npx tsx bench/soak.ts\`)`,
    '',
    `**${v.pass ? 'PASS' : 'FAIL'}**: ${v.summary.replace(/^(PASS|FAIL): /, '')}.`,
    '',
    `Gateway (commit ${r.commit}) alone in a child process over HTTP on 127.0.0.1; the simulators ` +
      `(${r.setup.upstreamLatencyMs} ms latency per call) and ${r.setup.concurrency} closed-loop ` +
      `clients in the parent. Upstream faults ${r.setup.faults}; UPSTREAM_TIMEOUT_MS ` +
      `${r.setup.upstreamTimeoutMs}. Samples every ${r.setup.intervalSeconds} s: RSS, V8 heap, ` +
      `event-loop delay (perf_hooks histogram at ${ELD_RESOLUTION_MS} ms resolution, reset each sample, ` +
      `shown as the delay beyond the ${ELD_RESOLUTION_MS} ms) and CPU of the gateway process.`,
    '',
    `Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGb} GiB, Node ` +
      `${r.machine.node}; load average ${r.machine.loadAverageBefore.join(' / ')} before, ` +
      `${r.machine.loadAverageAfter.join(' / ')} after. ${r.machine.note}`,
    '',
    '## Verdict',
    '',
    '| measure | value |',
    '|---|---|',
    `| warm-up (excluded) | ${v.warmupSeconds} s |`,
    `| RSS, first minute | ${v.rssFirstMinuteMb} MB |`,
    `| RSS, first minute after warm-up | ${v.rssAfterWarmupMb} MB |`,
    `| RSS, last minute | ${v.rssLastMinuteMb} MB |`,
    `| RSS last / first minute | ${v.rssRatioLastToFirstMinute} |`,
    `| RSS growth after warm-up (threshold < ${pct(v.threshold)}) | ${pct(v.rssGrowthAfterWarmup)} |`,
    `| RSS slope after warm-up | ${v.rssSlopeMbPerMinute} MB/min |`,
    `| heap used after warm-up → last minute | ${v.heapAfterWarmupMb} → ${v.heapLastMinuteMb} MB (${pct(v.heapGrowthAfterWarmup)}) |`,
    `| heap used slope after warm-up | ${v.heapSlopeMbPerMinute} MB/min |`,
    `| event-loop delay p99 (median of samples) / max | ${v.eldP99MedianMs} ms / ${v.eldMaxMs} ms |`,
    `| requests (per second) | ${r.totals.requests} (${r.totals.requestsPerSecond}) |`,
    `| answers: ok / expected errors / upstream faults / unexpected | ${r.totals.outcomes.ok} / ${r.totals.outcomes['expected-error']} / ${r.totals.outcomes['upstream-fault']} / ${r.totals.outcomes.unexpected} |`,
    '',
    '![RSS, heap and event-loop delay over time](soak.svg)',
    '',
    '## Load mix',
    '',
    '| operation | weight | requests | p50 | p99 | ok | expected errors | upstream faults | unexpected |',
    '|---|---|---|---|---|---|---|---|---|',
    ...r.operations.map(
      (o) =>
        `| ${o.name} | ${o.weight} | ${o.count} | ${o.p50Ms} ms | ${o.p99Ms} ms | ${o.outcomes.ok} | ` +
        `${o.outcomes['expected-error']} | ${o.outcomes['upstream-fault']} | ${o.outcomes.unexpected} |`,
    ),
    '',
    '## Over time',
    '',
    '| t | RSS | heap used | heap total | external | ELD p50 | ELD p99 | ELD max | CPU | requests in interval |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (s) =>
        `| ${s.t} s | ${s.rssMb} MB | ${s.heapUsedMb} MB | ${s.heapTotalMb} MB | ${s.externalMb} MB | ` +
        `${s.eldP50Ms} ms | ${s.eldP99Ms} ms | ${s.eldMaxMs} ms | ${s.cpuPercent} % | ${s.requests} |`,
    ),
    '',
    `Every ${every * r.setup.intervalSeconds} s shown; all ${r.samples.length} samples are in soak.json.`,
    '',
  ].join('\n');
}

/** Two stacked line charts (memory; event-loop delay) as a dependency-free SVG. */
function chart(r: Report): string {
  const width = 900;
  const panel = 240;
  const margin = { left: 60, right: 150, top: 30, bottom: 40 };
  const plotW = width - margin.left - margin.right;
  const height = 2 * (panel + margin.top + margin.bottom);
  const end = Math.max(1, r.samples.at(-1)?.t ?? 1);
  const x = (t: number) => margin.left + (t / end) * plotW;
  const parts: string[] = [];
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

  const drawPanel = (
    top: number,
    title: string,
    unit: string,
    series: { label: string; color: string; dash?: string; values: number[] }[],
  ) => {
    const all = series.flatMap((s) => s.values);
    const max = niceCeil(Math.max(...all, 1));
    const y = (v: number) => top + panel - (v / max) * panel;
    parts.push(
      `<text x="${margin.left}" y="${top - 10}" font-size="14" font-weight="bold">${esc(title)}</text>`,
    );
    // Warm-up, excluded from the verdict.
    parts.push(
      `<rect x="${x(0)}" y="${top}" width="${x(r.verdict.warmupSeconds) - x(0)}" height="${panel}" fill="#f1f1f1"/>`,
    );
    for (let i = 0; i <= 4; i++) {
      const v = (max / 4) * i;
      parts.push(
        `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`,
        `<text x="${margin.left - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end">${round(v, 1)} ${unit}</text>`,
      );
    }
    for (let m = 0; m <= end / 60; m++) {
      parts.push(
        `<text x="${x(m * 60)}" y="${top + panel + 16}" font-size="11" text-anchor="middle">${m} min</text>`,
      );
    }
    parts.push(
      `<rect x="${margin.left}" y="${top}" width="${plotW}" height="${panel}" fill="none" stroke="#999"/>`,
    );
    series.forEach((s, i) => {
      const points = r.samples.map(
        (p, j) => `${round(x(p.t), 1)},${round(y(s.values[j] ?? 0), 1)}`,
      );
      parts.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''} points="${points.join(' ')}"/>`,
        `<line x1="${margin.left + plotW + 12}" x2="${margin.left + plotW + 32}" y1="${top + 12 + i * 18}" y2="${top + 12 + i * 18}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`,
        `<text x="${margin.left + plotW + 38}" y="${top + 16 + i * 18}" font-size="12">${esc(s.label)}</text>`,
      );
    });
  };

  drawPanel(margin.top, 'Gateway memory (grey: warm-up)', 'MB', [
    { label: 'RSS', color: '#1f77b4', values: r.samples.map((s) => s.rssMb) },
    {
      label: 'heap total',
      color: '#2ca02c',
      dash: '6 3',
      values: r.samples.map((s) => s.heapTotalMb),
    },
    { label: 'heap used', color: '#ff7f0e', values: r.samples.map((s) => s.heapUsedMb) },
  ]);
  drawPanel(margin.top * 2 + panel + margin.bottom, 'Event-loop delay per sample', 'ms', [
    { label: 'max', color: '#d62728', dash: '4 3', values: r.samples.map((s) => s.eldMaxMs) },
    { label: 'p99', color: '#9467bd', values: r.samples.map((s) => s.eldP99Ms) },
    { label: 'p50', color: '#8c564b', values: r.samples.map((s) => s.eldP50Ms) },
  ]);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

function niceCeil(v: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(v));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= v) return step * magnitude;
  return 10 * magnitude;
}

if (process.argv[2] === '--gateway') {
  const [usersUrl, vcardUrl, interval] = process.argv.slice(3);
  if (!usersUrl || !vcardUrl)
    throw new Error('usage: --gateway <usersUrl> <vcardUrl> [intervalMs]');
  await serveGateway(usersUrl, vcardUrl, Number(interval ?? 5000));
} else {
  await runSoak(parseOptions(process.argv.slice(2)));
}
