// Credential-keyed in-flight sharing (UPSTREAM_DEDUPE, on by default): concurrent identical GETs
// with the same credential, from any requests, share one upstream call and its retries. Two
// credentials never share (the upstream may authorise them differently). Below the cache (a hit
// needs no sharing), above retry (the callers share its attempts, each counted once by observe).
// The shared call runs under the first caller's deadline (joined only while that leaves a caller at
// least half its own time) and is aborted only when every caller waiting for it has gone
// (src/upstream/inflight.ts).
import type { UpstreamName } from '../../errors.js';
import type { Call } from '../call.js';
import type { Reply, Step, UpstreamRequest } from '../chain.js';
import { queryString } from '../chain.js';
import type { TenancyHooks } from '../hooks.js';
import { InflightCalls } from '../inflight.js';
import { whileWaiting } from './left.js';

export function dedupe(upstream: UpstreamName, hooks: TenancyHooks): Step {
  const inflight = new InflightCalls<Reply<unknown>>();
  return (next) =>
    async <T>(req: UpstreamRequest<T>, call: Call): Promise<Reply<T>> => {
      if (req.method !== 'GET') return next(req, call);
      // What decides the answer: who asks, what, and (from the cache step) which version it holds.
      // The route is in the key because the decoder is the route's, so one key is one T.
      const key = [
        call.credentialKey,
        req.route,
        `${req.path}${queryString(req.query)}`,
        req.headers['if-none-match'] ?? '',
      ].join('\n');
      const joined = inflight.join(
        key,
        call.deadline.signal,
        (signal) => next(req, { ...call, deadline: { at: call.deadline.at, signal } }),
        call.deadline.at,
      );
      if (joined.shared) hooks.dedupeHit(upstream);
      // Sound: every caller of this key sent the same route, so the same `decode` made the value.
      return (joined.result as Promise<Reply<T>>).catch(whileWaiting(upstream, call, 1));
    };
}
