// The kinds of system the benchmark compares, and which queries each one serves.
import { QUERY_NAMES, type QueryName } from './dataset.js';

export type SystemKind = 'ours' | 'yoga' | 'raw' | 'naive' | 'mesh';
export const SYSTEM_KINDS: readonly SystemKind[] = ['ours', 'yoga', 'raw', 'naive', 'mesh'];

export const KIND_LABELS: Record<SystemKind, string> = {
  ours: 'this gateway',
  yoga: 'floor: bare Yoga + undici',
  raw: 'floor: node:http + undici',
  naive: 'naive gateway',
  mesh: 'Mesh / Hive Gateway',
};

/** The floors answer Q1 and Q2 (a list, and a list with its 50 vCards): what they are for. */
export const KIND_QUERIES: Record<SystemKind, readonly QueryName[]> = {
  ours: QUERY_NAMES,
  yoga: ['Q1', 'Q2'],
  raw: ['Q1', 'Q2'],
  naive: QUERY_NAMES,
  mesh: QUERY_NAMES,
};

/** One system in a run: a kind on a node binary (this gateway may run on two). */
export interface SystemSpec {
  /** Unique in a run: the kind, plus `@<node version>` for an extra runtime. */
  id: string;
  kind: SystemKind;
  label: string;
  node: { path: string; version: string };
}

export const serves = (spec: SystemSpec, query: QueryName): boolean =>
  KIND_QUERIES[spec.kind].includes(query);
