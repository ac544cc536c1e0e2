// The targets the run is judged against (issue #20's, plus issue #9's upstream counts), each with
// what was measured in this run; the floors are measured side by side in the same run.
import type { QueryName } from './dataset.js';
import type { UpstreamTally } from './ipc.js';
import { KIND_LABELS, type SystemKind } from './kinds.js';
import { findCell, idOf, total, type BenchResults } from './model.js';
import { fmt, ratio } from './stats.js';

export interface Target {
  target: string;
  measured: string;
  met: boolean | undefined;
}

const at = (x: number | undefined, limit: number) => (x === undefined ? undefined : x <= limit);

export function targets(results: BenchResults): Target[] {
  const out: Target[] = [];
  const ours = idOf(results, 'ours');
  if (ours === undefined) return out;
  const fast = (q: QueryName, kind: SystemKind) =>
    findCell(results, 0, 16, q, kind === 'ours' ? ours : idOf(results, kind));
  const has = (q: QueryName) => results.queries.includes(q);

  for (const [q, limit] of [
    ['Q1', 1],
    ['Q2', 5],
  ] as const) {
    if (!has(q)) continue;
    const cpu = fast(q, 'ours')?.cpuMsPerQuery;
    out.push({
      target: `CPU per ${q} at 0 ms upstream latency, 16 clients ≤ ${limit} ms`,
      measured: `${fmt(cpu, 2)} ms`,
      met: at(cpu, limit),
    });
    const floor = fast(q, 'yoga')?.cpuMsPerQuery;
    if (floor !== undefined) {
      const r = ratio(cpu, floor);
      out.push({
        target: `CPU per ${q} ≤ 1.25 × ${KIND_LABELS.yoga}`,
        measured: `${fmt(cpu, 2)} vs ${fmt(floor, 2)} ms = ${fmt(r, 2)} ×`,
        met: at(r, 1.25),
      });
    }
  }
  if (has('Q2')) {
    const mine = findCell(results, 20, 1, 'Q2', ours)?.p50Ms;
    const raw = findCell(results, 20, 1, 'Q2', idOf(results, 'raw'))?.p50Ms;
    if (raw !== undefined) {
      const r = ratio(mine, raw);
      out.push({
        target: `Q2 median at 20 ms upstream latency, 1 client ≤ 1.1 × ${KIND_LABELS.raw} (the same 51 calls)`,
        measured: `${fmt(mine)} vs ${fmt(raw)} ms = ${fmt(r, 2)} ×`,
        met: at(r, 1.1),
      });
    }
  }
  const peak = Math.max(...results.cells.filter((c) => c.system === ours).map((c) => c.peakRssMb));
  out.push({
    target: 'peak RSS under the bench’s load ≤ 190 MB',
    measured: `${fmt(peak, 0)} MB`,
    met: Number.isFinite(peak) ? peak <= 190 : undefined,
  });
  const summary = results.systems.find((s) => s.id === ours);
  out.push({
    target: 'idle RSS of the production process ≤ 120 MB',
    measured: `${fmt(summary?.idleRssMb, 0)} MB`,
    met: at(summary?.idleRssMb, 120),
  });
  const tree = summary?.processTree ?? [];
  out.push({
    target: 'no npm or tsx process in the production process tree',
    measured: tree.map((line) => `\`${line.trim()}\``).join(', ') || 'n/a',
    met: tree.length === 0 ? undefined : !tree.some((line) => /\bnpm\b|\btsx\b/.test(line)),
  });
  for (const [q, peer, factor] of [
    ['Q2', 'mesh', 2.5],
    ['Q1', 'naive', 1],
  ] as const) {
    const other = fast(q, peer)?.requestsPerSec;
    if (!has(q) || other === undefined) continue;
    const mine = fast(q, 'ours')?.requestsPerSec;
    const r = ratio(mine, other);
    out.push({
      target: `${q} throughput at 0 ms, 16 clients ≥ ${factor} × ${KIND_LABELS[peer]}`,
      measured: `${fmt(mine)} vs ${fmt(other)} req/s = ${fmt(r, 2)} ×`,
      met: r === undefined ? undefined : r >= factor,
    });
  }
  const upstreamTarget = (q: QueryName, text: string, ok: (t: UpstreamTally) => boolean) => {
    if (!has(q)) return;
    const mine = results.upstream[q][ours];
    out.push({
      target: `${q} upstream requests per query: ${text}`,
      measured: `${total(mine) ?? 'n/a'} (${mine?.distinct ?? 'n/a'} distinct)`,
      met: mine === undefined ? undefined : ok(mine),
    });
  };
  upstreamTarget('Q1', '= 1', (t) => total(t) === 1);
  upstreamTarget('Q2', '= 1 + 50', (t) => t.users === 1 && t.vcard === 50);
  upstreamTarget('Q3', '≤ 100 distinct', (t) => t.distinct <= 100 && total(t) === t.distinct);
  upstreamTarget('Q4', '≤ 2', (t) => (total(t) ?? Infinity) <= 2);
  return out;
}

const status = (met: boolean | undefined) =>
  met === undefined ? 'not measured' : met ? 'met' : '**missed**';

export function targetsTable(list: readonly Target[]): string[] {
  return [
    '| target | measured | status |',
    '|---|---|---|',
    ...list.map((t) => `| ${t.target} | ${t.measured} | ${status(t.met)} |`),
  ];
}
