// Results of a benchmark run: raw JSON, a markdown report with the issue's targets, an SVG chart,
// and the summary block of README.md's Performance section (between its markers).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../../sandbox/index.js';
import type { QueryName } from './dataset.js';
import type { UpstreamTally } from './ipc.js';
import type { LoadResult } from './load.js';
import {
  QUERY_INFO,
  QUERY_NOTES,
  SYSTEM_LABELS,
  queryText,
  type Parity,
  type SystemName,
} from './queries.js';
import { ROOT } from './systems.js';

export interface Phase {
  latencyMs: number;
  connections: number;
  purpose: string;
}

export interface Cell extends Omit<LoadResult, 'latencies'> {
  latencyMs: number;
  connections: number;
  query: QueryName;
  system: SystemName;
  cpuMsPerQuery: number;
  /** CPU time of the system's process / wall time: 1 = one core busy all along. */
  cpuUtilisation: number;
  peakRssMb: number;
  upstreamPerQueryUnderLoad: number;
  simulatorCpuUtilisation: number;
  loadGeneratorCpuUtilisation: number;
}

export interface BenchResults {
  meta: {
    date: string;
    commit: string;
    node: string;
    cpu: string;
    loadAverageBefore: number[];
    loadAverageAfter: number[];
    mode: 'quick' | 'full';
    secondsPerCell: number;
    warmupSecondsPerCell: number;
    rounds: number;
    totalSeconds: number;
    peakRssPerCell: boolean;
    gatewayEnv: Record<string, string>;
    page: number;
  };
  phases: Phase[];
  queries: QueryName[];
  systems: SystemName[];
  cursors: Partial<Record<SystemName, string>>;
  parity: Record<QueryName, Partial<Record<SystemName, Parity>>>;
  upstream: Record<QueryName, Partial<Record<SystemName, UpstreamTally>>>;
  /** Systems and queries whose upstream counts differed between the 3 counted runs. */
  upstreamVaried: string[];
  cells: Cell[];
}

interface Target {
  target: string;
  measured: string;
  met: boolean | undefined;
}

const RESULTS_DIR = join(ROOT, 'bench/results');
export const RESULTS_JSON = join(RESULTS_DIR, 'gateway.json');
const README = join(ROOT, 'README.md');
const README_START = '<!-- bench-gateway:start -->';
const README_END = '<!-- bench-gateway:end -->';

const fmt = (x: number | undefined, digits = 1) =>
  x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits);
const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || b === 0 ? undefined : a / b;
const total = (t: UpstreamTally | undefined) => (t === undefined ? undefined : t.users + t.vcard);

function cell(
  results: BenchResults,
  latencyMs: number,
  connections: number,
  query: QueryName,
  system: SystemName,
): Cell | undefined {
  return results.cells.find(
    (c) =>
      c.latencyMs === latencyMs &&
      c.connections === connections &&
      c.query === query &&
      c.system === system,
  );
}

function floorMs(query: QueryName, latencyMs: number): number {
  return QUERY_INFO[query].floorRoundTrips * latencyMs;
}

