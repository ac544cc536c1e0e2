// Soak, the verdict: from the gateway's samples and the per-operation tallies, whether memory
// stays flat after a warm-up (and no answer was unexpected), with the figures that show it.
import os from 'node:os';
import { machine } from '../results.js';
import { mean, percentile, round } from '../stats.js';
import { UPSTREAM_TIMEOUT_MS, type Sample } from './ipc.js';
import { operations, type Outcome } from './operations.js';

/** Upstream latency of the simulators: each call costs a little, as over a real network. */
export const UPSTREAM_LATENCY_MS = 5;
/** Memory may grow this much from the first minute after warm-up to the last minute. */
const GROWTH_THRESHOLD = 0.1;

export interface SoakOptions {
  minutes: number;
  concurrency: number;
  intervalSeconds: number;
}

export interface OperationStats {
  count: number;
  outcomes: Record<Outcome, number>;
  latencies: number[];
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

export interface Report {
  generatedAt: string;
  commit: string;
  machine: {
    cpu: string;
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

export function analyse(
  samples: Sample[],
  stats: Map<string, OperationStats>,
  options: SoakOptions,
  extra: {
    commit: string;
    loadBefore: number[];
    loadAfter: number[];
    exitCode: number | null;
    unexpectedExamples: string[];
    requests: number;
  },
): Report {
  const here = machine();
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
      p50Ms: round(percentile(sorted, 0.5), 1),
      p99Ms: round(percentile(sorted, 0.99), 1),
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
      cpu: here.cpu,
      memoryGb: here.memoryGb,
      node: here.node,
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
      eldP99MedianMs: percentile(eldP99s, 0.5),
      eldMaxMs: Math.max(...steady.map((s) => s.eldMaxMs)),
      threshold: GROWTH_THRESHOLD,
      pass,
      summary,
    },
  };
}
