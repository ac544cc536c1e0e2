import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalGcra, limitOf, reserve } from '../../../src/upstream/gcra.js';

describe('GCRA with reservations', () => {
  it('never sends more than burst + W / interval calls in any window W, whatever the arrivals', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 0, max: 5_000 }),
        fc.integer({ min: 50, max: 3_000 }),
        (perSecond, gaps, maxWaitMs, window) => {
          const limit = limitOf(perSecond);
          let tat = 0;
          let now = 0;
          const sends: number[] = [];
          for (const gap of gaps) {
            now += gap;
            const r = reserve(tat, now, limit, maxWaitMs);
            tat = r.tat;
            if (r.ok) {
              expect(r.waitMs).toBeGreaterThanOrEqual(0);
              expect(r.waitMs).toBeLessThanOrEqual(maxWaitMs);
              sends.push(now + r.waitMs);
            } else {
              expect(r.waitMs).toBeGreaterThan(maxWaitMs);
            }
          }
          sends.sort((a, b) => a - b);
          // Oracle: count the sends in [s, s + window) from every send time.
          for (let i = 0; i < sends.length; i++) {
            const start = sends[i] ?? 0;
            const inWindow = sends.filter((s) => s >= start && s < start + window).length;
            expect(inWindow).toBeLessThan(limit.burst + window / limit.intervalMs + 1e-6);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('lets the burst through at once, then spaces calls one interval apart', () => {
    let now = 1_000;
    const g = new LocalGcra({ intervalMs: 100, burst: 3 }, () => now);
    const waits = Array.from({ length: 6 }, () => g.reserve(10_000).waitMs);
    expect(waits).toEqual([0, 0, 0, 100, 200, 300]);
    now += 1_000;
    expect(g.reserve(10_000).waitMs).toBe(0);
  });

  it('refuses without reserving when the slot is further than the caller can wait', () => {
    let now = 0;
    const g = new LocalGcra({ intervalMs: 100, burst: 1 }, () => now);
    expect(g.reserve(0)).toMatchObject({ ok: true, waitMs: 0 });
    expect(g.reserve(50)).toMatchObject({ ok: false, waitMs: 100 });
    // The refusal reserved nothing: the next caller with room gets the same slot.
    expect(g.reserve(100)).toMatchObject({ ok: true, waitMs: 100 });
    now += 1;
  });

  it('5 % of a second as burst, at least one call', () => {
    expect(limitOf(20)).toEqual({ intervalMs: 50, burst: 1 });
    expect(limitOf(200)).toEqual({ intervalMs: 5, burst: 10 });
  });
});