function targets(results: BenchResults): Target[] {
  const out: Target[] = [];
  const has = (q: QueryName, s: SystemName) =>
    results.queries.includes(q) && results.systems.includes(s);
  if (has('Q2', 'ours')) {
    const c = cell(results, 20, 1, 'Q2', 'ours');
    const floor = floorMs('Q2', 20);
    out.push({
      target: `Q2 at 20 ms upstream latency, 1 client: median ≤ 1.2 × floor (${floor} ms) = ${fmt(1.2 * floor)} ms`,
      measured: `${fmt(c?.p50Ms)} ms = ${fmt(ratio(c?.p50Ms, floor), 2)} × floor`,
      met: c === undefined ? undefined : c.p50Ms <= 1.2 * floor,
    });
  }
  const upstreamTarget = (q: QueryName, text: string, ok: (t: UpstreamTally) => boolean) => {
    if (!has(q, 'ours')) return;
    const ours = results.upstream[q].ours;
    const naive = results.upstream[q].naive;
    out.push({
      target: `${q} upstream requests per query: ${text}`,
      measured:
        `${total(ours) ?? 'n/a'} (${ours?.distinct ?? 'n/a'} distinct)` +
        (naive ? `; naive gateway ${total(naive)} (${naive.distinct} distinct)` : ''),
      met: ours === undefined ? undefined : ok(ours),
    });
  };
  upstreamTarget('Q1', '= 1', (t) => total(t) === 1);
  upstreamTarget('Q2', '= 1 + 50', (t) => t.users === 1 && t.vcard === 50);
  upstreamTarget('Q3', '≤ 100 distinct', (t) => t.distinct <= 100 && total(t) === t.distinct);
  upstreamTarget('Q4', '≤ 2', (t) => (total(t) ?? Infinity) <= 2);
  for (const [peer, factor] of [
    ['mesh', 2],
    ['naive', 3],
  ] as const) {
    if (!has('Q2', 'ours') || !results.systems.includes(peer)) continue;
    const ours = cell(results, 0, 16, 'Q2', 'ours');
    const other = cell(results, 0, 16, 'Q2', peer);
    const r = ratio(ours?.requestsPerSec, other?.requestsPerSec);
    out.push({
      target: `Q2 throughput at 0 ms, 16 clients: ≥ ${factor} × ${SYSTEM_LABELS[peer]}`,
      measured: `${fmt(ours?.requestsPerSec)} vs ${fmt(other?.requestsPerSec)} req/s = ${fmt(r, 2)} ×`,
      met: r === undefined ? undefined : r >= factor,
    });
  }
  if (has('Q1', 'ours')) {
    const c = cell(results, 0, 16, 'Q1', 'ours');
    out.push({
      target: 'gateway CPU per Q1 query (0 ms, 16 clients) ≤ 1 ms',
      measured: `${fmt(c?.cpuMsPerQuery, 3)} ms`,
      met: c === undefined ? undefined : c.cpuMsPerQuery <= 1,
    });
  }
  return out;
}

const status = (met: boolean | undefined) =>
  met === undefined ? 'not measured' : met ? 'met' : '**missed**';

function targetsTable(list: Target[]): string[] {
  return [
    '| target | measured | status |',
    '|---|---|---|',
    ...list.map((t) => `| ${t.target} | ${t.measured} | ${status(t.met)} |`),
  ];
}

function upstreamCell(t: UpstreamTally | undefined): string {
  if (t === undefined) return 'n/a';
  const parts = `${t.users} users${t.vcard > 0 ? ` + ${t.vcard} vcard` : ''}`;
  return `${total(t)} (${parts}; ${t.distinct} distinct)`;
}

function phaseTable(results: BenchResults, phase: Phase): string[] {
  const rows: string[] = [
    '| query | system | req/s | this gateway ÷ system (req/s) | p50 ms | p99 ms | p50 ÷ floor | upstream req/query | CPU ms/query | CPU (cores) | peak RSS MB | simulators CPU (cores) | failed |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const q of results.queries) {
    const ours = cell(results, phase.latencyMs, phase.connections, q, 'ours');
    for (const s of results.systems) {
      const c = cell(results, phase.latencyMs, phase.connections, q, s);
      if (c === undefined) continue;
      const floor = floorMs(q, phase.latencyMs);
      rows.push(
        `| ${q} | ${SYSTEM_LABELS[s]} | ${fmt(c.requestsPerSec)} | ${fmt(ratio(ours?.requestsPerSec, c.requestsPerSec), 2)} | ${fmt(c.p50Ms)} | ${fmt(c.p99Ms)} | ${floor === 0 ? '—' : fmt(c.p50Ms / floor, 2)} | ${fmt(total(results.upstream[q][s]), 0)} | ${fmt(c.cpuMsPerQuery, 2)} | ${fmt(c.cpuUtilisation, 2)} | ${fmt(c.peakRssMb, 0)} | ${fmt(c.simulatorCpuUtilisation, 2)} | ${c.failures} |`,
      );
    }
  }
  return rows;
}

