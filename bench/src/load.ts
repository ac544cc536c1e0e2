// The load generator: a closed loop of `connections` clients on keep-alive connections (undici),
// each sending the next query as soon as its previous answer is read, for a bounded time.
//
// Not autocannon: autocannon ends a timed run by destroying its connections with queries still in
// flight. The systems then abort those queries' upstream calls, which is not what is being
// measured, leaves upstream work running into the next measurement, and (with this gateway)
// tripped its circuit breakers. Here no query starts after the deadline and every started query
// is waited for, so a run ends cleanly.
import { Pool } from 'undici';
import { mean, percentile } from './stats.js';

export interface LoadOptions {
  url: string;
  body: string;
  connections: number;
  seconds: number;
  /** Counted as a failure when false (GraphQL errors come with status 200). */
  verify?: (body: string) => boolean;
}

export interface LoadResult {
  seconds: number;
  /** Answers with a 2xx status. */
  completed: number;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** Transport errors, non-2xx answers and answers that failed `verify`. */
  failures: number;
  /** Every 2xx answer's latency in ms, sorted. */
  latencies: number[];
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.url);
  const pool = new Pool(url.origin, {
    connections: options.connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
  });
  const headers = { 'content-type': 'application/json', accept: 'application/json' };
  const latencies: number[] = [];
  let completed = 0;
  let failures = 0;
  const started = performance.now();
  const end = started + options.seconds * 1000;

  const client = async (): Promise<void> => {
    while (performance.now() < end) {
      const sent = performance.now();
      try {
        const response = await pool.request({
          origin: url.origin,
          path: url.pathname,
          method: 'POST',
          headers,
          body: options.body,
        });
        const text = await response.body.text();
        const ms = performance.now() - sent;
        if (response.statusCode >= 200 && response.statusCode < 300) {
          completed++;
          latencies.push(ms);
          if (options.verify && !options.verify(text)) failures++;
        } else {
          failures++;
        }
      } catch {
        failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, client));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();

  latencies.sort((a, b) => a - b);
  return {
    seconds,
    completed,
    requestsPerSec: completed / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    meanMs: mean(latencies),
    failures,
    latencies,
  };
}
