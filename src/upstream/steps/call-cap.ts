// The runtime cap on upstream calls of one GraphQL HTTP request (MAX_UPSTREAM_CALLS_PER_REQUEST,
// a batch's operations together): past it, a field fails with UPSTREAM_CALL_LIMIT and nothing is
// sent. Above the cache, so whether a field is refused depends on the request alone, never on what
// a neighbour happened to fetch; one cap per request, shared by both upstreams' chains.
import { UpstreamError } from '../../errors.js';
import type { UpstreamName } from '../../errors.js';
import { CallCap } from '../call-cap.js';
import { PerRequest } from '../call.js';
import type { Step } from '../chain.js';
import type { TenancyHooks } from '../hooks.js';

/** The caps of all requests, one per gateway instance (both upstreams count against it). */
export function callCaps(limit: number): PerRequest<CallCap> {
  return new PerRequest(() => new CallCap(limit));
}

export function callCap(
  upstream: UpstreamName,
  caps: PerRequest<CallCap>,
  hooks: TenancyHooks,
): Step {
  return (next) => (req, call) => {
    const cap = caps.of(call.request);
    if (cap.take()) return next(req, call);
    hooks.capRefused(upstream);
    return Promise.reject(new UpstreamError(upstream, { kind: 'call-cap', limit: cap.limit }));
  };
}
