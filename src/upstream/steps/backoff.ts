// A 429 is the upstream telling one credential to slow down: that credential waits (Retry-After
// when sent, else exponential backoff) before its next attempt, within the request's deadline, and
// every other credential carries on. Read here, per attempt, before the breaker (which no longer
// counts a 429 as the upstream's failure). Keyed by `credentialKey`, never the credential.
import { UpstreamError } from '../../errors.js';
import type { UpstreamName } from '../../errors.js';
import type { Step } from '../chain.js';
import { headerValue } from '../chain.js';
import type { CredentialBackoff } from '../credential-backoff.js';
import type { TenancyHooks } from '../hooks.js';
import { wait } from '../wait.js';
import { whileWaiting } from './left.js';
import { parseRetryAfter } from './retry.js';

export function credentialBackoff(
  upstream: UpstreamName,
  backoff: CredentialBackoff,
  hooks: TenancyHooks,
): Step {
  return (next) => async (req, call) => {
    const attempt = req.attempt ?? 1;
    const key = call.credentialKey;
    const delayMs = backoff.delay(key);
    if (delayMs > 0) {
      if (Date.now() + delayMs >= call.deadline.at) {
        hooks.backoff(upstream, 0, true);
        throw new UpstreamError(
          upstream,
          { kind: 'throttled', status: 429, retryAfterMs: delayMs },
          undefined,
          attempt,
        );
      }
      await wait(delayMs, call.deadline.signal).catch(whileWaiting(upstream, call, attempt));
      hooks.backoff(upstream, delayMs, false);
    }
    const reply = await next(req, call);
    if (reply.status === 429) {
      const retryAfter = parseRetryAfter(headerValue(reply.headers['retry-after']));
      hooks.throttled(upstream, backoff.throttled(key, retryAfter));
    } else if (reply.status < 500) {
      backoff.succeeded(key);
    }
    return reply;
  };
}
