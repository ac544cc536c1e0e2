// Soak: what the parent (load, analysis) and the gateway child share.

/** Short, so the injected hangs end quickly as UPSTREAM_TIMEOUT. */
export const UPSTREAM_TIMEOUT_MS = 1_000;
/**
 * The event-loop delay histogram samples every this many ms and, on Node 20, records the whole
 * interval (an idle loop reads ~10 ms): the delay reported is what exceeds it.
 */
export const ELD_RESOLUTION_MS = 10;

export interface Sample {
  /** Seconds since the load started. */
  t: number;
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  /** Event-loop delay over the interval beyond the histogram's own resolution, ms. */
  eldP50Ms: number;
  eldP99Ms: number;
  eldMaxMs: number;
  /** CPU time of the gateway process over the interval, in % of one core. */
  cpuPercent: number;
  /** Requests the load generator completed during the interval (filled in by the parent). */
  requests: number;
}

export type ChildMessage = { type: 'ready'; port: number } | { type: 'sample'; sample: Sample };
export type ParentMessage = { type: 'start' } | { type: 'sample-now' } | { type: 'stop' };
