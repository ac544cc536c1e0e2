// The rate budget (USERS_API_RATE_LIMIT / VCARD_API_RATE_LIMIT): every attempt, retries included,
// reserves a send time in the fleet's budget (Redis) or this instance's share, and waits for it
// within the request's deadline; no room before the deadline: UPSTREAM_ERROR naming the budget,
// nothing sent. Innermost of the waiting steps, so nothing else delays a call past its slot.
import type { UpstreamName } from '../../errors.js';
import type { Step } from '../chain.js';
import type { RateBudget } from '../rate-budget.js';
import { whileWaiting } from './left.js';

export function budget(upstream: UpstreamName, rate: RateBudget): Step {
  return (next) => async (req, call) => {
    await rate
      .take(call.deadline.at, call.deadline.signal)
      .catch(whileWaiting(upstream, call, req.attempt ?? 1));
    return next(req, call);
  };
}
