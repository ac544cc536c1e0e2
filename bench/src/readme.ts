// The summary block of README.md's Performance section (between its markers), rewritten only when
// the run is asked to with --update-readme.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchResults } from './model.js';
import { ROOT } from './results.js';
import { targetsTable, type Target } from './targets.js';

const README = join(ROOT, 'README.md');
const START = '<!-- bench-gateway:start -->';
const END = '<!-- bench-gateway:end -->';

/**
 * One table in the README (issue #20): the targets, each measured against its floor. The figures
 * of every system and query are in the full report it links.
 */
function block(results: BenchResults, list: readonly Target[]): string {
  const m = results.meta;
  const env = Object.entries(m.gatewayEnv).map(([k, v]) => `\`${k}=${v}\``);
  return [
    START,
    `Last run: ${m.date.slice(0, 10)}, ${m.mode} mode, commit ${m.commit}, Node ${m.node} on ${m.cpu} (shared, load average ≈ ${m.loadAverageBefore[0]})${env.length > 0 ? `; this gateway with ${env.join(', ')}` : ''}. Every system and query, both runtimes side by side: [bench/results/gateway.md](bench/results/gateway.md); raw figures: [gateway.json](bench/results/gateway.json).`,
    '',
    ...targetsTable(list),
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
