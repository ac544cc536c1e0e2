import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planWindow, type PageRequest } from '../../../src/pagination/planner.js';

/** Offsets [start, end) of a request. */
function span({ page, pageSize }: PageRequest): [number, number] {
  return [(page - 1) * pageSize, page * pageSize];
}

function covers(plan: PageRequest[], offset: number, count: number): boolean {
  for (let k = offset; k < offset + count; k++) {
    if (!plan.some((r) => span(r)[0] <= k && k < span(r)[1])) return false;
  }
  return true;
}

function rows(plan: PageRequest[]): number {
  return plan.reduce((sum, r) => sum + r.pageSize, 0);
}

/**
 * Brute force, formulated differently from the planner: one page of size s holds both ends, or
 * some page holding the first offset and some page holding the last one leave no gap between them.
 * Returns the fewest requests and, for that count, the fewest rows.
 */
function oracle(offset: number, count: number, max: number): { requests: number; rows: number } {
  const last = offset + count - 1;
  for (let s = 1; s <= max; s++) {
    if (Math.floor(offset / s) === Math.floor(last / s)) {
      // The smallest size holding both ends is the cheapest single request.
      return { requests: 1, rows: s };
    }
  }
  let best = Infinity;
  for (let s1 = 1; s1 <= max; s1++) {
    const end1 = (Math.floor(offset / s1) + 1) * s1;
    for (let s2 = 1; s2 <= max; s2++) {
      const start2 = Math.floor(last / s2) * s2;
      if (start2 <= end1) best = Math.min(best, s1 + s2);
    }
  }
  return { requests: 2, rows: best };
}

const windowArb = fc.integer({ min: 1, max: 100 }).chain((max) =>
  fc.record({
    max: fc.constant(max),
    count: fc.integer({ min: 1, max }),
    offset: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 1_000_000 })),
  }),
);

describe('planWindow', () => {
  it('covers the window with the brute-force minimum of requests, then of rows', () => {
    fc.assert(
      fc.property(windowArb, ({ max, count, offset }) => {
        const plan = planWindow(offset, count, max);
        const best = oracle(offset, count, max);
        expect(covers(plan, offset, count)).toBe(true);
        expect(plan.length).toBeLessThanOrEqual(2);
        expect(plan.length).toBe(best.requests);
        expect(rows(plan)).toBe(best.rows);
        for (const r of plan) {
          expect(r.pageSize).toBeGreaterThanOrEqual(1);
          expect(r.pageSize).toBeLessThanOrEqual(max);
          expect(r.page).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('agrees with the brute force on every small case', () => {
    for (let max = 1; max <= 12; max++) {
      for (let count = 1; count <= max; count++) {
        for (let offset = 0; offset <= 60; offset++) {
          const plan = planWindow(offset, count, max);
          const best = oracle(offset, count, max);
          const ok =
            covers(plan, offset, count) &&
            plan.length === best.requests &&
            rows(plan) === best.rows;
          if (!ok) expect({ max, count, offset, plan }).toEqual({ max, count, offset, best });
        }
      }
    }
  });

  it('splits a window larger than the maximum into consecutive pages of the maximum', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 0, max: 100_000 }),
        (max, extra, offset) => {
          const count = max + extra;
          const plan = planWindow(offset, count, max);
          const firstPage = Math.floor(offset / max) + 1;
          const lastPage = Math.floor((offset + count - 1) / max) + 1;
          expect(plan).toEqual(
            Array.from({ length: lastPage - firstPage + 1 }, (_, i) => ({
              page: firstPage + i,
              pageSize: max,
            })),
          );
          expect(covers(plan, offset, count)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is deterministic and lists requests in offset order', () => {
    fc.assert(
      fc.property(windowArb, ({ max, count, offset }) => {
        const plan = planWindow(offset, count, max);
        expect(planWindow(offset, count, max)).toEqual(plan);
        const starts = plan.map((r) => span(r)[0]);
        expect([...starts].sort((a, b) => a - b)).toEqual(starts);
      }),
      { numRuns: 100 },
    );
  });

  it('answers known cases', () => {
    // Aligned: the page of that size.
    expect(planWindow(20, 20, 100)).toEqual([{ page: 2, pageSize: 20 }]);
    // Misaligned: a slightly larger page holds it.
    expect(planWindow(21, 20, 100)).toEqual([{ page: 2, pageSize: 21 }]);
    expect(planWindow(19, 20, 100)).toEqual([{ page: 1, pageSize: 39 }]);
    // n = max and misaligned: two pages, fewest rows.
    expect(planWindow(150, 100, 100)).toHaveLength(2);
    expect(planWindow(0, 1, 1)).toEqual([{ page: 1, pageSize: 1 }]);
    expect(planWindow(5, 0, 100)).toEqual([]);
  });

  it('rejects arguments that are not counts', () => {
    expect(() => planWindow(-1, 1, 10)).toThrow(RangeError);
    expect(() => planWindow(0, 1.5, 10)).toThrow(RangeError);
    expect(() => planWindow(0, 1, 0)).toThrow(RangeError);
    expect(() => planWindow(Number.NaN, 1, 10)).toThrow(RangeError);
  });
});
