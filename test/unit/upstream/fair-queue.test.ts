import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FairQueue } from '../../../src/upstream/fair-queue.js';

/**
 * The oracle: a flat list of waiting calls and a clock. A tenant's (and a request's) stamp is the
 * time it last started waiting or was last served; the next grant goes to the eligible call with the
 * smallest tenant stamp, then request stamp, then arrival. Linear scans, no rings.
 */
class Oracle {
  private clock = 0;
  private readonly calls: { tenant: string; request: string; item: number }[] = [];
  private readonly tenantStamp = new Map<string, number>();
  private readonly requestStamp = new Map<string, number>();
  readonly running = new Map<string, number>();
  inFlight = 0;

  constructor(
    private readonly capacity: number,
    private readonly perRequest: number,
  ) {}

  push(tenant: string, request: string, item: number): number[] {
    if (!this.calls.some((c) => c.tenant === tenant)) this.tenantStamp.set(tenant, ++this.clock);
    if (!this.calls.some((c) => c.tenant === tenant && c.request === request)) {
      this.requestStamp.set(tenant + '/' + request, ++this.clock);
    }
    this.calls.push({ tenant, request, item });
    return this.dispatch();
  }

  release(request: string): number[] {
    this.running.set(request, (this.running.get(request) ?? 0) - 1);
    this.inFlight--;
    return this.dispatch();
  }

  remove(item: number): boolean {
    const i = this.calls.findIndex((c) => c.item === item);
    if (i < 0) return false;
    this.calls.splice(i, 1);
    return true;
  }

  private dispatch(): number[] {
    const granted: number[] = [];
    while (this.inFlight < this.capacity) {
      const eligible = this.calls.filter(
        (c) => (this.running.get(c.request) ?? 0) < this.perRequest,
      );
      if (eligible.length === 0) break;
      const key = (c: { tenant: string; request: string }): [number, number] => [
        this.tenantStamp.get(c.tenant) ?? 0,
        this.requestStamp.get(c.tenant + '/' + c.request) ?? 0,
      ];
      let best = eligible[0];
      for (const c of eligible) {
        if (best === undefined) break;
        const [ta, ra] = key(c);
        const [tb, rb] = key(best);
        if (ta < tb || (ta === tb && ra < rb)) best = c;
      }
      if (best === undefined) break;
      const chosen = best;
      this.calls.splice(this.calls.indexOf(chosen), 1);
      this.running.set(chosen.request, (this.running.get(chosen.request) ?? 0) + 1);
      this.inFlight++;
      granted.push(chosen.item);
      if (this.calls.some((c) => c.tenant === chosen.tenant)) {
        this.tenantStamp.set(chosen.tenant, ++this.clock);
      }
      if (this.calls.some((c) => c.tenant === chosen.tenant && c.request === chosen.request)) {
        this.requestStamp.set(chosen.tenant + '/' + chosen.request, ++this.clock);
      }
    }
    return granted;
  }

  eligibleWaiting(): boolean {
    return this.calls.some((c) => (this.running.get(c.request) ?? 0) < this.perRequest);
  }
}

const ops = fc.array(
  fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        op: fc.constant('push' as const),
        tenant: fc.nat(3),
        request: fc.nat(5),
        // Try tryTake first, as the fair-share step does.
        fast: fc.boolean(),
      }),
    },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('release' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('remove' as const), pick: fc.nat() }) },
  ),
  { maxLength: 200 },
);

describe('FairQueue', () => {
  it('grants exactly what the least-recently-served oracle grants (through push or tryTake), within both caps, never idle while eligible work waits', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        ops,
        (capacity, perRequest, sequence) => {
          // A request belongs to one tenant, as a GraphQL request has one credential per upstream.
          const requestOf = (tenant: number, request: number): string => `t${tenant}r${request}`;
          const q = new FairQueue<string, number>(capacity, perRequest);
          const o = new Oracle(capacity, perRequest);
          const granted: { item: number; request: string }[] = [];
          const waiting: number[] = [];
          const requestOfItem = new Map<number, string>();
          let next = 0;
          for (const step of sequence) {
            let got: number[];
            let want: number[];
            if (step.op === 'push') {
              const request = requestOf(step.tenant, step.request);
              const item = next++;
              requestOfItem.set(item, request);
              waiting.push(item);
              want = o.push(`t${step.tenant}`, request, item);
              // tryTake grants only what push would grant at once, and only when nothing waits.
              got =
                step.fast && q.tryTake(request) ? [item] : q.push(`t${step.tenant}`, request, item);
            } else if (step.op === 'release') {
              const g = granted[step.pick % Math.max(1, granted.length)];
              if (g === undefined) continue;
              granted.splice(granted.indexOf(g), 1);
              got = q.release(g.request);
              want = o.release(g.request);
            } else {
              const item = waiting[step.pick % Math.max(1, waiting.length)];
              if (item === undefined) continue;
              waiting.splice(waiting.indexOf(item), 1);
              expect(q.remove(item)).toBe(o.remove(item));
              got = [];
              want = [];
            }
            expect(got).toEqual(want);
            for (const item of got) {
              waiting.splice(waiting.indexOf(item), 1);
              granted.push({ item, request: requestOfItem.get(item) ?? '' });
            }
            expect(q.inFlight).toBe(o.inFlight);
            expect(q.inFlight).toBeLessThanOrEqual(capacity);
            for (const r of new Set(granted.map((g) => g.request))) {
              expect(q.runningFor(r)).toBeLessThanOrEqual(perRequest);
            }
            // Work-conserving: a free slot and an eligible waiting call never coexist.
            if (q.inFlight < capacity) expect(o.eligibleWaiting()).toBe(false);
            expect(q.queued).toBe(waiting.length);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a light request behind a heavy one is served after at most one heavy grant', () => {
    const q = new FairQueue<string, string>(2, 16);
    const firstGrants = [
      ...Array.from({ length: 100 }, (_, i) => q.push('heavy', 'H', `h${i}`)),
    ].flat();
    expect(firstGrants).toEqual(['h0', 'h1']);
    expect(q.push('light', 'L', 'l0')).toEqual([]);
    // The heavy request was served before the light one started waiting: one more turn, then light.
    expect(q.release('H')).toEqual(['h2']);
    expect(q.release('H')).toEqual(['l0']);
    expect(q.release('H')).toEqual(['h3']);
  });

  it('round-robins across tenants before requests of one tenant', () => {
    const q = new FairQueue<string, string>(1, 10);
    q.push('a', 'a1', 'x');
    q.push('a', 'a1', 'a1-1');
    q.push('a', 'a2', 'a2-1');
    q.push('b', 'b1', 'b1-1');
    q.push('a', 'a2', 'a2-2');
    const order: string[] = [];
    let grants = q.release('a1');
    while (grants.length > 0) {
      order.push(...grants);
      const g = grants[0] ?? '';
      grants = q.release(g.split('-')[0] ?? '');
    }
    expect(order).toEqual(['a1-1', 'b1-1', 'a2-1', 'a2-2']);
  });

  it('keeps a request at its cap out of the way without losing its place', () => {
    const q = new FairQueue<string, string>(4, 1);
    expect(q.push('a', 'A', 'a1')).toEqual(['a1']);
    expect(q.push('a', 'A', 'a2')).toEqual([]);
    expect(q.push('b', 'B', 'b1')).toEqual(['b1']);
    expect(q.inFlight).toBe(2);
    expect(q.release('A')).toEqual(['a2']);
  });
});
