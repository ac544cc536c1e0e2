// Gateway load benchmark (issues #9, #20, #21): this gateway, two floor systems (bare Yoga +
// undici; node:http + undici + JSON), a naive gateway and GraphQL Mesh / Hive Gateway on the same
// upstream simulators, side by side in one run. `npm run bench [-- --quick]` from the repository
// root; results in bench/results/ only.
//
// Processes: the simulators (one child), each system under test (one child each, the gateway
// compiled and started as production starts it: build.ts), and this one, which drives the load
// (load.ts) and reads the children's CPU time and RSS from /proc.
//
// Flags: --quick (1 round of short cells, no 20 ms throughput phase), --seconds N (per round),
//        --warmup N, --rounds N, --systems ours,yoga,raw,naive,mesh, --queries Q1,Q2,Q3,Q4,
//        --node PATH (repeatable: this gateway again on that node binary, side by side),
//        --gateway-env NAME=VALUE (repeatable: extra environment for this gateway only),
//        --update-readme (rewrite README.md's bench block; never without it),
//        --render (no run: rewrite the reports from results/gateway.json).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { buildGateway } from './build.js';
import { PAGE, QUERY_NAMES, benchDataset, type QueryName } from './dataset.js';
import type { UpstreamTally } from './ipc.js';
import { KIND_LABELS, SYSTEM_KINDS, serves, type SystemSpec } from './kinds.js';
import { runLoad } from './load.js';
import {
  bodyFor,
  emptyTally,
  post,
  postText,
  toCell,
  walkToQ4Cursor,
  type Tally,
} from './measure.js';
import type { BenchResults, Phase, SystemSummary } from './model.js';
import { envFlag, listFlag, numberFlag, parseFlags } from './options.js';
import { cpuMs, peakRssMb, resetPeakRss, rssMb } from './proc.js';
import { checkAnswer, type Parity } from './queries.js';
import { writeReports } from './report.js';
import { RESULTS_DIR, gitCommit, machine } from './results.js';
import { quiesce, startSimulators } from './sims.js';
import { round } from './stats.js';
import { LOG_DIR, baseEnv, startSystem, type RunningSystem } from './systems.js';

function parseOptions(argv: string[]) {
  const flags = parseFlags(argv, {
    quick: { type: 'boolean' },
    seconds: { type: 'string' },
    warmup: { type: 'string' },
    rounds: { type: 'string' },
    systems: { type: 'string' },
    queries: { type: 'string' },
    node: { type: 'string', multiple: true },
    'node-systems': { type: 'string' },
    'gateway-env': { type: 'string', multiple: true },
    'update-readme': { type: 'boolean' },
    render: { type: 'boolean' },
  });
  const quick = flags.quick === true;
  return {
    quick,
    seconds: numberFlag('seconds', flags.seconds, quick ? 1 : 2, { min: 0.2, max: 600 }),
    warmup: numberFlag('warmup', flags.warmup, quick ? 0.3 : 0.5, { min: 0, max: 60 }),
    rounds: numberFlag('rounds', flags.rounds, quick ? 1 : 2, { min: 1, max: 20, integer: true }),
    kinds: listFlag('systems', flags.systems, SYSTEM_KINDS),
    queries: listFlag('queries', flags.queries, QUERY_NAMES),
    nodes: flags.node ?? [],
    nodeKinds: listFlag('node-systems', flags['node-systems'] ?? 'ours', SYSTEM_KINDS),
    gatewayEnv: envFlag('gateway-env', flags['gateway-env']),
    updateReadme: flags['update-readme'] === true,
    render: flags.render === true,
  };
}
type Options = ReturnType<typeof parseOptions>;

/** The first line of a start-up failure and the first error its log shows. */
function firstError(reason: string): string {
  const [head = reason, ...log] = reason.split('\n');
  const logged = log
    .map((l) => /"msg":"([^"]+)"/.exec(l)?.[1])
    .find((m) => m !== undefined && /error/i.test(m));
  return logged === undefined ? head : `${head.replace(/:$/, '')}; its log: ${logged}`;
}

