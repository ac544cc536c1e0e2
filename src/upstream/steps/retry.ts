// Retries of idempotent calls (GET) on 429/502/503/504 and on dropped connections: exponential
// backoff with full jitter, or the upstream's Retry-After when it sends one, and never a wait that
// ends past the request's deadline (the client gets the failure at once instead). Each attempt
// goes down the rest of the chain again, so it is observed, timed and counted by the breaker.
import { UpstreamError } from '../../errors.js';
import type { Step } from '../chain.js';
import type { CallerSignal } from '../caller-signal.js';
import { headerValue } from '../chain.js';

export interface RetryOptions {
  /** Retries after the first attempt (so at most maxRetries + 1 attempts). Default 2. */
  maxRetries?: number;
  /** Default 100 ms. */
  baseBackoffMs?: number;
  /** Default 2 s. */
  maxBackoffMs?: number;
  /** Default Math.random (tests pin it). */
  random?: () => number;
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

export function retry(options: RetryOptions = {}): Step {
  const maxRetries = options.maxRetries ?? 2;
  const baseBackoffMs = options.baseBackoffMs ?? 100;
  const maxBackoffMs = options.maxBackoffMs ?? 2_000;
  const random = options.random ?? Math.random;
  const backoff = (attempt: number, retryAfterMs: number | undefined): number => {
    if (retryAfterMs !== undefined) return retryAfterMs;
    // Full jitter: spreads the retries of many concurrent callers.
    return random() * Math.min(maxBackoffMs, baseBackoffMs * 2 ** (attempt - 1));
  };

  return (next) => async (req, call) => {
    const idempotent = req.method === 'GET';
    for (let attempt = 1; ; attempt++) {
      let wait: number;
      const sent = attempt === 1 ? req : { ...req, attempt };
      try {
        const answer = await next(sent, call);
        if (!idempotent || attempt > maxRetries || answer.ok) return answer;
        if (!RETRYABLE_STATUS.has(answer.status)) return answer;
        wait = backoff(attempt, parseRetryAfter(headerValue(answer.headers['retry-after'])));
        // Waiting past the deadline is pointless: give the client the answer now.
        if (Date.now() + wait >= call.deadline.at) return answer;
      } catch (error) {
        const transient = error instanceof UpstreamError && error.transient;
        if (!idempotent || attempt > maxRetries || !transient) throw error;
        wait = backoff(attempt, undefined);
        if (Date.now() + wait >= call.deadline.at) throw error;
      }
      await sleep(wait, call.deadline.signal);
    }
  };
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function sleep(ms: number, signal: CallerSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
