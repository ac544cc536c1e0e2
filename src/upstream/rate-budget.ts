// One upstream's rate budget (USERS_API_RATE_LIMIT / VCARD_API_RATE_LIMIT, requests per second).
// With Redis, the whole fleet shares one GCRA state (one EVALSHA per upstream attempt, Redis's own
// clock); without Redis, or while Redis cannot be reached, each instance keeps budget ÷
// RATE_LIMIT_INSTANCES locally. A call that finds no room waits for its reserved slot when that
// fits in its deadline, and otherwise fails at once without being sent.
import { createHash } from 'node:crypto';
import { newRedis } from './redis-client.js';
import type { Redis } from './redis-client.js';
import type { UpstreamName } from '../errors.js';
import { UpstreamError } from '../errors.js';
import type { CallerSignal } from './caller-signal.js';
import { LocalGcra, limitOf } from './gcra.js';
import { wait } from './wait.js';

// Same arithmetic as gcra.ts's `reserve`, in microseconds of Redis's clock (TIME), so every
// instance reads one clock; the reply carries that clock's reading, so that the caller can place
// its slot on Redis's time line (see RedisClock). %.0f: Lua's tostring would write a large number
// as 1.7e+15.
export const RESERVE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local base = math.max(tat, now)
local send_at = math.max(now, base - tolerance)
local wait = send_at - now
local clock = string.format('%.0f', now)
if wait > max_wait then return {0, string.format('%.0f', wait), clock} end
local next_tat = base + interval
redis.call('SET', KEYS[1], string.format('%.0f', next_tat), 'PX', math.ceil((next_tat - now) / 1000) + 1000)
return {1, string.format('%.0f', wait), clock}
`;
const RESERVE_SHA = createHash('sha1').update(RESERVE_SCRIPT).digest('hex');

/**
 * The limiter's own connection: a call never queues behind a dead Redis (no offline queue, a short
 * command timeout) and falls back at once; ioredis keeps reconnecting in the background.
 */
export function connectBudgetRedis(url: string): Redis {
  const client = newRedis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // Generous: a reply stuck behind our own busy event loop is not a dead Redis, and every
    // spurious fallback lets this instance's share through on top of the shared budget.
    commandTimeout: 1_000,
    connectTimeout: 1_000,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  // Failures reach RateBudget through its commands (and are logged there, once); not as events.
  client.on('error', () => undefined);
  return client;
}

/** The part of an ioredis client the budget uses (a fake in unit tests). */
export interface BudgetRedis {
  readonly status: string;
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

export interface RateBudgetEvents {
  /** A call waited `ms` for its slot (0 when it went at once). */
  waited?: (upstream: UpstreamName, ms: number) => void;
  /** A call missed its slot (its process was busy) and reserves another. */
  late?: (upstream: UpstreamName) => void;
  /** A call was refused: no slot before its deadline. */
  refused?: (upstream: UpstreamName) => void;
  /** The shared budget became unreachable (`true`) or reachable again (`false`). */
  fallback?: (upstream: UpstreamName, active: boolean, error?: unknown) => void;
}

export interface RateBudgetOptions {
  upstream: UpstreamName;
  perSecond: number;
  /** The variable that set the budget, named in the error a refused call gets. */
  variable: string;
  redis?: BudgetRedis | undefined;
  /** Instances assumed to share the budget when it cannot be shared through Redis. */
  instances: number;
  keyPrefix?: string;
  events?: RateBudgetEvents;
  now?: () => number;
  /** How late after its slot a call may still go (default 5 ms); later, it reserves again. */
  lateToleranceMs?: number;
}

const DEFAULT_LATE_TOLERANCE_MS = 5;

export class RateBudget {
  private readonly local: LocalGcra;
  private readonly key: string;
  private readonly args: [string, string];
  private fallingBack = false;
  private readonly redisClock = new RedisClock();

  constructor(private readonly options: RateBudgetOptions) {
    const { perSecond, instances } = options;
    this.local = new LocalGcra(limitOf(perSecond / instances), options.now);
    const shared = limitOf(perSecond);
    this.args = [
      String(Math.round(shared.intervalMs * 1000)),
      String(Math.round((shared.burst - 1) * shared.intervalMs * 1000)),
    ];
    this.key = `${options.keyPrefix ?? 'tdg:rate:'}${options.upstream}`;
  }

  /** Whether calls are decided by this instance alone although Redis was configured. */
  get degraded(): boolean {
    return this.fallingBack;
  }

  /**
   * Resolves when the call may be sent. Throws UpstreamError (`rate-budget`) when the budget has no
   * room before `until` (epoch ms); rejects with the signal's reason when the caller leaves.
   */
  async take(until: number, signal?: CallerSignal): Promise<number> {
    const now = this.options.now ?? Date.now;
    const { upstream, events } = this.options;
    const lateToleranceMs = this.options.lateToleranceMs ?? DEFAULT_LATE_TOLERANCE_MS;
    const started = now();
    for (;;) {
      const askedAt = now();
      const maxWaitMs = Math.max(0, until - askedAt);
      const shared = await this.reserveShared(maxWaitMs, askedAt);
      const r = shared ?? { ...this.local.reserve(maxWaitMs), from: askedAt };
      if (!r.ok) {
        events?.refused?.(upstream);
        throw new UpstreamError(upstream, {
          kind: 'rate-budget',
          variable: this.options.variable,
          perSecond: this.options.perSecond,
        });
      }
      const slot = r.from + r.waitMs;
      const left = slot - now();
      if (left > 0) await wait(left, signal);
      // A busy event loop (a late reply, a late timer) must not send the call late: late calls go
      // out in a bunch with the calls of the next slots, and the upstream sees more than the rate
      // in that second. The slot is given up (spent, so never over budget) and another reserved.
      if (now() - slot <= lateToleranceMs) {
        const waited = now() - started;
        events?.waited?.(upstream, waited);
        return waited;
      }
      events?.late?.(upstream);
    }
  }

  /**
   * The shared reservation, with the instant (our clock) that its wait counts from: Redis's reading
   * of its clock, placed on ours. Counting from `askedAt` instead would send early by however long
   * the command took to reach Redis (a loaded host: tens of ms, different on every instance).
   */
  private async reserveShared(
    maxWaitMs: number,
    askedAt: number,
  ): Promise<{ ok: boolean; waitMs: number; from: number } | undefined> {
    const redis = this.options.redis;
    if (redis === undefined) return undefined;
    // ioredis reconnects on its own; until it is ready there is nothing to ask (and no wait).
    if (redis.status !== 'ready') {
      this.degrade(new Error(`redis connection is ${redis.status}`));
      return undefined;
    }
    const args = [this.key, ...this.args, String(Math.round(maxWaitMs * 1000))];
    try {
      let reply: unknown;
      try {
        reply = await redis.evalsha(RESERVE_SHA, 1, ...args);
      } catch (error) {
        if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
        reply = await redis.eval(RESERVE_SCRIPT, 1, ...args);
      }
      const parsed = parseReply(reply);
      const repliedAt = (this.options.now ?? Date.now)();
      this.recover();
      return {
        ok: parsed.ok,
        waitMs: parsed.waitMs,
        from: this.redisClock.toLocal(parsed.redisNowMs, askedAt, repliedAt),
      };
    } catch (error) {
      this.degrade(error);
      return undefined;
    }
  }

  private degrade(error: unknown): void {
    if (this.fallingBack) return;
    this.fallingBack = true;
    this.options.events?.fallback?.(this.options.upstream, true, error);
  }

  private recover(): void {
    if (!this.fallingBack) return;
    this.fallingBack = false;
    this.options.events?.fallback?.(this.options.upstream, false);
  }
}

function parseReply(reply: unknown): { ok: boolean; waitMs: number; redisNowMs: number } {
  if (!Array.isArray(reply) || reply.length !== 3) throw new Error('unexpected limiter reply');
  const [ok, waitUs, nowUs]: unknown[] = reply;
  const wait = Number(waitUs);
  const redisNow = Number(nowUs);
  if ((ok !== 0 && ok !== 1) || !Number.isFinite(wait) || !Number.isFinite(redisNow)) {
    throw new Error('unexpected limiter reply');
  }
  return { ok: ok === 1, waitMs: wait / 1000, redisNowMs: redisNow / 1000 };
}

/**
 * Redis's clock on ours, as NTP estimates a server's: the offset is taken from the quickest recent
 * round trip (Redis read its clock somewhere inside it, so the error is at most half of it), and a
 * sample older than a minute gives way to the next one, so that clock drift is followed.
 */
export class RedisClock {
  private best = { rttMs: Infinity, offsetMs: 0, at: -Infinity };

  /** `redisNowMs` (Redis's clock) as an instant of ours, learning from this round trip. */
  toLocal(redisNowMs: number, askedAt: number, repliedAt: number): number {
    const rttMs = repliedAt - askedAt;
    if (rttMs <= this.best.rttMs || repliedAt - this.best.at > 60_000) {
      this.best = { rttMs, offsetMs: redisNowMs - (askedAt + repliedAt) / 2, at: repliedAt };
    }
    return redisNowMs - this.best.offsetMs;
  }
}
