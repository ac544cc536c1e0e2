// Messages between the benchmark parent and its simulator process.

export interface UpstreamTally {
  /** Requests to the users API (list and single-user calls). */
  users: number;
  /** Requests to the vcard API. */
  vcard: number;
  /** Distinct (API, method, path, query) seen since the last reset with `distinct: true`. */
  distinct: number;
}

export type SimulatorCommand =
  { op: 'latency'; latencyMs: number } | { op: 'reset'; distinct: boolean } | { op: 'stats' };

export type SimulatorRequest = SimulatorCommand & { id: number };

export interface SimulatorReply {
  id: number;
  tally?: UpstreamTally;
  /** Only in the first message: where the simulators listen. */
  urls?: { users: string; vcard: string };
}
