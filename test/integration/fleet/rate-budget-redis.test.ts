// The rate budget's Lua script against a real redis-server: the same reservations as the pure GCRA,
// one budget across several limiter instances (as across gateway processes), the per-instance
// fallback while Redis is down and the return to the shared budget when it is back.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limitOf, reserve } from '../../../src/upstream/gcra.js';
import {
  RESERVE_SCRIPT,
  RateBudget,
  connectBudgetRedis,
} from '../../../src/upstream/rate-budget.js';
import { freePort, redisServerMissing } from '../../support/redis.js';

const missing = redisServerMissing();

/** A redis-server on a fixed port, so that a restart comes back where the clients look for it. */
async function redisOn(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null });
  probe.on('error', () => undefined);
  for (let i = 0; i < 200; i++) {
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return child;
    } catch {
      await sleep(25);
    }
  }
  throw new Error('redis-server did not start');
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe.skipIf(missing !== undefined)('rate budget through Redis', () => {
  let port: number;
  let server: ChildProcess;
  let raw: Redis;
  beforeAll(async () => {
    port = await freePort();
    server = await redisOn(port);
    raw = new Redis(port, '127.0.0.1');
    raw.on('error', () => undefined);
  });
  afterAll(async () => {
    raw.disconnect();
    await stop(server);
  });

  it('the script reserves exactly what the pure GCRA reserves', async () => {
    const limit = limitOf(100); // 10 ms apart, burst 5
    const args = [
      String(limit.intervalMs * 1000),
      String((limit.burst - 1) * limit.intervalMs * 1000),
    ];
    let tat = 0;
    // Back to back within one Redis-clock instant range: the waits follow the same staircase.
    const waits: number[] = [];
    const elapsed: number[] = [];
    const first = Date.now();
    for (let i = 0; i < 12; i++) {
      elapsed.push(Date.now() - first);
      const reply = (await raw.eval(RESERVE_SCRIPT, 1, 'test:gcra', ...args, '1000000')) as [
        number,
        string,
        string,
      ];
      // The reply carries Redis's clock (µs), which is this host's clock.
      expect(Math.abs(Number(reply[2]) / 1000 - Date.now())).toBeLessThan(1_000);
      waits.push(Number(reply[1]) / 1000);
    }
    const expected: number[] = [];
    const t0 = 0;
    for (let i = 0; i < 12; i++) {
      const r = reserve(tat, t0, limit, 1000);
      tat = r.tat;
      expected.push(r.waitMs);
    }
    // Redis's clock moves on between calls, which shortens a wait by exactly that much.
    waits.forEach((w, i) => {
      expect(w).toBeLessThanOrEqual((expected[i] ?? 0) + 0.001);
      expect(w).toBeGreaterThanOrEqual((expected[i] ?? 0) - (elapsed[i] ?? 0) - 2);
    });
    expect(waits.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    const refused = (await raw.eval(RESERVE_SCRIPT, 1, 'test:gcra', ...args, '0')) as [
      number,
      string,
    ];
    expect(refused[0]).toBe(0);
  });

  it('three limiters (three instances) share one budget; Redis down: each keeps its share; Redis back: shared again', async () => {
    const clients = [0, 1, 2].map(() => connectBudgetRedis(`redis://127.0.0.1:${port}`));
    await Promise.all(clients.map((c) => new Promise((r) => c.once('ready', r))));
    const events: string[] = [];
    const budgets = clients.map(
      (redis) =>
        new RateBudget({
          upstream: 'users',
          perSecond: 50,
          variable: 'USERS_API_RATE_LIMIT',
          instances: 3,
          redis,
          keyPrefix: 'test:fleet:',
          events: { fallback: (_u, active) => events.push(String(active)) },
        }),
    );
    // 30 calls offered at once across the fleet, each allowed to wait 10 s.
    const sends: number[] = [];
    const start = Date.now();
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        budgets[i % 3]?.take(Date.now() + 10_000).then(() => sends.push(Date.now() - start)),
      ),
    );
    // 50/s shared, burst 2: the 30th call goes about (30 − 2) × 20 ms after the first.
    expect(Math.max(...sends)).toBeGreaterThanOrEqual(500);
    expect(Math.max(...sends)).toBeLessThan(800);

    await stop(server);
    await sleep(100);
    const localStart = Date.now();
    const localSends: number[] = [];
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        budgets[i % 3]
          ?.take(Date.now() + 10_000)
          .then(() => localSends.push(Date.now() - localStart)),
      ),
    );
    expect(budgets.every((b) => b.degraded)).toBe(true);
    // Each instance alone: 50 ÷ 3 ≈ 16.7/s, 10 calls each ≈ 9 × 60 ms.
    expect(Math.max(...localSends)).toBeGreaterThanOrEqual(480);
    expect(Math.max(...localSends)).toBeLessThan(900);
    expect(events).toEqual(['true', 'true', 'true']);

    server = await redisOn(port);
    const until = Date.now() + 10_000;
    while (clients.some((c) => c.status !== 'ready') && Date.now() < until) await sleep(50);
    for (const b of budgets) await b.take(Date.now() + 10_000);
    expect(budgets.some((b) => b.degraded)).toBe(false);
    expect(events).toEqual(['true', 'true', 'true', 'false', 'false', 'false']);
    clients.forEach((c) => c.disconnect());
  });
});
