// The shape of a benchmark run's results (bench/results/gateway.json) and lookups into it.
import type { QueryName } from './dataset.js';
import type { UpstreamTally } from './ipc.js';
import type { SystemKind, SystemSpec } from './kinds.js';
import type { LoadResult } from './load.js';
import type { Parity } from './queries.js';

export interface Phase {
  latencyMs: number;
  connections: number;
  purpose: string;
}

export interface Cell extends Omit<LoadResult, 'latencies'> {
  latencyMs: number;
  connections: number;
  query: QueryName;
  /** The system's id. */
  system: string;
  cpuMsPerQuery: number;
  /** CPU time of the system's process / wall time: 1 = one core busy all along. */
  cpuUtilisation: number;
  peakRssMb: number;
  upstreamPerQueryUnderLoad: number;
  simulatorCpuUtilisation: number;
  loadGeneratorCpuUtilisation: number;
}

export interface SystemSummary extends SystemSpec {
  /** RSS once started and settled, before any load. */
  idleRssMb: number;
  /** RSS after the last cell, once the system has settled again. */
  rssAfterRunMb: number;
  /** Command lines of the measured process and its descendants. */
  processTree: string[];
  /** Why the system could not serve (only on an extra --node runtime; it then has no cells). */
  notStarted?: string;
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
    /** How this gateway was built and started. */
    gatewayBuild: string;
    gatewayNodeFlags: string[];
    page: number;
  };
  phases: Phase[];
  queries: QueryName[];
  systems: SystemSummary[];
  cursors: Record<string, string>;
  parity: Record<QueryName, Record<string, Parity>>;
  upstream: Record<QueryName, Record<string, UpstreamTally>>;
  /** Systems and queries whose upstream counts differed between the 3 counted runs. */
  upstreamVaried: string[];
  cells: Cell[];
}

export function findCell(
  results: BenchResults,
  latencyMs: number,
  connections: number,
  query: QueryName,
  system: string | undefined,
): Cell | undefined {
  return results.cells.find(
    (c) =>
      c.latencyMs === latencyMs &&
      c.connections === connections &&
      c.query === query &&
      c.system === system,
  );
}

/** The id of the first system of a kind in the run (this gateway: the one on the bench's node). */
export function idOf(results: BenchResults, kind: SystemKind): string | undefined {
  return results.systems.find((s) => s.kind === kind)?.id;
}

export const total = (t: UpstreamTally | undefined): number | undefined =>
  t === undefined ? undefined : t.users + t.vcard;
