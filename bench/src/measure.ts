// Requests the parent makes itself (answers, cursors) and how a cell's measurements add up.
import { BIG_ACCOUNT, Q4_OFFSET, type QueryName, type benchDataset } from './dataset.js';
import type { SystemKind } from './kinds.js';
import type { Cell, Phase } from './model.js';
import { q3Variables, queryText } from './queries.js';
import { percentile, round } from './stats.js';

export async function post(url: string, body: string): Promise<unknown> {
  return JSON.parse(await postText(url, body)) as unknown;
}

export async function postText(url: string, body: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body,
  });
  const text = await response.text();
  if (!response.ok && !text.startsWith('{')) {
    throw new Error(`HTTP ${response.status} from ${url}: ${text.slice(0, 300)}`);
  }
  return text;
}

/** Walks the 5,000-user list with `first`/`after` up to Q4's window and returns its `after`. */
export async function walkToQ4Cursor(url: string, id: string): Promise<string> {
  let after: string | null = null;
  let position = 0; // users passed so far
  while (position < Q4_OFFSET) {
    const step: number = Math.min(100, Q4_OFFSET - position);
    const answer = (await post(
      url,
      JSON.stringify({
        query: `query Walk($after: String) { users(accountId: "${BIG_ACCOUNT}", first: ${step}, after: $after) { pageInfo { endCursor } } }`,
        variables: { after },
      }),
    )) as { data?: { users?: { pageInfo?: { endCursor?: string } } }; errors?: unknown };
    const cursor = answer.data?.users?.pageInfo?.endCursor;
    if (typeof cursor !== 'string') {
      throw new Error(`${id}: walking to Q4 failed: ${JSON.stringify(answer).slice(0, 300)}`);
    }
    after = cursor;
    position += step;
  }
  if (after === null) throw new Error('Q4 offset must be positive');
  return after;
}

export function bodyFor(
  query: QueryName,
  kind: SystemKind,
  dataset: ReturnType<typeof benchDataset>,
  cursor: string | undefined,
): string {
  const text = queryText(query, kind, dataset);
  if (kind === 'raw') return text;
  if (kind !== 'mesh' && query === 'Q3') {
    return JSON.stringify({ query: text, variables: q3Variables(dataset) });
  }
  if (kind !== 'mesh' && query === 'Q4') {
    return JSON.stringify({ query: text, variables: { after: cursor } });
  }
  return JSON.stringify({ query: text });
}

/** One cell's measurements, summed over its rounds. */
export interface Tally {
  phase: Phase;
  query: QueryName;
  system: string;
  latencies: number[];
  completed: number;
  failures: number;
  seconds: number;
  cpuMs: number;
  simCpuMs: number;
  selfCpuMs: number;
  upstream: number;
  peakRssMb: number;
}

export function emptyTally(phase: Phase, query: QueryName, system: string): Tally {
  return {
    phase,
    query,
    system,
    latencies: [],
    completed: 0,
    failures: 0,
    seconds: 0,
    cpuMs: 0,
    simCpuMs: 0,
    selfCpuMs: 0,
    upstream: 0,
    peakRssMb: 0,
  };
}

export function toCell(t: Tally): Cell {
  const latencies = [...t.latencies].sort((a, b) => a - b);
  const wallMs = t.seconds * 1000;
  const perQuery = (x: number) => x / Math.max(1, t.completed);
  return {
    latencyMs: t.phase.latencyMs,
    connections: t.phase.connections,
    query: t.query,
    system: t.system,
    seconds: round(t.seconds, 2),
    completed: t.completed,
    requestsPerSec: round(t.completed / t.seconds, 2),
    p50Ms: round(percentile(latencies, 0.5), 2),
    p99Ms: round(percentile(latencies, 0.99), 2),
    meanMs: round(latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length), 2),
    failures: t.failures,
    cpuMsPerQuery: round(perQuery(t.cpuMs), 3),
    cpuUtilisation: round(t.cpuMs / wallMs, 3),
    peakRssMb: round(t.peakRssMb, 1),
    upstreamPerQueryUnderLoad: round(perQuery(t.upstream), 2),
    simulatorCpuUtilisation: round(t.simCpuMs / wallMs, 3),
    loadGeneratorCpuUtilisation: round(t.selfCpuMs / wallMs, 3),
  };
}
