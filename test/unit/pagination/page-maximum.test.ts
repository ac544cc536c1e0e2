import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PageMaximum,
  clampEvidence,
  type AnsweredPage,
} from '../../../src/pagination/page-maximum.js';

const PROBE_AFTER = 60_000;
const fresh = (configured = 100): PageMaximum =>
  new PageMaximum({ configured, probeAfterMs: PROBE_AFTER });

const anyAnswer: fc.Arbitrary<AnsweredPage> = fc.record({
  source: fc.constantFrom('a', 'b', 'c', 'd'),
  asked: fc.record({
    page: fc.integer({ min: 1, max: 40 }),
    pageSize: fc.integer({ min: 1, max: 150 }),
  }),
  page: fc.integer({ min: 0, max: 40 }),
  pageSize: fc.integer({ min: 0, max: 150 }),
  rows: fc.integer({ min: 0, max: 150 }),
  totalItems: fc.integer({ min: 0, max: 5000 }),
});

/** An answer that is a clamp to `size`, unambiguously: full page, rows after it, page as asked. */
const clamp = (size: number, source: string, page = 1): AnsweredPage => ({
  source,
  asked: { page, pageSize: 100 },
  page,
  pageSize: size,
  rows: size,
  totalItems: page * size + 1,
});

/** Answers arriving at increasing times. */
const timeline = fc.array(fc.tuple(anyAnswer, fc.integer({ min: 0, max: 2 * PROBE_AFTER })), {
  maxLength: 40,
});

describe('PageMaximum', () => {
  it('stays within [floor, configured], whatever the answers and the clock', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), timeline, (configured, events) => {
        const maximum = fresh(configured);
        let now = 0;
        for (const [answer, step] of events) {
          now += step;
          maximum.observe(answer, now);
          for (const size of [maximum.current, maximum.planningSize(now)]) {
            expect(size).toBeGreaterThanOrEqual(maximum.floor);
            expect(size).toBeLessThanOrEqual(configured);
          }
        }
      }),
    );
  });

  it('is never lowered by the answers of one request alone (a cached or repeated answer)', () => {
    fc.assert(
      fc.property(timeline, (events) => {
        const maximum = fresh();
        let now = 0;
        for (const [answer, step] of events) {
          now += step;
          maximum.observe({ ...answer, source: 'one request' }, now);
        }
        expect(maximum.current).toBe(100);
      }),
    );
  });

  it('is never lowered by final or partial pages', () => {
    const partialOrFinal = anyAnswer.filter(
      (a) => a.rows !== a.pageSize || a.page * a.pageSize >= a.totalItems,
    );
    fc.assert(
      fc.property(fc.array(partialOrFinal, { maxLength: 40 }), (answers) => {
        const maximum = fresh();
        answers.forEach((answer, i) => maximum.observe(answer, i));
        expect(maximum.current).toBe(100);
      }),
    );
  });

  it('learns a size from two requests that echo it, never below the floor', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 5 }), (size, page) => {
        const maximum = fresh();
        maximum.observe(clamp(size, 'a', page), 0);
        expect(maximum.current).toBe(100);
        maximum.observe(clamp(size, 'b', page + 1), 1);
        expect(maximum.current).toBe(Math.max(size, maximum.floor));
      }),
    );
  });

  it('does not learn from two different sizes, nor from the same request twice', () => {
    const maximum = fresh();
    maximum.observe(clamp(25, 'a'), 0);
    maximum.observe(clamp(25, 'a'), 1);
    maximum.observe(clamp(30, 'b'), 2);
    maximum.observe(clamp(25, 'c'), 3);
    expect(maximum.current).toBe(100);
    maximum.observe(clamp(25, 'd'), 4);
    expect(maximum.current).toBe(25);
  });

  it('recovers: an answer with more rows than the learned maximum refutes it', () => {
    const maximum = fresh();
    maximum.observe(clamp(25, 'a'), 0);
    maximum.observe(clamp(25, 'b'), 0);
    expect(maximum.current).toBe(25);
    maximum.observe(
      {
        source: 'c',
        asked: { page: 1, pageSize: 100 },
        page: 1,
        pageSize: 100,
        rows: 40,
        totalItems: 40,
      },
      1,
    );
    expect(maximum.current).toBe(100);
  });

  it('recovers: once per interval one call plans with the configured maximum again', () => {
    const maximum = fresh();
    maximum.observe(clamp(25, 'a'), 1_000);
    maximum.observe(clamp(25, 'b'), 1_000);
    expect(maximum.planningSize(1_000 + PROBE_AFTER - 1)).toBe(25);
    expect(maximum.planningSize(1_000 + PROBE_AFTER)).toBe(100);
    // Only that one call: the others keep planning with what is known.
    expect(maximum.planningSize(1_000 + PROBE_AFTER)).toBe(25);
    expect(maximum.planningSize(1_000 + 2 * PROBE_AFTER - 1)).toBe(25);
    expect(maximum.planningSize(1_000 + 2 * PROBE_AFTER)).toBe(100);
    // The probe's answer is a full page of 100: the limit was lifted.
    maximum.observe(
      {
        source: 'p',
        asked: { page: 1, pageSize: 100 },
        page: 1,
        pageSize: 100,
        rows: 100,
        totalItems: 500,
      },
      1_000 + 2 * PROBE_AFTER,
    );
    expect(maximum.current).toBe(100);
    expect(maximum.planningSize(1_000 + 10 * PROBE_AFTER)).toBe(100);
  });

  it('never probes while nothing is learned', () => {
    fc.assert(
      fc.property(fc.nat(), (now) => {
        expect(fresh(40).planningSize(now)).toBe(40);
      }),
    );
  });
});

describe('clampEvidence', () => {
  it('is a size exactly for a full, non-final page echoing less than asked, for the page asked', () => {
    fc.assert(
      fc.property(anyAnswer, (answer) => {
        const oracle =
          answer.pageSize >= 1 &&
          answer.pageSize < answer.asked.pageSize &&
          answer.page === answer.asked.page &&
          answer.rows === answer.pageSize &&
          answer.page * answer.pageSize < answer.totalItems;
        expect(clampEvidence(answer)).toBe(oracle ? answer.pageSize : undefined);
      }),
    );
  });
});
