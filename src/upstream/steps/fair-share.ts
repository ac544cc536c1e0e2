// Fair share of the upstream's pool (UPSTREAM_MAX_CONCURRENCY connections): an attempt waits here
// for a slot, round-robin across credentials and then across requests, one request holding at most
// UPSTREAM_MAX_CONCURRENCY_PER_REQUEST; the pool itself then never queues. Above observe and
// deadline: the wait is not an attempt, and the per-attempt timeout starts once the slot is held.
import { UpstreamError } from '../../errors.js';
import type { UpstreamName } from '../../errors.js';
import type { RequestScope } from '../call.js';
import type { Step } from '../chain.js';
import type { FairShare } from '../fair-share.js';
import type { TenancyHooks } from '../hooks.js';
import { whileWaiting } from './left.js';

export function fairShare(
  upstream: UpstreamName,
  share: FairShare<RequestScope>,
  hooks: TenancyHooks,
): Step {
  return (next) => async (req, call) => {
    const attempt = req.attempt ?? 1;
    const queuedAt = Date.now();
    // A free slot with nobody waiting is taken at once: no promise, timer or listener.
    const fast =
      call.deadline.signal?.aborted === true ? undefined : share.tryAcquire(call.request);
    const release =
      fast ??
      (await share
        .acquire(
          call.credentialKey,
          call.request,
          call.deadline.at,
          () => new UpstreamError(upstream, { kind: 'timeout' }, undefined, attempt),
          call.deadline.signal,
        )
        .catch(whileWaiting(upstream, call, attempt)));
    hooks.queued(upstream, Date.now() - queuedAt);
    try {
      return await next(req, call);
    } finally {
      release();
    }
  };
}
