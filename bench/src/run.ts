// Gateway load benchmark (issue #9): this gateway, a naive gateway and GraphQL Mesh / Hive Gateway
// on the same upstream simulators, in one run. `npm run bench [-- --quick]` from the repository root.
//
// Processes: the simulators (one child), each system under test (one child each), and this one,
// which drives the load (load.ts) and reads the children's CPU time and peak RSS from /proc.
//
// Flags: --quick (1 round of short cells, no 20 ms throughput phase), --seconds N (per round),
//        --warmup N, --rounds N,
//        --systems ours,naive,mesh, --queries Q1,Q2,Q3,Q4, --no-readme,
//        --gateway-env NAME=VALUE (repeatable: extra environment for this gateway only),
//        --render (no run: rewrite the report, chart and README block from results/gateway.json).
import { fork, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import {
  BIG_ACCOUNT,
  PAGE,
  Q4_OFFSET,
  QUERY_NAMES,
  benchDataset,
  type QueryName,
} from './dataset.js';
import type { SimulatorCommand, SimulatorReply, SimulatorRequest, UpstreamTally } from './ipc.js';
import { percentile, runLoad } from './load.js';
import { cpuMs, peakRssMb, resetPeakRss } from './proc.js';
import {
  SYSTEM_NAMES,
  checkAnswer,
  q3Variables,
  queryText,
  type Parity,
  type SystemName,
} from './queries.js';
import { RESULTS_JSON, writeReports, type BenchResults, type Cell, type Phase } from './report.js';
import { LOG_DIR, ROOT, baseEnv, startSystem, stopChild, type RunningSystem } from './systems.js';

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  quick: boolean;
  seconds: number;
  warmup: number;
  rounds: number;
  systems: SystemName[];
  queries: QueryName[];
  readme: boolean;
  gatewayEnv: Record<string, string>;
}

function parseOptions(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i === -1 ? undefined : argv[i + 1];
  };
  const list = <T extends string>(flag: string, all: readonly T[]): T[] => {
    const raw = value(flag);
    if (raw === undefined) return [...all];
    const picked = raw.split(',').map((s) => s.trim());
    for (const p of picked) {
      if (!all.includes(p as T))
        throw new Error(`${flag}: unknown ${p} (one of ${all.join(', ')})`);
    }
    return picked as T[];
  };
  const gatewayEnv: Record<string, string> = {};
  argv.forEach((arg, i) => {
    if (arg !== '--gateway-env') return;
    const [name, ...rest] = (argv[i + 1] ?? '').split('=');
    if (!name) throw new Error('--gateway-env needs NAME=VALUE');
    gatewayEnv[name] = rest.join('=');
  });
  return {
    quick,
    seconds: Number(value('--seconds') ?? (quick ? 1.5 : 2.5)),
    warmup: Number(value('--warmup') ?? 0.5),
    rounds: Number(value('--rounds') ?? (quick ? 1 : 2)),
    systems: list('--systems', SYSTEM_NAMES),
    queries: list('--queries', QUERY_NAMES),
    readme: !argv.includes('--no-readme'),
    gatewayEnv,
  };
}

// ---------------------------------------------------------------------------------------------
// Simulator process

interface Simulators {
  urls: { users: string; vcard: string };
  pid: number;
  call(request: SimulatorCommand): Promise<SimulatorReply>;
  stop(): Promise<void>;
}

async function startSimulators(): Promise<Simulators> {
  const child = fork(join(ROOT, 'bench/src/simulators.ts'), [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<number, (reply: SimulatorReply) => void>();
  let nextId = 1;
  const urls = await new Promise<{ users: string; vcard: string }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`simulators exited (${code}) during start-up`)));
    child.on('message', (reply: SimulatorReply) => {
      if (reply.urls) resolve(reply.urls);
      waiting.get(reply.id)?.(reply);
      waiting.delete(reply.id);
    });
  });
  if (child.pid === undefined) throw new Error('simulators did not start');
  return {
    urls,
    pid: child.pid,
    call(request) {
      const id = nextId++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        child.send({ ...request, id } satisfies SimulatorRequest);
      });
    },
    async stop() {
      child.disconnect();
      await stopChild(child);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers

async function post(url: string, body: string): Promise<unknown> {
  return JSON.parse(await postText(url, body)) as unknown;
}

async function postText(url: string, body: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body,
  });
  const text = await response.text();
  if (!response.ok && !text.startsWith('{')) {
    throw new Error(`HTTP ${response.status} from ${url}: ${text.slice(0, 300)}`);
  }
  return text;
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** One cell's measurements, summed over its rounds. */
interface Tally {
  phase: Phase;
  query: QueryName;
  system: SystemName;
  latencies: number[];
  completed: number;
  failures: number;
  seconds: number;
  cpuMs: number;
  simCpuMs: number;
  selfCpuMs: number;
  upstream: number;
  peakRssMb: number;
}