function markdown(results: BenchResults, dataset: Dataset, list: Target[]): string {
  const m = results.meta;
  const lines: string[] = [
    '# Gateway benchmark',
    '',
    `Generated by \`npm run bench${m.mode === 'quick' ? ' -- --quick' : ''}\` on ${m.date} (commit ${m.commit}), Node ${m.node}, ${m.cpu}; load average ${m.loadAverageBefore.join(' / ')} before, ${m.loadAverageAfter.join(' / ')} after (the machine is shared: absolute figures are noisy, ratios measured side by side in this run are the point).`,
    `Mode **${m.mode}**: each cell is ${m.rounds} round${m.rounds === 1 ? '' : 's'} of ${m.secondsPerCell} s, each after ${m.warmupSecondsPerCell} s of warm-up at the same concurrency; rounds and systems interleaved (the order rotates per query and round); ${m.totalSeconds} s in all.`,
    '',
    '## Targets (issue #9)',
    '',
    ...targetsTable(list),
    '',
    '## Upstream requests per query',
    '',
    `Counted in the simulators’ request log, one query at a time, after warm-up, 3 times: ${results.upstreamVaried.length === 0 ? 'identical each time' : `the counts varied for ${results.upstreamVaried.join('; ')} (the last is shown)`}.`,
    '',
    `| query | floor (dependent round trips) | ${results.systems.map((s) => SYSTEM_LABELS[s]).join(' | ')} |`,
    `|---|---:|${results.systems.map(() => '---|').join('')}`,
    ...results.queries.map(
      (q) =>
        `| ${q} | ${QUERY_INFO[q].floorRoundTrips} | ${results.systems.map((s) => upstreamCell(results.upstream[q][s])).join(' | ')} |`,
    ),
    '',
  ];
  for (const phase of results.phases) {
    lines.push(
      `## ${phase.latencyMs} ms upstream latency, ${phase.connections} concurrent client${phase.connections === 1 ? '' : 's'} (${phase.purpose})`,
      '',
      ...phaseTable(results, phase),
      '',
    );
  }
  lines.push(
    'Columns: req/s = completed queries per second; p50/p99 = latency seen by the load generator; floor = dependent upstream round trips × upstream latency; upstream req/query from the exact count above; CPU ms/query = the system process’s user + system CPU time during the cell ÷ completed queries; CPU (cores) = that CPU time ÷ wall time; peak RSS = the process’s high-water mark during the cell' +
      (m.peakRssPerCell ? ' (reset before each cell)' : ' (since start: it could not be reset)') +
      '; simulators CPU = the same for the simulator process (near 1.0 it may be what limits throughput); failed = transport errors, non-2xx answers and answers unlike the checked one.',
    '',
    '## Answers',
    '',
    'Each system’s answer to each query was checked once against the dataset before the load: the expected users in order, their extensions and DIDs, and (Q2) a vCard exactly where the vcard API has one.',
    '',
    `| query | ${results.systems.map((s) => SYSTEM_LABELS[s]).join(' | ')} |`,
    `|---|${results.systems.map(() => '---|').join('')}`,
    ...results.queries.map(
      (q) =>
        `| ${q} | ${results.systems.map((s) => results.parity[q][s]?.summary ?? 'n/a').join(' | ')} |`,
    ),
    '',
    '## Set-up',
    '',
    '- **Simulators**: `src/sandbox` (both upstreams) in their own process, on 127.0.0.1, with the sandbox accounts plus account 1004 of 5,000 generated users; latency added to every request.',
    '- **this gateway**: `src/main.ts` as `npm start` runs it, `NODE_ENV=production`, service tokens, cross-request cache off (`CACHE_TTL_MS=0`), default limits' +
      (Object.keys(m.gatewayEnv).length > 0
        ? `, plus ${Object.entries(m.gatewayEnv)
            .map(([k, v]) => `\`${k}=${v}\``)
            .join(', ')}`
        : '') +
      '.',
    '- **naive gateway**: `bench/naive/server.ts`: the same SDL on graphql-yoga, one `fetch` per field that needs one, no DataLoader, offset cursors and the naive page mapping of `bench/planner.ts` (page size = n, plus the next page when misaligned).',
    '- **Mesh / Hive Gateway**: `bench/mesh/mesh.config.ts` composed with `@graphql-mesh/compose-cli` + `@omnigraph/openapi` from the simulators’ `/openapi.json`, served by `@graphql-hive/gateway-runtime` with its defaults.',
    '- **Load**: `bench/src/load.ts` in the parent process: a closed loop of N clients on keep-alive connections (undici), each sending the next query when its answer is read; no query starts after the cell’s time is up and every started one is waited for.',
    '',
    '## Queries',
    '',
  );
  for (const q of results.queries) {
    lines.push(`### ${q}: ${QUERY_INFO[q].title}`, '');
    for (const s of results.systems) {
      const note = QUERY_NOTES[q][s];
      lines.push(
        `- ${SYSTEM_LABELS[s]}${note ? ` (${note})` : ''}:`,
        '',
        '  ```graphql',
        `  ${abbreviate(queryText(q, s, dataset))}`,
        '  ```',
        '',
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Q3 on Mesh has 100 aliased fields: show two. */
function abbreviate(text: string): string {
  const match = /^(query Q3 \{ u0: .*? \} \} \} \} \} )(u1: .*? \} \} \} \} \} )u2:/.exec(text);
  return match ? `${match[1]}${match[2]}… u99: … }` : text;
}

