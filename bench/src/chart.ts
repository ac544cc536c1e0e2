// The benchmark's chart: throughput at 0 ms (16 clients) and median latency at 20 ms (1 client)
// per query and system, with each query's round-trip floor.
import type { QueryName } from './dataset.js';
import type { SystemKind } from './kinds.js';
import { findCell, type BenchResults, type SystemSummary } from './model.js';
import { QUERY_INFO } from './queries.js';
import { fmt } from './stats.js';
import { escapeXml, svgDocument, text } from './svg.js';

const COLORS: Record<SystemKind, string> = {
  ours: '#2563eb',
  yoga: '#16a34a',
  raw: '#86efac',
  naive: '#9ca3af',
  mesh: '#e879a6',
};
/** A system on another node binary: its colour, lighter. */
const color = (s: SystemSummary) => (s.id === s.kind ? COLORS[s.kind] : `${COLORS[s.kind]}88`);

export const floorMs = (query: QueryName, latencyMs: number): number =>
  QUERY_INFO[query].floorRoundTrips * latencyMs;

/**
 * Grouped bars; each query's group is scaled to its own largest bar, since the queries differ by
 * orders of magnitude; the figures are printed on the bars.
 */
export function chart(results: BenchResults): string {
  const systems = results.systems.filter((s) => s.notStarted === undefined);
  const width = 980;
  const panelWidth = 440;
  const top = 70;
  const plotHeight = 210;
  const legendTop = top + plotHeight + 36;
  const height = legendTop + Math.ceil(systems.length / 3) * 20 + 24;
  const parts: string[] = [];
  const panels = [
    {
      x: 40,
      title: 'Throughput, 0 ms upstream latency, 16 clients (req/s, higher is better)',
      value: (q: QueryName, s: string) => findCell(results, 0, 16, q, s)?.requestsPerSec,
      floor: (_q: QueryName): number | undefined => undefined,
    },
    {
      x: 520,
      title: 'Median latency, 20 ms upstream latency, 1 client (ms, lower is better)',
      value: (q: QueryName, s: string) => findCell(results, 20, 1, q, s)?.p50Ms,
      floor: (q: QueryName): number | undefined => floorMs(q, 20),
    },
  ];
  const groupWidth = panelWidth / results.queries.length;
  const barWidth = Math.min(26, (groupWidth - 16) / systems.length);
  for (const panel of panels) {
    parts.push(
      text(panel.x, top - 30, panel.title, { size: 13, bold: true }),
      `<line x1="${panel.x}" y1="${top + plotHeight}" x2="${panel.x + panelWidth}" y2="${top + plotHeight}" stroke="#333"/>`,
    );
    results.queries.forEach((q, qi) => {
      const values = systems.map((s) => panel.value(q, s.id));
      const floor = panel.floor(q);
      const max = Math.max(...values.map((v) => v ?? 0), floor ?? 0) || 1;
      const gx = panel.x + qi * groupWidth + (groupWidth - barWidth * systems.length) / 2;
      systems.forEach((s, si) => {
        const v = values[si];
        const x = gx + si * barWidth;
        if (v === undefined || !Number.isFinite(v)) {
          parts.push(
            text(x + barWidth / 2, top + plotHeight - 4, '–', { size: 9, anchor: 'middle' }),
          );
          return;
        }
        const h = (v / max) * (plotHeight - 20);
        parts.push(
          `<rect x="${x}" y="${top + plotHeight - h}" width="${barWidth - 2}" height="${h}" fill="${color(s)}"><title>${escapeXml(`${q} ${s.label}: ${fmt(v)}`)}</title></rect>`,
          text(x + (barWidth - 2) / 2, top + plotHeight - h - 4, fmt(v, v >= 100 ? 0 : 1), {
            size: 8,
            anchor: 'middle',
          }),
        );
      });
      if (floor !== undefined) {
        const y = top + plotHeight - (floor / max) * (plotHeight - 20);
        const x2 = gx + barWidth * systems.length + 1;
        parts.push(
          `<line x1="${gx - 4}" y1="${y}" x2="${x2}" y2="${y}" stroke="#111" stroke-dasharray="4 3"/>`,
          text(x2 + 2, y + 3, 'floor', { size: 9 }),
        );
      }
      parts.push(
        text(panel.x + qi * groupWidth + groupWidth / 2, top + plotHeight + 16, q, {
          anchor: 'middle',
        }),
      );
    });
  }
  systems.forEach((s, i) => {
    const x = 40 + (i % 3) * 300;
    const y = legendTop + Math.floor(i / 3) * 20;
    parts.push(
      `<rect x="${x}" y="${y}" width="14" height="14" fill="${color(s)}"/>`,
      text(x + 20, y + 12, s.label),
    );
  });
  parts.push(
    text(
      width - 10,
      height - 8,
      `${results.meta.mode} run, ${results.meta.date.slice(0, 10)}; each query scaled to its largest bar; – = not served (floors: Q1, Q2 only)`,
      { size: 10, anchor: 'end' },
    ),
  );
  return svgDocument(width, height, parts);
}
