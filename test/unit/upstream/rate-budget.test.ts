import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { UpstreamError, codeOf } from '../../../src/errors.js';
import type { BudgetRedis } from '../../../src/upstream/rate-budget.js';
import { RateBudget } from '../../../src/upstream/rate-budget.js';

class FakeRedis implements BudgetRedis {
  status = 'ready';
  calls = 0;
  constructor(private readonly reply: () => unknown) {}
  evalsha(): Promise<unknown> {
    this.calls++;
    return Promise.resolve(this.reply());
  }
  eval(): Promise<unknown> {
    return this.evalsha();
  }
}

describe('RateBudget', () => {
  it('without Redis: budget ÷ instances, waits for its slot, refuses past the deadline naming the variable', async () => {
    const budget = new RateBudget({
      upstream: 'users',
      perSecond: 40,
      variable: 'USERS_API_RATE_LIMIT',
      instances: 2,
    });
    // 20/s locally: interval 50 ms, burst 1. The first call goes at once (the clock may tick
    // over a millisecond on the way: waited counts real time).
    const first = Date.now();
    expect(await budget.take(Date.now() + 1_000)).toBeLessThan(10);
    const refused = await budget.take(Date.now() + 10).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UpstreamError);
    if (!(refused instanceof UpstreamError)) return;
    expect(codeOf(refused)).toBe('UPSTREAM_ERROR');
    expect(refused.message).toContain('USERS_API_RATE_LIMIT=40/s');
    const waited = await budget.take(Date.now() + 1_000);
    expect(waited).toBeGreaterThan(0);
    // The next slot: 50 ms after the first call, whatever time the steps between took (a loaded
    // machine stalls them), and not a whole second (nor a re-reservation or two too many).
    const sinceFirst = Date.now() - first;
    expect(sinceFirst).toBeGreaterThanOrEqual(48);
    expect(sinceFirst).toBeLessThan(500);
  });

  it('asks Redis once per call, falls back once when it fails, and says when it is back', async () => {
    let failing = false;
    const redis = new FakeRedis(() => {
      if (failing) throw new Error('ECONNREFUSED');
      return [1, '0', String(Date.now() * 1000)];
    });
    const events: string[] = [];
    const budget = new RateBudget({
      upstream: 'vcard',
      perSecond: 1_000,
      variable: 'VCARD_API_RATE_LIMIT',
      instances: 3,
      redis,
      events: { fallback: (u, active) => events.push(`${u}:${String(active)}`) },
    });
    await budget.take(Date.now() + 1_000);
    expect(redis.calls).toBe(1);
    failing = true;
    await budget.take(Date.now() + 1_000);
    await budget.take(Date.now() + 1_000);
    expect(budget.degraded).toBe(true);
    redis.status = 'reconnecting';
    await budget.take(Date.now() + 1_000);
    expect(redis.calls).toBe(3); // not asked while it is not connected
    redis.status = 'ready';
    failing = false;
    await budget.take(Date.now() + 1_000);
    expect(budget.degraded).toBe(false);
    expect(events).toEqual(['vcard:true', 'vcard:false']);
  });

  it("honours the shared budget's wait and refusal", async () => {
    const redis = new FakeRedis(() => [0, '5000000', String(Date.now() * 1000)]);
    const budget = new RateBudget({
      upstream: 'users',
      perSecond: 10,
      variable: 'USERS_API_RATE_LIMIT',
      instances: 1,
      redis,
    });
    await expect(budget.take(Date.now() + 100)).rejects.toThrow('USERS_API_RATE_LIMIT=10/s');
  });

  it('a call whose reply came back after its slot reserves another instead of going late', async () => {
    let clock = 1_000_000;
    let lagOnce = true;
    // The first reply arrives 100 ms after Redis reserved (a busy event loop): slot 0 is missed.
    const redis = new FakeRedis(() => {
      const redisNow = String(clock * 1000);
      if (lagOnce) {
        lagOnce = false;
        clock += 100;
      }
      return [1, '0', redisNow];
    });
    const late: string[] = [];
    const budget = new RateBudget({
      upstream: 'users',
      perSecond: 10,
      variable: 'USERS_API_RATE_LIMIT',
      instances: 1,
      redis,
      now: () => clock,
      events: { late: (u) => late.push(u) },
    });
    await budget.take(clock + 5_000);
    expect(redis.calls).toBe(2);
    expect(late).toEqual(['users']);
  });

  it("counts the wait from Redis's reading of its clock, not from when the command was sent", async () => {
    let delayToRedis = 0;
    let redisNow = 0;
    const redis: BudgetRedis = {
      status: 'ready',
      async evalsha() {
        // The command reaches Redis `delayToRedis` ms after it was sent; the reply comes back at once.
        // With no delay there is no timer at all: the round trip is a few microtasks, so the first
        // reading places Redis's clock on ours to within a millisecond even on a loaded machine.
        if (delayToRedis > 0) await sleep(delayToRedis);
        redisNow = Date.now();
        return [1, '50000', String(redisNow * 1000)];
      },
      eval: () => Promise.reject(new Error('not used')),
    };
    const budget = new RateBudget({
      upstream: 'users',
      perSecond: 20,
      variable: 'USERS_API_RATE_LIMIT',
      instances: 1,
      redis,
    });
    // A quick round trip teaches the budget where Redis's clock is.
    await budget.take(Date.now() + 5_000);
    delayToRedis = 40;
    await budget.take(Date.now() + 5_000);
    const sentAt = Date.now();
    // Slot = Redis's instant + 50 ms; counted from the send it would be 40 ms early.
    expect(sentAt).toBeGreaterThanOrEqual(redisNow + 50 - 2);
  });
});
