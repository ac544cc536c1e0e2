// Per-attempt timeout inside the GraphQL request's deadline, and the client's hang-up. An attempt
// gets min(UPSTREAM_TIMEOUT_MS, time left before the request's deadline); with no time left it
// fails at once without sending anything.
//
// One AttemptStop and one plain timer per attempt (and one listener per caller), and no
// AbortSignal.timeout() or AbortSignal.any(): besides costing more, those hold their sources weakly
// on Node 20 (the timer holds the timeout signal weakly, any() holds its sources weakly), so a
// timeout signal that nothing else refers to can be collected and never fire (nodejs/node#57736).
// The soak (bench/soak.ts) saw exactly that: hung upstream calls that outlived
// UPSTREAM_TIMEOUT_MS. Here the timer's own argument is the stop, so the timer keeps it alive
// until it fires or is cleared. (Not an AbortController either: on Node 20 making one costs more
// than the rest of this step.)
import { UpstreamError } from '../../errors.js';
import type { UpstreamName } from '../../errors.js';
import { watchersOf } from '../caller-signal.js';
import type { CallerWatcher } from '../caller-signal.js';
import { AttemptStop } from '../chain.js';
import type { Step } from '../chain.js';

/** The abort reason when the GraphQL client went away (the transport tells it from a timeout). */
export const CLIENT_GONE: unique symbol = Symbol('client gone');
const TIMED_OUT: unique symbol = Symbol('attempt timed out');

export interface DeadlineOptions {
  /** UPSTREAM_TIMEOUT_MS. */
  timeoutMs: number;
}

function timeUp(stop: AttemptStop): void {
  stop.stop(TIMED_OUT);
}

/** An attempt's stop that its caller going away stops too. */
class Attempt extends AttemptStop implements CallerWatcher {
  callerGone(): void {
    this.stop(CLIENT_GONE);
  }
}

export function deadline(upstream: UpstreamName, options: DeadlineOptions): Step {
  return (next) => async (req, call) => {
    const attempt = req.attempt ?? 1;
    const remaining = call.deadline.at - Date.now();
    const client = call.deadline.signal;
    if (client?.aborted) {
      throw new UpstreamError(upstream, { kind: 'timeout', clientGone: true }, undefined, attempt);
    }
    if (remaining <= 0) throw new UpstreamError(upstream, { kind: 'timeout' }, undefined, attempt);
    const stop = new Attempt();
    const timer = setTimeout(timeUp, Math.min(options.timeoutMs, remaining), stop);
    // Every attempt under one caller is stopped through one listener on its signal.
    const attempts = client && watchersOf(client);
    attempts?.add(stop);
    try {
      return await next({ ...req, stop }, call);
    } finally {
      clearTimeout(timer);
      attempts?.delete(stop);
    }
  };
}
