// What a simulator records of each request, and the questions tests ask of that record (how many
// requests in each second, at most how many in any second).

export interface LoggedRequest {
  method: string;
  /** Path without the query string, as sent (still percent-encoded). */
  path: string;
  query: Record<string, string>;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string | undefined>;
  /** The credential as this simulator reads it (bearer token / X-Auth-Token); absent if none. */
  credential?: string;
  /** False for GET /openapi.json and the token endpoints (not rate limited, not default faults). */
  api: boolean;
  /** Date.now() on arrival. */
  at: number;
  /** The status sent; absent while in flight and for hangs and resets. */
  status?: number;
}

export interface WindowOptions {
  /** Default 1000. */
  windowMs?: number;
  /** Which entries count. Default: API requests (not the description, not token calls). */
  filter?: (entry: LoggedRequest) => boolean;
}

const apiOnly = (entry: LoggedRequest): boolean => entry.api;

/**
 * Requests per consecutive window (default 1 s), the first window starting at the first counted
 * request; a window with no request counts 0.
 */
export function requestsPerWindow(
  log: readonly LoggedRequest[],
  options: WindowOptions = {},
): number[] {
  const windowMs = options.windowMs ?? 1000;
  const times = log.filter(options.filter ?? apiOnly).map((e) => e.at);
  if (times.length === 0) return [];
  const start = times.reduce((a, b) => Math.min(a, b));
  const counts: number[] = [];
  for (const at of times) {
    const index = Math.floor((at - start) / windowMs);
    while (counts.length <= index) counts.push(0);
    counts[index] = (counts[index] ?? 0) + 1;
  }
  return counts;
}

/**
 * The most requests that arrived within any window of `windowMs` (default 1 s), wherever it starts:
 * the figure a rate limit of "N per second" must keep at or under N.
 */
export function maxRequestsInAnyWindow(
  log: readonly LoggedRequest[],
  options: WindowOptions = {},
): number {
  const windowMs = options.windowMs ?? 1000;
  const times = log
    .filter(options.filter ?? apiOnly)
    .map((e) => e.at)
    .sort((a, b) => a - b);
  let most = 0;
  let first = 0;
  for (let last = 0; last < times.length; last++) {
    const end = times[last] ?? 0;
    while ((times[first] ?? end) <= end - windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}
