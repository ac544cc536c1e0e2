// The simulators' own rate limit, as a real upstream enforces one: above `perSecond` admitted
// requests in any 1 s window (sliding, so no burst at a window edge gets 2x through) the answer is
// 429 with Retry-After. Counted per simulator, or per credential when asked. Refused requests do not
// use up the budget, as with a token bucket: a client that backs off gets served.

export interface RateLimit {
  /** Admitted requests per second (any 1 s window). */
  perSecond: number;
  /** One budget per credential instead of one for the whole simulator. Default false. */
  perCredential?: boolean;
}

export type Admission = { admitted: true } | { admitted: false; retryAfterSeconds: number };

const WINDOW_MS = 1000;

export class SlidingWindowLimiter {
  /** Arrival times of admitted requests within the last window, oldest first, by budget key. */
  private readonly windows = new Map<string, number[]>();

  constructor(readonly limit: RateLimit) {
    if (!(limit.perSecond > 0)) throw new RangeError('rateLimit.perSecond must be > 0');
  }

  admit(credential: string | undefined, now: number): Admission {
    const key = this.limit.perCredential === true ? (credential ?? '') : '';
    let window = this.windows.get(key);
    if (window === undefined) {
      window = [];
      this.windows.set(key, window);
    }
    let expired = 0;
    while (expired < window.length && (window[expired] ?? now) <= now - WINDOW_MS) expired++;
    if (expired > 0) window.splice(0, expired);
    if (window.length < this.limit.perSecond) {
      window.push(now);
      return { admitted: true };
    }
    // The earliest moment a slot frees, in whole seconds as Retry-After requires (at least 1).
    const oldest = window[0] ?? now;
    const waitMs = oldest + WINDOW_MS - now;
    return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }
}
