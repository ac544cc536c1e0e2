// Where every bench script writes: bench/results/ (and nowhere else), plus what each result
// records about the run (commit, machine, load).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { round } from './stats.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RESULTS_DIR = join(ROOT, 'bench/results');

/** Writes `files` (name → text) into bench/results/ and says so on stdout. */
export function writeResults(files: Record<string, string>): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(RESULTS_DIR, name), text);
  process.stdout.write(
    `wrote ${Object.keys(files)
      .map((f) => `bench/results/${f}`)
      .join(', ')}\n`,
  );
}

export const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** The short commit, marked when src/, schema/ or bench/ differ from it. */
export function gitCommit(): string {
  try {
    const git = (args: string[]) => execFileSync('git', args, { cwd: ROOT }).toString().trim();
    const dirty = git([
      'status',
      '--porcelain',
      '--untracked-files=no',
      '--',
      'src',
      'schema',
      'bench',
    ]);
    const sha = git(['rev-parse', '--short', 'HEAD']);
    return dirty === '' ? sha : `${sha} + uncommitted changes`;
  } catch {
    return 'unknown';
  }
}

export interface Machine {
  node: string;
  cpu: string;
  memoryGb: number;
  loadAverage: number[];
}

export function machine(): Machine {
  return {
    node: process.version,
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    memoryGb: round(totalmem() / 1024 ** 3, 1),
    loadAverage: loadavg().map((x) => round(x)),
  };
}
