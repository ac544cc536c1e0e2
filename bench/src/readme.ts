// The summary block of README.md's Performance section (between its markers), rewritten only when
// the run is asked to with --update-readme.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findCell, idOf, type BenchResults } from './model.js';
import { ROOT } from './results.js';
import { fmt, ratio } from './stats.js';
import { targetsTable, type Target } from './targets.js';

const README = join(ROOT, 'README.md');
const START = '<!-- bench-gateway:start -->';
const END = '<!-- bench-gateway:end -->';

function block(results: BenchResults, list: readonly Target[]): string {
  const m = results.meta;
  const ours = idOf(results, 'ours');
  const rows = [
    '| query | system | req/s at 0 ms (16 clients) | CPU ms/query at 0 ms | this gateway’s CPU ÷ system’s | p50 at 20 ms (1 client) | peak RSS MB |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const q of results.queries) {
    const mine = findCell(results, 0, 16, q, ours);
    for (const s of results.systems) {
      const fast = findCell(results, 0, 16, q, s.id);
      const slow = findCell(results, 20, 1, q, s.id);
      if (fast === undefined && slow === undefined) continue;
      const vs = s.id === ours ? '' : fmt(ratio(mine?.cpuMsPerQuery, fast?.cpuMsPerQuery), 2);
      rows.push(
        `| ${q} | ${s.label} | ${fmt(fast?.requestsPerSec, 0)} | ${fmt(fast?.cpuMsPerQuery, 2)} | ${vs} | ${fmt(slow?.p50Ms)} ms | ${fmt(Math.max(fast?.peakRssMb ?? 0, slow?.peakRssMb ?? 0), 0)} |`,
      );
    }
  }
  const env = Object.entries(m.gatewayEnv).map(([k, v]) => `\`${k}=${v}\``);
  return [
    START,
    `Last run: ${m.date.slice(0, 10)}, ${m.mode} mode, commit ${m.commit}, Node ${m.node} on ${m.cpu} (shared, load average ≈ ${m.loadAverageBefore[0]})${env.length > 0 ? `; this gateway with ${env.join(', ')}` : ''}. Full report: [bench/results/gateway.md](bench/results/gateway.md), raw figures: [gateway.json](bench/results/gateway.json).`,
    '',
    ...targetsTable(list),
    '',
    ...rows,
    '',
    '![Throughput and median latency per query and system](bench/results/gateway.svg)',
    END,
  ].join('\n');
}

/** Rewrites the block; false when README.md has no markers (then nothing is written). */
export function updateReadme(results: BenchResults, list: readonly Target[]): boolean {
  if (!existsSync(README)) return false;
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start === -1 || end === -1 || end < start) return false;
  writeFileSync(README, text.slice(0, start) + block(results, list) + text.slice(end + END.length));
  return true;
}

export const README_MARKERS = `${START} … ${END}`;
