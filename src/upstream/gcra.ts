// The Generic Cell Rate Algorithm with reservations: the arithmetic of the rate budget, pure, in
// one place (rate-budget-redis.ts runs the same steps in Lua against Redis's clock).
//
// State is one number, the theoretical arrival time (TAT) of the next call. A call arriving at
// `now` may be sent at max(now, TAT − tolerance) and pushes TAT one interval further. Instead of
// refusing a call that comes too early, it *reserves* that later send time and waits for it: the
// waiters of a whole fleet line up one interval apart, with no polling and no herd at a window
// edge. The guarantee (what the fleet proof checks): in any window of length W, at most
// `burst + W / interval` calls are sent — a fixed-window counter lets 2× through across an edge.

export interface GcraLimit {
  /** Milliseconds between calls at the sustained rate (1000 / requests per second). */
  intervalMs: number;
  /** Calls that may go back to back after a quiet spell (≥ 1). */
  burst: number;
}

export type Reservation =
  { ok: true; waitMs: number; tat: number } | { ok: false; waitMs: number; tat: number };

/** requests/s → limit; the burst is 5 % of a second's budget, at least 1 call. */
export function limitOf(perSecond: number): GcraLimit {
  return { intervalMs: 1000 / perSecond, burst: Math.max(1, Math.floor(perSecond / 20)) };
}

/**
 * Reserves the earliest send time for one call. When it is more than `maxWaitMs` away, nothing is
 * reserved (`ok: false`, TAT unchanged) and `waitMs` says how far it was.
 */
export function reserve(
  tat: number,
  now: number,
  limit: GcraLimit,
  maxWaitMs: number,
): Reservation {
  const base = Math.max(tat, now);
  const tolerance = (limit.burst - 1) * limit.intervalMs;
  const sendAt = Math.max(now, base - tolerance);
  const waitMs = sendAt - now;
  if (waitMs > maxWaitMs) return { ok: false, waitMs, tat };
  return { ok: true, waitMs, tat: base + limit.intervalMs };
}

/** One instance's own budget: the fallback without Redis, and the limiter without REDIS_URL. */
export class LocalGcra {
  private tat = 0;

  constructor(
    readonly limit: GcraLimit,
    private readonly now: () => number = Date.now,
  ) {}

  reserve(maxWaitMs: number): Reservation {
    const r = reserve(this.tat, this.now(), this.limit, maxWaitMs);
    this.tat = r.tat;
    return r;
  }
}
