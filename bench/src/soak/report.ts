// Soak, the report: markdown (verdict, load mix, samples over time) and the chart of memory and
// event-loop delay over time.
import { round } from '../stats.js';
import { escapeXml, niceCeil, svgDocument } from '../svg.js';
import type { Report } from './analyse.js';
import { ELD_RESOLUTION_MS } from './ipc.js';

export function markdown(r: Report): string {
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
    `Machine: ${r.machine.cpu}, ${r.machine.memoryGb} GiB, Node ` +
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
export function chart(r: Report): string {
  const width = 900;
  const panel = 240;
  const margin = { left: 60, right: 150, top: 30, bottom: 40 };
  const plotW = width - margin.left - margin.right;
  const height = 2 * (panel + margin.top + margin.bottom);
  const end = Math.max(1, r.samples.at(-1)?.t ?? 1);
  const x = (t: number) => margin.left + (t / end) * plotW;
  const parts: string[] = [];

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
      `<text x="${margin.left}" y="${top - 10}" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
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
        `<text x="${margin.left + plotW + 38}" y="${top + 16 + i * 18}" font-size="12">${escapeXml(s.label)}</text>`,
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
  return svgDocument(width, height, parts);
}