function emptyTally(phase: Phase, query: QueryName, system: SystemName): Tally {
  return {
    phase,
    query,
    system,
    latencies: [],
    completed: 0,
    failures: 0,
    seconds: 0,
    cpuMs: 0,
    simCpuMs: 0,
    selfCpuMs: 0,
    upstream: 0,
    peakRssMb: 0,
  };
}

function toCell(t: Tally): Cell {
  const latencies = [...t.latencies].sort((a, b) => a - b);
  const wallMs = t.seconds * 1000;
  const perQuery = (x: number) => x / Math.max(1, t.completed);
  return {
    latencyMs: t.phase.latencyMs,
    connections: t.phase.connections,
    query: t.query,
    system: t.system,
    seconds: round(t.seconds, 2),
    completed: t.completed,
    requestsPerSec: round(t.completed / t.seconds, 2),
    p50Ms: round(percentile(latencies, 0.5), 2),
    p99Ms: round(percentile(latencies, 0.99), 2),
    meanMs: round(latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length), 2),
    failures: t.failures,
    cpuMsPerQuery: round(perQuery(t.cpuMs), 3),
    cpuUtilisation: round(t.cpuMs / wallMs, 3),
    peakRssMb: round(t.peakRssMb, 1),
    upstreamPerQueryUnderLoad: round(perQuery(t.upstream), 2),
    simulatorCpuUtilisation: round(t.simCpuMs / wallMs, 3),
    loadGeneratorCpuUtilisation: round(t.selfCpuMs / wallMs, 3),
  };
}

/**
 * Waits until no upstream request arrives for 300 ms, then leaves the counters at zero, so that
 * nothing left over from earlier work (a system finishing background calls) is counted.
 */
async function quiesce(sims: Simulators): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    await sims.call({ op: 'reset', distinct: false });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { tally } = await sims.call({ op: 'stats' });
    if ((tally?.users ?? 0) + (tally?.vcard ?? 0) === 0 || Date.now() > deadline) break;
  }
  await sims.call({ op: 'reset', distinct: false });
}

/** Walks the 5,000-user list with `first`/`after` up to Q4's window and returns its `after`. */
async function walkToQ4Cursor(system: RunningSystem): Promise<string> {
  let after: string | null = null;
  let position = 0; // users passed so far
  while (position < Q4_OFFSET) {
    const step: number = Math.min(100, Q4_OFFSET - position);
    const answer = (await post(
      system.url,
      JSON.stringify({
        query: `query Walk($after: String) { users(accountId: "${BIG_ACCOUNT}", first: ${step}, after: $after) { pageInfo { endCursor } } }`,
        variables: { after },
      }),
    )) as { data?: { users?: { pageInfo?: { endCursor?: string } } }; errors?: unknown };
    const cursor = answer.data?.users?.pageInfo?.endCursor;
    if (typeof cursor !== 'string') {
      throw new Error(
        `${system.name}: walking to Q4 failed: ${JSON.stringify(answer).slice(0, 300)}`,
      );
    }
    after = cursor;
    position += step;
  }
  if (after === null) throw new Error('Q4 offset must be positive');
  return after;
}

function bodyFor(
  query: QueryName,
  system: SystemName,
  dataset: ReturnType<typeof benchDataset>,
  cursors: Partial<Record<SystemName, string>>,
): string {
  const text = queryText(query, system, dataset);
  if (system !== 'mesh' && query === 'Q3') {
    return JSON.stringify({ query: text, variables: q3Variables(dataset) });
  }
  if (system !== 'mesh' && query === 'Q4') {
    return JSON.stringify({ query: text, variables: { after: cursors[system] } });
  }
  return JSON.stringify({ query: text });
}

function gitCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT })
      .toString()
      .trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'schema'], {
      cwd: ROOT,
    })
      .toString()
      .trim();
    return dirty === '' ? sha : `${sha} + uncommitted changes in src/ or schema/`;
  } catch {
    return 'unknown';
  }
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = Date.now();
  const dataset = benchDataset();
  if (process.argv.includes('--render')) {
    const saved = JSON.parse(readFileSync(RESULTS_JSON, 'utf8')) as BenchResults;
    writeReports(saved, { dataset, readme: options.readme });
    return;
  }
  const loadBefore = loadavg();

  log('starting the simulators…');
  const sims = await startSimulators();
  const running: RunningSystem[] = [];
  const stopAll = async () => {
    await Promise.all(running.map((s) => s.stop()));
    await sims.stop();
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));

  try {
    await sims.call({ op: 'latency', latencyMs: 0 });
    log(`starting ${options.systems.join(', ')} (logs in ${LOG_DIR})…`);
    const env = baseEnv(sims.urls);
    for (const name of options.systems) {
      // One at a time: start-up compiles TypeScript and composes schemas, which would otherwise
      // compete for the same two cores and time out on a busy machine.
      running.push(
        await startSystem(name, name === 'ours' ? { ...env, ...options.gatewayEnv } : env),
      );
    }
    const systems = Object.fromEntries(running.map((s) => [s.name, s])) as Partial<
      Record<SystemName, RunningSystem>
    >;

    // Q4's cursors, each system's own, reached by paging through the list.
    const cursors: Partial<Record<SystemName, string>> = {};
    if (options.queries.includes('Q4')) {
      for (const s of running) if (s.name !== 'mesh') cursors[s.name] = await walkToQ4Cursor(s);
    }
    const bodies = {} as Record<QueryName, Partial<Record<SystemName, string>>>;
    for (const q of options.queries) {
      bodies[q] = {};
      for (const s of running) bodies[q][s.name] = bodyFor(q, s.name, dataset, cursors);
    }

    // Answers: checked once against the dataset, then used to verify every answer under load.
    log('checking answers…');
    const parity = {} as Record<QueryName, Partial<Record<SystemName, Parity>>>;
    const failureSeen = new Set<string>();
    const verifiers = {} as Record<QueryName, Partial<Record<SystemName, (b: string) => boolean>>>;
    for (const q of options.queries) {
      parity[q] = {};
      verifiers[q] = {};
      for (const s of running) {
        const body = bodies[q][s.name] ?? '';
        const reference = await postText(s.url, body);
        const answer = JSON.parse(reference) as unknown;
        const check = checkAnswer(q, s.name, dataset, answer);
        parity[q][s.name] = check;
        log(`  ${q} ${s.name}: ${check.summary}`);
        if (check.matchingUsers === 0) {
          throw new Error(
            `${s.name} answers ${q} wrongly: ${JSON.stringify(answer).slice(0, 500)}`,
          );
        }
        // Cheap check of every answer under load: errors or not as here, and about the same size
        // (Mesh's error entries embed upstream headers such as a date, so not byte-equal).
        const hasErrors = reference.includes('"errors"');
        verifiers[q][s.name] = (text) => {
          const ok =
            text.includes('"errors"') === hasErrors &&
            Math.abs(text.length - reference.length) <= reference.length * 0.1;
          if (!ok && !failureSeen.has(`${q} ${s.name}`)) {
            failureSeen.add(`${q} ${s.name}`);
            log(`  ${q} ${s.name}: unexpected answer under load: ${text.slice(0, 300)}`);
          }
          return ok;
        };
      }
    }

    // JIT warm-up, then exact upstream counts: one query at a time, counters reset around each.
    log('warming up and counting upstream requests…');
    const upstream = {} as Record<QueryName, Partial<Record<SystemName, UpstreamTally>>>;
    const upstreamVaried: string[] = [];
    for (const q of options.queries) {
      upstream[q] = {};
      for (const s of running) {
        const body = bodies[q][s.name] ?? '';
        await runLoad({ url: s.url, body, connections: 4, seconds: options.quick ? 0.5 : 1.5 });
        await quiesce(sims);
        const samples: UpstreamTally[] = [];
        for (let i = 0; i < 3; i++) {
          await sims.call({ op: 'reset', distinct: true });
          await post(s.url, body);
          const { tally } = await sims.call({ op: 'stats' });
          if (tally) samples.push(tally);
        }
        const counts = new Set(samples.map((t) => `${t.users}/${t.vcard}/${t.distinct}`));
        if (counts.size !== 1) {
          const line = `${q} ${s.name}: ${[...counts].join(', ')} (users/vcard/distinct)`;
          upstreamVaried.push(line);
          log(`  upstream counts vary: ${line}`);
        }
        const last = samples.at(-1);
        if (last) upstream[q][s.name] = last;
      }
    }

    const phases: Phase[] = [
      { latencyMs: 0, connections: 16, purpose: 'throughput' },
      { latencyMs: 20, connections: 1, purpose: 'latency' },
      ...(options.quick
        ? []
        : [{ latencyMs: 20, connections: 16, purpose: 'throughput under latency' } as Phase]),
    ];
    const peakRssResettable = running.every((s) => resetPeakRss(s.pid));
    const tallies = new Map<string, Tally>();
    for (const phase of phases) {
      await sims.call({ op: 'latency', latencyMs: phase.latencyMs });
      log(`phase: ${phase.latencyMs} ms upstream latency, ${phase.connections} concurrent clients`);
      for (let r = 0; r < options.rounds; r++) {
        for (const [qi, q] of options.queries.entries()) {
          // Rotate the order per query and round so no system always runs first after a change.
          const order = running.map(
            (_, i) => running[(i + qi + r) % running.length] as RunningSystem,
          );
          for (const s of order) {
            const body = bodies[q][s.name] ?? '';
            const verify = verifiers[q][s.name];
            await runLoad({
              url: s.url,
              body,
              connections: phase.connections,
              seconds: options.warmup,
            });
            await quiesce(sims);
            resetPeakRss(s.pid);
            const cpu0 = cpuMs(s.pid);
            const simCpu0 = cpuMs(sims.pid);
            const self0 = process.cpuUsage();
            const result = await runLoad({
              url: s.url,
              body,
              connections: phase.connections,
              seconds: options.seconds,
              ...(verify === undefined ? {} : { verify }),
            });
            const self = process.cpuUsage(self0);
            const { tally } = await sims.call({ op: 'stats' });
            const key = `${phase.latencyMs}|${phase.connections}|${q}|${s.name}`;
            const t = tallies.get(key) ?? emptyTally(phase, q, s.name);
            t.latencies.push(...result.latencies);
            t.completed += result.completed;
            t.failures += result.failures;
            t.seconds += result.seconds;
            t.cpuMs += cpuMs(s.pid) - cpu0;
            t.simCpuMs += cpuMs(sims.pid) - simCpu0;
            t.selfCpuMs += (self.user + self.system) / 1000;
            t.upstream += (tally?.users ?? 0) + (tally?.vcard ?? 0);
            t.peakRssMb = Math.max(t.peakRssMb, peakRssMb(s.pid));
            tallies.set(key, t);
            log(
              `  ${q} ${s.name.padEnd(5)} ${result.requestsPerSec.toFixed(1).padStart(8)} req/s  p50 ${result.p50Ms.toFixed(1)} ms  p99 ${result.p99Ms.toFixed(1)} ms${result.failures > 0 ? `  FAILURES ${result.failures}` : ''}`,
            );
          }
        }
      }
    }
    const cells = [...tallies.values()].map(toCell);

    const results: BenchResults = {
      meta: {
        date: new Date().toISOString(),
        commit: gitCommit(),
        node: process.version,
        cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
        loadAverageBefore: loadBefore.map((x) => round(x)),
        loadAverageAfter: loadavg().map((x) => round(x)),
        mode: options.quick ? 'quick' : 'full',
        secondsPerCell: options.seconds,
        warmupSecondsPerCell: options.warmup,
        rounds: options.rounds,
        totalSeconds: Math.round((Date.now() - started) / 1000),
        peakRssPerCell: peakRssResettable,
        gatewayEnv: options.gatewayEnv,
        page: PAGE,
      },
      phases,
      queries: options.queries,
      systems: running.map((s) => s.name),
      cursors,
      parity,
      upstream,
      upstreamVaried,
      cells,
    };
    writeReports(results, { dataset, readme: options.readme && isFullMatrix(options) });
    if (!systems.ours) log('(this gateway was not run: no targets)');
  } finally {
    await stopAll();
  }
}

function isFullMatrix(options: Options): boolean {
  return (
    options.systems.length === SYSTEM_NAMES.length && options.queries.length === QUERY_NAMES.length
  );
}

await main();