const startedAt = Date.now();
const log = (line: string) =>
  process.stderr.write(`[${Math.round((Date.now() - startedAt) / 1000)} s] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function nodeVersion(path: string): string {
  return execFileSync(path, ['--version']).toString().trim();
}

/**
 * The systems of the run: each kind once on this node, then the --node-systems kinds (this gateway
 * by default) again on each --node binary, each right after its counterpart.
 */
function specs(options: Options): SystemSpec[] {
  const here = { path: process.execPath, version: process.version };
  const others = options.nodes.map((path) => ({ path, version: nodeVersion(path) }));
  return options.kinds.flatMap((kind) => [
    { id: kind, kind, label: KIND_LABELS[kind], node: here },
    ...(options.nodeKinds.includes(kind) ? others : []).map((node) => ({
      id: `${kind}@${node.version}`,
      kind,
      label: `${KIND_LABELS[kind]} on Node ${node.version}`,
      node,
    })),
  ]);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = Date.now();
  const dataset = benchDataset();
  if (options.render) {
    const saved = JSON.parse(
      readFileSync(join(RESULTS_DIR, 'gateway.json'), 'utf8'),
    ) as BenchResults;
    writeReports(saved, { dataset, updateReadme: options.updateReadme });
    return;
  }
  const loadBefore = loadavg();
  const build = buildGateway();
  log(`gateway: ${build.description}`);

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
    const all = specs(options);
    log(`starting ${all.map((s) => s.id).join(', ')} (logs in ${LOG_DIR})…`);
    const env = baseEnv(sims.urls);
    const notStarted: SystemSummary[] = [];
    for (const spec of all) {
      // One at a time: start-up composes schemas, which would otherwise compete for the same two
      // cores and time out on a busy machine.
      const systemEnv = spec.kind === 'ours' ? { ...env, ...options.gatewayEnv } : env;
      try {
        const system = await startSystem(spec, systemEnv, build);
        running.push(system);
        log(`  ${spec.id}: ${system.processTree.join(' | ')}`);
      } catch (error) {
        // On another runtime, a system that cannot serve is a result to report, not the end.
        if (spec.node.path === process.execPath) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        log(`  ${spec.id}: NOT STARTED: ${reason.split('\n').slice(0, 3).join(' ')}`);
        notStarted.push({
          ...spec,
          idleRssMb: NaN,
          rssAfterRunMb: NaN,
          processTree: [],
          notStarted: firstError(reason),
        });
      }
    }
    // Idle RSS: every system started and answered once, start-up garbage given time to go.
    await sleep(1_500);
    const idleRssMb = new Map(running.map((s) => [s.id, round(rssMb(s.pid), 1)]));
    log(`idle RSS (MB): ${running.map((s) => `${s.id} ${idleRssMb.get(s.id)}`).join(', ')}`);
    const cells = (q: QueryName) => running.filter((s) => serves(s, q));

    // Q4's cursors, each system's own, reached by paging through the list.
    const cursors: Record<string, string> = {};
    if (options.queries.includes('Q4')) {
      for (const s of cells('Q4')) {
        if (s.kind !== 'mesh') cursors[s.id] = await walkToQ4Cursor(s.url, s.id);
      }
    }
    const bodies = {} as Record<QueryName, Record<string, string>>;
    for (const q of options.queries) {
      bodies[q] = {};
      for (const s of cells(q)) bodies[q][s.id] = bodyFor(q, s.kind, dataset, cursors[s.id]);
    }

    // Answers: checked once against the dataset, then used to verify every answer under load.
    log('checking answers…');
    const parity = {} as Record<QueryName, Record<string, Parity>>;
    const failureSeen = new Set<string>();
    const verifiers = {} as Record<QueryName, Record<string, (b: string) => boolean>>;
    for (const q of options.queries) {
      parity[q] = {};
      verifiers[q] = {};
      for (const s of cells(q)) {
        const reference = await postText(s.url, bodies[q][s.id] ?? '');
        const answer = JSON.parse(reference) as unknown;
        const check = checkAnswer(q, s.kind, dataset, answer);
        parity[q][s.id] = check;
        log(`  ${q} ${s.id}: ${check.summary}`);
        if (check.matchingUsers === 0) {
          throw new Error(`${s.id} answers ${q} wrongly: ${JSON.stringify(answer).slice(0, 500)}`);
        }
        // Cheap check of every answer under load: errors or not as here, and about the same size
        // (Mesh's error entries embed upstream headers such as a date, so not byte-equal).
        const hasErrors = reference.includes('"errors"');
        verifiers[q][s.id] = (text) => {
          const ok =
            text.includes('"errors"') === hasErrors &&
            Math.abs(text.length - reference.length) <= reference.length * 0.1;
          if (!ok && !failureSeen.has(`${q} ${s.id}`)) {
            failureSeen.add(`${q} ${s.id}`);
            log(`  ${q} ${s.id}: unexpected answer under load: ${text.slice(0, 300)}`);
          }
          return ok;
        };
      }
    }

    // JIT warm-up, then exact upstream counts: one query at a time, counters reset around each.
    log('warming up and counting upstream requests…');
    const upstream = {} as Record<QueryName, Record<string, UpstreamTally>>;
    const upstreamVaried: string[] = [];
    for (const q of options.queries) {
      upstream[q] = {};
      for (const s of cells(q)) {
        const body = bodies[q][s.id] ?? '';
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
          const line = `${q} ${s.id}: ${[...counts].join(', ')} (users/vcard/distinct)`;
          upstreamVaried.push(line);
          log(`  upstream counts vary: ${line}`);
        }
        const last = samples.at(-1);
        if (last) upstream[q][s.id] = last;
      }
    }

    const phases: Phase[] = [
      { latencyMs: 0, connections: 16, purpose: 'throughput' },
      { latencyMs: 20, connections: 1, purpose: 'latency' },
      ...(options.quick
        ? []
        : [{ latencyMs: 20, connections: 16, purpose: 'throughput under latency' }]),
    ];
    const peakRssResettable = running.every((s) => resetPeakRss(s.pid));
    const tallies = new Map<string, Tally>();
    for (const phase of phases) {
      await sims.call({ op: 'latency', latencyMs: phase.latencyMs });
      log(`phase: ${phase.latencyMs} ms upstream latency, ${phase.connections} concurrent clients`);
      for (let r = 0; r < options.rounds; r++) {
        for (const [qi, q] of options.queries.entries()) {
          // Rotate the order per query and round so no system always runs first after a change.
          const here = cells(q);
          const order = here.map((_, i) => here[(i + qi + r) % here.length] as RunningSystem);
          for (const s of order) {
            const body = bodies[q][s.id] ?? '';
            const verify = verifiers[q][s.id];
            const load = { url: s.url, body, connections: phase.connections };
            await runLoad({ ...load, seconds: options.warmup });
            await quiesce(sims);
            resetPeakRss(s.pid);
            const cpu0 = cpuMs(s.pid);
            const simCpu0 = cpuMs(sims.pid);
            const self0 = process.cpuUsage();
            const result = await runLoad({
              ...load,
              seconds: options.seconds,
              ...(verify === undefined ? {} : { verify }),
            });
            const self = process.cpuUsage(self0);
            const { tally } = await sims.call({ op: 'stats' });
            const key = `${phase.latencyMs}|${phase.connections}|${q}|${s.id}`;
            const t = tallies.get(key) ?? emptyTally(phase, q, s.id);
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
              `  ${q} ${s.id.padEnd(14)} ${result.requestsPerSec.toFixed(1).padStart(8)} req/s  p50 ${result.p50Ms.toFixed(1)} ms  p99 ${result.p99Ms.toFixed(1)} ms  CPU ${((cpuMs(s.pid) - cpu0) / Math.max(1, result.completed)).toFixed(2)} ms/q${result.failures > 0 ? `  FAILURES ${result.failures}` : ''}`,
            );
          }
        }
      }
    }
    await quiesce(sims);
    await sleep(1_500);
    const systems: SystemSummary[] = running.map((s) => ({
      id: s.id,
      kind: s.kind,
      label: s.label,
      node: s.node,
      idleRssMb: idleRssMb.get(s.id) ?? NaN,
      rssAfterRunMb: round(rssMb(s.pid), 1),
      processTree: s.processTree,
    }));
    systems.push(...notStarted);
    const m = machine();
    const results: BenchResults = {
      meta: {
        date: new Date().toISOString(),
        commit: gitCommit(),
        node: m.node,
        cpu: m.cpu,
        loadAverageBefore: loadBefore.map((x) => round(x)),
        loadAverageAfter: m.loadAverage,
        mode: options.quick ? 'quick' : 'full',
        secondsPerCell: options.seconds,
        warmupSecondsPerCell: options.warmup,
        rounds: options.rounds,
        totalSeconds: Math.round((Date.now() - started) / 1000),
        peakRssPerCell: peakRssResettable,
        gatewayEnv: options.gatewayEnv,
        gatewayBuild: build.description,
        gatewayNodeFlags: build.nodeFlags,
        page: PAGE,
      },
      phases,
      queries: options.queries,
      systems,
      cursors,
      parity,
      upstream,
      upstreamVaried,
      cells: [...tallies.values()].map(toCell),
    };
    writeReports(results, { dataset, updateReadme: options.updateReadme });
  } finally {
    await stopAll();
  }
}

await main();