// ---------------------------------------------------------------------------------------------
// Chart

const COLORS: Record<SystemName, string> = { ours: '#2563eb', naive: '#9ca3af', mesh: '#e879a6' };

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Two panels of grouped bars: throughput at 0 ms (16 clients) and median latency at 20 ms (1
 * client) with each query's floor. Each query's group is scaled to its own largest bar, since the
 * queries differ by orders of magnitude; the figures are printed on the bars.
 */
function chart(results: BenchResults): string {
  const width = 980;
  const height = 360;
  const panelWidth = 440;
  const top = 70;
  const plotHeight = 210;
  const parts: string[] = [];
  const panels = [
    {
      x: 40,
      title: 'Throughput, 0 ms upstream latency, 16 clients (req/s, higher is better)',
      value: (q: QueryName, s: SystemName) => cell(results, 0, 16, q, s)?.requestsPerSec,
      floor: (_q: QueryName) => undefined as number | undefined,
    },
    {
      x: 520,
      title: 'Median latency, 20 ms upstream latency, 1 client (ms, lower is better)',
      value: (q: QueryName, s: SystemName) => cell(results, 20, 1, q, s)?.p50Ms,
      floor: (q: QueryName) => floorMs(q, 20),
    },
  ];
  const groupWidth = panelWidth / results.queries.length;
  const barWidth = Math.min(30, (groupWidth - 20) / results.systems.length);
  for (const panel of panels) {
    parts.push(
      `<text x="${panel.x}" y="${top - 30}" font-size="13" font-weight="bold">${escapeXml(panel.title)}</text>`,
      `<line x1="${panel.x}" y1="${top + plotHeight}" x2="${panel.x + panelWidth}" y2="${top + plotHeight}" stroke="#333"/>`,
    );
    results.queries.forEach((q, qi) => {
      const values = results.systems.map((s) => panel.value(q, s));
      const floor = panel.floor(q);
      const max = Math.max(...values.map((v) => v ?? 0), floor ?? 0) || 1;
      const gx = panel.x + qi * groupWidth + (groupWidth - barWidth * results.systems.length) / 2;
      results.systems.forEach((s, si) => {
        const v = values[si];
        const x = gx + si * barWidth;
        if (v === undefined || !Number.isFinite(v)) {
          parts.push(
            `<text x="${x + barWidth / 2}" y="${top + plotHeight - 4}" font-size="10" text-anchor="middle">n/a</text>`,
          );
          return;
        }
        const h = (v / max) * (plotHeight - 20);
        parts.push(
          `<rect x="${x}" y="${top + plotHeight - h}" width="${barWidth - 3}" height="${h}" fill="${COLORS[s]}"><title>${escapeXml(`${q} ${SYSTEM_LABELS[s]}: ${fmt(v)}`)}</title></rect>`,
          `<text x="${x + (barWidth - 3) / 2}" y="${top + plotHeight - h - 4}" font-size="10" text-anchor="middle">${fmt(v, v >= 100 ? 0 : 1)}</text>`,
        );
      });
      if (floor !== undefined) {
        const y = top + plotHeight - (floor / max) * (plotHeight - 20);
        const x1 = gx - 4;
        const x2 = gx + barWidth * results.systems.length + 1;
        parts.push(
          `<line x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" stroke="#111" stroke-dasharray="4 3"/>`,
          `<text x="${x2 + 2}" y="${y + 3}" font-size="9">floor</text>`,
        );
      }
      parts.push(
        `<text x="${panel.x + qi * groupWidth + groupWidth / 2}" y="${top + plotHeight + 16}" font-size="12" text-anchor="middle">${q}</text>`,
      );
    });
  }
  results.systems.forEach((s, i) => {
    const x = 40 + i * 200;
    parts.push(
      `<rect x="${x}" y="${height - 40}" width="14" height="14" fill="${COLORS[s]}"/>`,
      `<text x="${x + 20}" y="${height - 28}" font-size="12">${escapeXml(SYSTEM_LABELS[s])}</text>`,
    );
  });
  parts.push(
    `<text x="${width - 10}" y="${height - 28}" font-size="10" text-anchor="end">${escapeXml(`${results.meta.mode} run, ${results.meta.date.slice(0, 10)}; each query scaled to its largest bar`)}</text>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// README block

function readmeBlock(results: BenchResults, list: Target[]): string {
  const rows: string[] = [
    `| query | system | req/s at 0 ms (16 clients) | this gateway ÷ system (req/s) | p50 at 20 ms (1 client) | p50 ÷ floor | upstream req/query | CPU ms/query at 0 ms | peak RSS MB |`,
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const q of results.queries) {
    for (const s of results.systems) {
      const fast = cell(results, 0, 16, q, s);
      const slow = cell(results, 20, 1, q, s);
      const ours = cell(results, 0, 16, q, 'ours');
      const vsOurs = s === 'ours' ? '' : fmt(ratio(ours?.requestsPerSec, fast?.requestsPerSec), 2);
      rows.push(
        `| ${q} | ${SYSTEM_LABELS[s]} | ${fmt(fast?.requestsPerSec, 0)} | ${vsOurs} | ${fmt(slow?.p50Ms)} ms | ${fmt(ratio(slow?.p50Ms, floorMs(q, 20)), 2)} | ${fmt(total(results.upstream[q][s]), 0)} | ${fmt(fast?.cpuMsPerQuery, 2)} | ${fmt(Math.max(fast?.peakRssMb ?? 0, slow?.peakRssMb ?? 0), 0)} |`,
      );
    }
  }
  const m = results.meta;
  return [
    README_START,
    `Last run: ${m.date.slice(0, 10)}, ${m.mode} mode, commit ${m.commit}, Node ${m.node} on ${m.cpu} (shared, load average ≈ ${m.loadAverageBefore[0]}). Full report: [bench/results/gateway.md](bench/results/gateway.md), raw figures: [gateway.json](bench/results/gateway.json).`,
    '',
    ...targetsTable(list),
    '',
    ...rows,
    '',
    'Above 1, this gateway served more queries per second than that system in the same run. Floor = dependent upstream round trips × 20 ms (Q2: 2, the others: 1).',
    '',
    '![Throughput and median latency per query and system](bench/results/gateway.svg)',
    README_END,
  ].join('\n');
}

function updateReadme(block: string): boolean {
  if (!existsSync(README)) return false;
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf(README_START);
  const end = text.indexOf(README_END);
  if (start === -1 || end === -1 || end < start) return false;
  writeFileSync(README, text.slice(0, start) + block + text.slice(end + README_END.length));
  return true;
}

export function writeReports(
  results: BenchResults,
  options: { dataset: Dataset; readme: boolean },
): void {
  const list = targets(results);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const md = markdown(results, options.dataset, list);
  writeFileSync(RESULTS_JSON, `${JSON.stringify({ ...results, targets: list }, null, 2)}\n`);
  writeFileSync(join(RESULTS_DIR, 'gateway.md'), md);
  writeFileSync(join(RESULTS_DIR, 'gateway.svg'), chart(results));
  process.stdout.write(`\n${targetsTable(list).join('\n')}\n\n`);
  process.stdout.write(`wrote bench/results/gateway.{json,md,svg}\n`);
  if (options.readme) {
    const updated = updateReadme(readmeBlock(results, list));
    process.stdout.write(
      updated
        ? 'updated the Performance section of README.md\n'
        : `README.md has no ${README_START} … ${README_END} block: not updated\n`,
    );
  }
}
