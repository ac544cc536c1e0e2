import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_LIST_OFFSET,
  paginate,
  validateConnectionArgs,
  type Connection,
  type ConnectionArgs,
  type FetchedPage,
  type PaginateOptions,
} from '../../../src/pagination/connection.js';
import { decodeCursor, encodeCursor, listFingerprint } from '../../../src/pagination/cursor.js';
import { PaginationInputError } from '../../../src/pagination/errors.js';
import type { PageRequest } from '../../../src/pagination/planner.js';

interface Item {
  id: string;
}

const FP = listFingerprint({ accountId: '1001', filter: {}, order: 'upstream' });
const OTHER_FP = listFingerprint({
  accountId: '1001',
  filter: { lastName: 'X' },
  order: 'upstream',
});
const DEFAULT_FIRST = 20;
const ALL = Array.from({ length: 3200 }, (_, i): Item => ({ id: String(1000 + i) }));

function makeList(size: number): Item[] {
  return ALL.slice(0, size);
}

function insert(list: Item[], at: number, n: number): Item[] {
  const added = Array.from({ length: n }, (_, i) => ({ id: `new-${at}-${i}` }));
  return [...list.slice(0, at), ...added, ...list.slice(at)];
}

function remove(list: Item[], at: number, n: number): Item[] {
  return [...list.slice(0, at), ...list.slice(at + n)];
}

/**
 * The users API as the contract describes it, over an in-memory list: page_size clamped to its
 * real maximum (and echoed), a page past the end is empty. `list` may be replaced between or
 * during calls; `onCall` runs before call number `n` (0-based) is answered.
 */
class FakeUpstream {
  readonly calls: PageRequest[] = [];

  constructor(
    public list: Item[],
    readonly realMax: number,
    private readonly onCall?: (n: number, upstream: FakeUpstream) => void,
  ) {}

  fetchPage = async (request: PageRequest): Promise<FetchedPage<Item>> => {
    this.onCall?.(this.calls.length, this);
    this.calls.push(request);
    const pageSize = Math.min(request.pageSize, this.realMax);
    const start = (request.page - 1) * pageSize;
    return {
      items: this.list.slice(start, start + pageSize),
      page: request.page,
      pageSize,
      totalItems: this.list.length,
    };
  };

  /** Offsets [start, end) each call covered, as answered. */
  spans(from = 0): [number, number][] {
    return this.calls.slice(from).map(({ page, pageSize }) => {
      const size = Math.min(pageSize, this.realMax);
      return [(page - 1) * size, page * size];
    });
  }
}

interface Setup {
  believedMax?: number;
  maxFirst?: number;
  secret?: string | undefined;
  learned?: number[];
}

function optionsFor(upstream: FakeUpstream, setup: Setup = {}): PaginateOptions<Item> {
  const learned = setup.learned;
  return {
    fetchPage: upstream.fetchPage,
    idOf: (item) => item.id,
    fingerprint: FP,
    upstreamMaxPageSize: setup.believedMax ?? upstream.realMax,
    maxFirst: setup.maxFirst ?? 100,
    defaultFirst: DEFAULT_FIRST,
    secret: setup.secret,
    // Each newly revealed maximum: an answer echoing less than asked and than any maximum so far.
    ...(learned && {
      onAnswer: (request: PageRequest, answer: { pageSize: number }) => {
        const known = learned[learned.length - 1] ?? setup.believedMax ?? upstream.realMax;
        if (answer.pageSize < request.pageSize && answer.pageSize < known) {
          learned.push(answer.pageSize);
        }
      },
    }),
  };
}

/** Arguments by offsets, turned into real cursors over `list` by `toArgs`. */
interface OffsetArgs {
  first?: number;
  last?: number;
  after?: number;
  before?: number;
}

/** A cursor for `offset`: the real one inside the list, a dangling one past its end. */
function cursorAt(list: Item[], offset: number, secret?: string): string {
  return encodeCursor({ offset, anchor: list[offset]?.id ?? 'gone' }, FP, secret);
}

function toArgs(list: Item[], args: OffsetArgs, secret?: string): ConnectionArgs {
  return {
    first: args.first ?? null,
    last: args.last ?? null,
    after: args.after === undefined ? null : cursorAt(list, args.after, secret),
    before: args.before === undefined ? null : cursorAt(list, args.before, secret),
  };
}

interface Expected {
  offsets: number[];
  hasPreviousPage: boolean;
  hasNextPage: boolean;
  totalCount: number;
}

/**
 * Relay Cursor Connections spec over the whole list, by edge offsets, with the contract's exact
 * choices: a cursor past the end gives an empty page; cursors with nothing between them select
 * nothing; hasPreviousPage / hasNextPage say whether any row exists before / after the returned
 * edges (for an empty page: before / at the position where paging stopped).
 */
function oracle(list: Item[], args: OffsetArgs, maxFirst = 100): Expected {
  const total = list.length;
  const pastEnd = (args.after ?? -1) >= total || (args.before ?? -1) >= total;
  // ApplyCursorsToEdges(allEdges, before, after)
  let edges = pastEnd ? [] : list.map((_, i) => i);
  if (args.after !== undefined) {
    const afterEdge = edges.indexOf(args.after);
    if (afterEdge >= 0) edges = edges.slice(afterEdge + 1);
  }
  if (args.before !== undefined) {
    const before = args.before;
    edges = edges.filter((i) => i < before);
  }
  // EdgesToReturn(allEdges, before, after, first, last)
  // Neither first nor last: the default, capped at the largest first allowed.
  const first =
    args.last === undefined ? (args.first ?? Math.min(DEFAULT_FIRST, maxFirst)) : undefined;
  if (first !== undefined) edges = edges.slice(0, first);
  if (args.last !== undefined) edges = args.last === 0 ? [] : edges.slice(-args.last);
  const firstEdge = edges[0];
  const lastEdge = edges[edges.length - 1];
  if (firstEdge !== undefined && lastEdge !== undefined) {
    return {
      offsets: edges,
      hasPreviousPage: firstEdge > 0,
      hasNextPage: lastEdge < total - 1,
      totalCount: total,
    };
  }
  const position = pastEnd
    ? total
    : args.last !== undefined
      ? (args.before ?? total)
      : args.after === undefined
        ? 0
        : args.after + 1;
  return {
    offsets: [],
    hasPreviousPage: position > 0,
    hasNextPage: position < total,
    totalCount: total,
  };
}

/** Edge offsets read back from the cursors, checked against the nodes they anchor. */
function offsetsOf(connection: Connection<Item>, secret?: string): number[] {
  return connection.edges.map((edge) => {
    const pos = decodeCursor(edge.cursor, FP, 'after', secret);
    expect(pos.anchor).toBe(edge.node.id);
    return pos.offset;
  });
}

function expectMatches(
  connection: Connection<Item>,
  list: Item[],
  expected: Expected,
  secret?: string,
) {
  const offsets = offsetsOf(connection, secret);
  expect(offsets).toEqual(expected.offsets);
  expect(connection.edges.map((e) => e.node)).toEqual(expected.offsets.map((i) => list[i]));
  expect(connection.totalCount).toBe(expected.totalCount);
  expect(connection.pageInfo).toEqual({
    hasPreviousPage: expected.hasPreviousPage,
    hasNextPage: expected.hasNextPage,
    startCursor: connection.edges[0]?.cursor ?? null,
    endCursor: connection.edges[connection.edges.length - 1]?.cursor ?? null,
  });
}

/** pageInfo agrees with the edges and totalCount returned, whatever the list did meanwhile. */
function expectSelfConsistent(connection: Connection<Item>) {
  const offsets = offsetsOf(connection);
  offsets.forEach((o, i) => i > 0 && expect(o).toBe((offsets[i - 1] ?? 0) + 1));
  const first = offsets[0];
  const last = offsets[offsets.length - 1];
  if (first !== undefined && last !== undefined) {
    expect(connection.pageInfo.hasPreviousPage).toBe(first > 0);
    expect(connection.pageInfo.hasNextPage).toBe(last + 1 < connection.totalCount);
    expect(last).toBeLessThan(connection.totalCount);
  }
}

/** Whether one page of some size s <= max holds offsets [start, end). */
function onePageHolds(start: number, end: number, max: number): boolean {
  for (let s = end - start; s <= max; s++) {
    if (Math.floor(start / s) === Math.floor((end - 1) / s)) return true;
  }
  return false;
}

/** The contract's cost bounds for a static list (no clamping). */
function expectWithinBounds(
  list: Item[],
  args: OffsetArgs,
  max: number,
  maxFirst: number,
  requests: number,
) {
  const total = list.length;
  const count = args.last ?? args.first ?? Math.min(DEFAULT_FIRST, maxFirst);
  if (count === 0) {
    expect(requests).toBe(1);
    return;
  }
  if (count > max) return; // no bound promised: the window needs pages of the maximum
  if (args.last !== undefined && args.before === undefined) {
    expect(requests).toBeLessThanOrEqual(3);
    if (total <= max) expect(requests).toBe(1);
    return;
  }
  const lower = args.after === undefined ? 0 : args.after + 1;
  const [start, end] =
    args.last === undefined
      ? [lower, Math.min(lower + count, args.before ?? Infinity)]
      : [Math.max(lower, (args.before ?? 0) - count), args.before ?? 0];
  if (end <= start) {
    expect(requests).toBe(1);
    return;
  }
  expect(requests).toBeLessThanOrEqual(2);
  if (onePageHolds(start, end, max)) expect(requests).toBe(1);
}

const offsetArgsArb = (size: number, maxFirst: number): fc.Arbitrary<OffsetArgs> => {
  const cursor = fc.option(
    size > 0
      ? fc.oneof(
          { weight: 8, arbitrary: fc.integer({ min: 0, max: size - 1 }) },
          { weight: 1, arbitrary: fc.integer({ min: size, max: size + 200 }) },
        )
      : fc.integer({ min: 0, max: 200 }),
    { nil: undefined, freq: 3 },
  );
  const count = fc.oneof(fc.integer({ min: 0, max: maxFirst }), fc.constantFrom(0, 1, maxFirst));
  return fc
    .record({
      backward: fc.boolean(),
      count: fc.option(count, { nil: undefined, freq: 6 }),
      after: cursor,
      before: cursor,
      mixed: fc.integer({ min: 0, max: 5 }),
    })
    .map(({ backward, count, after, before, mixed }) => {
      const args: OffsetArgs = {};
      // Mostly the usual pairs (first/after, last/before); sometimes both cursors.
      if (backward) {
        args.last = count ?? Math.min(10, maxFirst);
        if (before !== undefined) args.before = before;
        if (after !== undefined && mixed === 0) args.after = after;
      } else {
        if (count !== undefined) args.first = count;
        if (after !== undefined) args.after = after;
        if (before !== undefined && mixed === 0) args.before = before;
      }
      return args;
    });
};

const scenarioArb = fc
  .record({
    max: fc.oneof(fc.constant(100), fc.integer({ min: 1, max: 100 })),
    maxFirstIsMax: fc.boolean(),
  })
  .chain(({ max, maxFirstIsMax }) => {
    const maxFirst = maxFirstIsMax ? max : 100;
    const size = fc.oneof(
      fc.constantFrom(0, 1, Math.max(0, max - 1), max, max + 1),
      fc.integer({ min: 0, max: 3000 }),
    );
    return fc.record({
      max: fc.constant(max),
      maxFirst: fc.constant(maxFirst),
      size,
      secret: fc.option(fc.constant('s3cret'), { nil: undefined }),
    });
  })
  .chain((s) => fc.record({ s: fc.constant(s), args: offsetArgsArb(s.size, s.maxFirst) }));

describe('paginate against the Relay oracle', () => {
  it('returns exactly the oracle page within the request bounds', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ s, args }) => {
        const list = makeList(s.size);
        const upstream = new FakeUpstream(list, s.max);
        const result = await paginate(
          toArgs(list, args, s.secret),
          optionsFor(upstream, { maxFirst: s.maxFirst, ...(s.secret && { secret: s.secret }) }),
        );
        expectMatches(result, list, oracle(list, args, s.maxFirst), s.secret);
        expectWithinBounds(list, args, s.max, s.maxFirst, upstream.calls.length);
      }),
      { numRuns: 1500 },
    );
  });

  it('is correct when the upstream clamps below the believed maximum', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 60 }),
        fc
          .integer({ min: 0, max: 1500 })
          .chain((size) => fc.tuple(fc.constant(size), offsetArgsArb(size, 100))),
        async (realMax, [size, args]) => {
          const list = makeList(size);
          const learned: number[] = [];
          const upstream = new FakeUpstream(list, realMax);
          const result = await paginate(
            toArgs(list, args),
            optionsFor(upstream, { believedMax: 100, learned }),
          );
          expectMatches(result, list, oracle(list, args));
          const clamped = upstream.calls.some((c) => c.pageSize > realMax);
          expect(learned).toEqual(clamped ? [realMax] : []);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('visits every item exactly once, in order, walking forward and backward', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 0, max: 700 }),
        fc.integer({ min: 1, max: 100 }),
        fc.option(fc.constant('s3cret'), { nil: undefined }),
        async (max, size, pageSize, secret) => {
          const k = Math.max(pageSize, Math.ceil(size / 40));
          const list = makeList(size);
          const upstream = new FakeUpstream(list, max);
          const options = optionsFor(upstream, { secret });

          const forward: Item[] = [];
          let page = await paginate({ first: k }, options);
          expect(page.pageInfo.hasPreviousPage).toBe(false);
          forward.push(...page.edges.map((e) => e.node));
          while (page.pageInfo.hasNextPage) {
            page = await paginate({ first: k, after: page.pageInfo.endCursor }, options);
            expect(page.pageInfo.hasPreviousPage).toBe(true);
            forward.push(...page.edges.map((e) => e.node));
          }
          expect(forward).toEqual(list);

          const backward: Item[] = [];
          page = await paginate({ last: k }, options);
          expect(page.pageInfo.hasNextPage).toBe(false);
          backward.unshift(...page.edges.map((e) => e.node));
          while (page.pageInfo.hasPreviousPage) {
            page = await paginate({ last: k, before: page.pageInfo.startCursor }, options);
            expect(page.pageInfo.hasNextPage).toBe(true);
            backward.unshift(...page.edges.map((e) => e.node));
          }
          expect(backward).toEqual(list);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('sends identical requests for identical arguments', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ s, args }) => {
        const list = makeList(s.size);
        const a = new FakeUpstream(list, s.max);
        const b = new FakeUpstream(list, s.max);
        await paginate(toArgs(list, args), optionsFor(a, { maxFirst: s.maxFirst }));
        await paginate(toArgs(list, args), optionsFor(b, { maxFirst: s.maxFirst }));
        expect(b.calls).toEqual(a.calls);
      }),
      { numRuns: 100 },
    );
  });
});

describe('paginate: arguments and cursors', () => {
  const list = makeList(50);
  const upstream = new FakeUpstream(list, 100);
  const signed = { ...optionsFor(upstream), secret: 'k' };
  const cursor = cursorAt(list, 10);
  const signedCursor = cursorAt(list, 10, 'k');
  const flip = (c: string, i: number) =>
    c.slice(0, i) + (c.charAt(i) === 'A' ? 'B' : 'A') + c.slice(i + 1);

  const bad: [string, ConnectionArgs, PaginateOptions<Item>, string][] = [
    ['first and last', { first: 1, last: 1 }, optionsFor(upstream), 'last'],
    ['negative first', { first: -1 }, optionsFor(upstream), 'first'],
    ['negative last', { last: -5 }, optionsFor(upstream), 'last'],
    ['first above the maximum', { first: 101 }, optionsFor(upstream), 'first'],
    ['last above the maximum', { last: 101 }, optionsFor(upstream), 'last'],
    ['non-integer first', { first: 1.5 }, optionsFor(upstream), 'first'],
    ['NaN last', { last: Number.NaN }, optionsFor(upstream), 'last'],
    ['garbage after', { after: 'not-a-cursor!' }, optionsFor(upstream), 'after'],
    ['garbage before', { last: 2, before: 'eyJ9' }, optionsFor(upstream), 'before'],
    [
      'cursor of another list',
      { after: encodeCursor({ offset: 1, anchor: '1001' }, OTHER_FP) },
      optionsFor(upstream),
      'after',
    ],
    ['tampered signed cursor', { after: flip(signedCursor, 3) }, signed, 'after'],
    ['tampered signature', { after: flip(signedCursor, signedCursor.length - 3) }, signed, 'after'],
    ['unsigned cursor with a secret', { before: cursor, last: 1 }, signed, 'before'],
  ];

  it.each(bad)('rejects %s before calling the upstream', async (_, args, options, argument) => {
    const before = upstream.calls.length;
    const error: unknown = await paginate(args, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaginationInputError);
    expect(error).toMatchObject({ argumentName: argument });
    expect(upstream.calls.length).toBe(before);
  });

  it('validates arguments on their own', () => {
    expect(() => validateConnectionArgs({}, 100)).not.toThrow();
    expect(() => validateConnectionArgs({ first: 0 }, 100)).not.toThrow();
    expect(() => validateConnectionArgs({ last: 100 }, 100)).not.toThrow();
    expect(() => validateConnectionArgs({ first: null, last: 3 }, 100)).not.toThrow();
    expect(() => validateConnectionArgs({ first: 3, last: 3 }, 100)).toThrow(PaginationInputError);
  });

  it('defaults to the first 20, capped at the maximum', async () => {
    const up = new FakeUpstream(makeList(100), 100);
    expect((await paginate({}, optionsFor(up))).edges).toHaveLength(20);
    expect((await paginate({}, optionsFor(up, { maxFirst: 5 }))).edges).toHaveLength(5);
  });

  it('answers first: 0 and last: 0 with one smallest request and the total', async () => {
    for (const args of [
      { first: 0 },
      { last: 0 },
      { first: 0, after: cursorAt(list, 7) },
      { last: 0, before: cursorAt(list, 7) },
    ]) {
      const up = new FakeUpstream(list, 100);
      const result = await paginate(args, optionsFor(up));
      expect(up.calls).toEqual([{ page: 1, pageSize: 1 }]);
      expect(result.totalCount).toBe(50);
      expect(result.edges).toEqual([]);
      expect(result.pageInfo.startCursor).toBeNull();
      expect(result.pageInfo.endCursor).toBeNull();
    }
  });

  it('gives an empty page, not an error, for cursors past the end', async () => {
    const up = new FakeUpstream(list, 100);
    const gone = encodeCursor({ offset: 80, anchor: 'gone' }, FP);
    const forward = await paginate({ first: 10, after: gone }, optionsFor(up));
    expect(forward.edges).toEqual([]);
    expect(forward.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const backward = await paginate({ last: 10, before: gone }, optionsFor(up));
    expect(backward.edges).toEqual([]);
    expect(backward.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    expect(backward.totalCount).toBe(50);
  });

  it('keeps last without before within 3 requests', async () => {
    const up = new FakeUpstream(makeList(1050), 100);
    const result = await paginate({ last: 100 }, optionsFor(up));
    expect(up.calls.length).toBe(3);
    expect(offsetsOf(result)).toEqual(Array.from({ length: 100 }, (_, i) => 950 + i));
    expect(result.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });

    const small = new FakeUpstream(makeList(80), 100);
    await paginate({ last: 30 }, optionsFor(small));
    expect(small.calls).toEqual([{ page: 1, pageSize: 100 }]);
  });
});

describe('paginate: upstream clamping', () => {
  it('re-plans with the revealed maximum and reports it', async () => {
    const list = makeList(1000);
    const learned: number[] = [];
    const up = new FakeUpstream(list, 25);
    const args = { first: 100, after: cursorAt(list, 129) };
    const result = await paginate(args, optionsFor(up, { believedMax: 100, learned }));
    expectMatches(result, list, oracle(list, { first: 100, after: 129 }));
    expect(learned).toEqual([25]);

    // Once remembered, the maximum costs no second round: the aligned pages of 25 over the window.
    const again = new FakeUpstream(list, 25);
    await paginate(args, optionsFor(again, { believedMax: 25 }));
    expect(again.calls).toEqual([6, 7, 8, 9, 10].map((page) => ({ page, pageSize: 25 })));
  });

  it('handles clamping of the last-without-before probe', async () => {
    const list = makeList(400);
    const learned: number[] = [];
    const up = new FakeUpstream(list, 25);
    const result = await paginate({ last: 60 }, optionsFor(up, { believedMax: 100, learned }));
    expectMatches(result, list, oracle(list, { last: 60 }));
    expect(learned).toEqual([25]);
  });
});

describe('paginate: drift between client requests', () => {
  for (const [what, change] of [
    ['3 users inserted', (l: Item[]) => insert(l, 5, 3)],
    ['2 users deleted', (l: Item[]) => remove(l, 5, 2)],
  ] as const) {
    it(`neither repeats nor skips a user forward: ${what} before the cursor`, async () => {
      const up = new FakeUpstream(makeList(200), 100);
      const options = optionsFor(up);
      const page1 = await paginate({ first: 20, after: cursorAt(up.list, 19) }, options);
      const last1 = page1.edges[page1.edges.length - 1]?.node;
      up.list = change(up.list);
      const page2 = await paginate({ first: 20, after: page1.pageInfo.endCursor }, options);
      const at = up.list.findIndex((item) => item === last1);
      expect(page2.edges.map((e) => e.node)).toEqual(up.list.slice(at + 1, at + 21));
      expectSelfConsistent(page2);
      // Cursors of the new page carry the new offsets.
      expect(offsetsOf(page2)[0]).toBe(at + 1);
    });

    it(`neither repeats nor skips a user backward: ${what} before the cursor`, async () => {
      const up = new FakeUpstream(makeList(200), 100);
      const options = optionsFor(up);
      const page1 = await paginate({ last: 20, before: cursorAt(up.list, 120) }, options);
      const first1 = page1.edges[0]?.node;
      up.list = change(up.list);
      const page2 = await paginate({ last: 20, before: page1.pageInfo.startCursor }, options);
      const at = up.list.findIndex((item) => item === first1);
      expect(page2.edges.map((e) => e.node)).toEqual(up.list.slice(at - 20, at));
      expectSelfConsistent(page2);
    });
  }

  it('falls back to the offset when the anchor is gone', async () => {
    const list = makeList(100);
    const up = new FakeUpstream(remove(list, 30, 1), 100);
    const result = await paginate({ first: 5, after: cursorAt(list, 30) }, optionsFor(up));
    expect(offsetsOf(result)).toEqual([31, 32, 33, 34, 35]);
  });

  it('follows the anchor whenever it was among the fetched rows (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 5, max: 100 }),
        fc.integer({ min: 30, max: 600 }),
        fc.integer({ min: 1, max: 50 }),
        fc.boolean(),
        fc.integer({ min: -12, max: 12 }),
        fc.nat(),
        async (max, size, k, backward, delta, seed) => {
          const list = makeList(size);
          const at = seed % size;
          const cursor = cursorAt(list, at);
          // Insert (delta > 0) or delete (delta < 0) |delta| users somewhere before the anchor.
          const where = at === 0 ? 0 : seed % (at + 1);
          const changed =
            delta >= 0
              ? insert(list, where, delta)
              : remove(list, Math.min(where, Math.max(0, at + delta)), Math.min(-delta, at));
          const anchorNow = changed.findIndex((item) => item.id === list[at]?.id);
          const up = new FakeUpstream(changed, max);
          const args = backward ? { last: k, before: cursor } : { first: k, after: cursor };
          const result = await paginate(args, optionsFor(up));
          expectSelfConsistent(result);
          const found = up.spans().some(([s, e]) => s <= anchorNow && anchorNow < e);
          const expected = found
            ? backward
              ? changed.slice(Math.max(0, anchorNow - k), anchorNow)
              : changed.slice(anchorNow + 1, anchorNow + 1 + k)
            : backward
              ? at >= changed.length
                ? []
                : changed.slice(Math.max(0, at - k), at)
              : changed.slice(at + 1, at + 1 + k);
          expect(result.edges.map((e) => e.node)).toEqual(expected);
          // Drift into the window is always found (no margin needed).
          const intoWindow = backward ? delta < 0 && -delta <= k : delta > 0 && delta <= k;
          if (intoWindow && anchorNow >= 0) expect(found).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('paginate: the list changes during one request', () => {
  it('stays consistent when rows vanish between the two requests of a window', async () => {
    const list = makeList(400);
    // The window [150, 250) needs two pages; the second one is answered after 20 deletions.
    const up = new FakeUpstream(list, 100, (n, self) => {
      if (n === 1) self.list = remove(list, 0, 20);
    });
    const result = await paginate({ first: 100, after: cursorAt(list, 149) }, optionsFor(up));
    expect(up.calls.length).toBe(2);
    expectSelfConsistent(result);
    expect(result.totalCount).toBe(380);
  });

  it('stays consistent when rows are appended between the probe and the tail', async () => {
    const list = makeList(250);
    const up = new FakeUpstream(list, 100, (n, self) => {
      if (n === 1) self.list = makeList(260);
    });
    const result = await paginate({ last: 30 }, optionsFor(up));
    expectSelfConsistent(result);
    expect(result.totalCount).toBe(260);
    expect(offsetsOf(result)).toEqual(Array.from({ length: 30 }, (_, i) => 220 + i));
    // Rows exist after the returned ones now, and pageInfo says so.
    expect(result.pageInfo.hasNextPage).toBe(true);
  });

  it('stays consistent under random changes between requests (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 100 }),
        fc
          .integer({ min: 0, max: 500 })
          .chain((size) => fc.tuple(fc.constant(size), offsetArgsArb(size, 100))),
        fc.integer({ min: -40, max: 40 }),
        async (max, [size, args], delta) => {
          const list = makeList(size);
          const up = new FakeUpstream(list, max, (n, self) => {
            if (n === 1) self.list = makeList(Math.max(0, size + delta));
          });
          expectSelfConsistent(await paginate(toArgs(list, args), optionsFor(up)));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('paginate: a bad echo and forged offsets', () => {
  it('plans the rest of a window with pages no smaller than minPageSize after a tiny echo', async () => {
    const list = makeList(500);
    const up = new FakeUpstream(list, 100);
    const honest = up.fetchPage;
    // The first answer says page_size 1 (with one row); every other answer is the real one.
    up.fetchPage = async (request) => {
      const answer = await honest(request);
      return up.calls.length === 1
        ? { ...answer, items: answer.items.slice(0, 1), pageSize: 1 }
        : answer;
    };
    const result = await paginate({ first: 100 }, { ...optionsFor(up), minPageSize: 10 });
    expectMatches(result, list, oracle(list, { first: 100 }));
    expect(up.calls.length).toBeLessThanOrEqual(1 + 10);
    expect(Math.min(...up.calls.slice(1).map((c) => c.pageSize))).toBeGreaterThanOrEqual(10);
  });

  it('refuses cursor offsets past MAX_LIST_OFFSET before any request', async () => {
    const up = new FakeUpstream(makeList(50), 100);
    for (const args of [
      { first: 5, after: cursorAt(up.list, MAX_LIST_OFFSET + 1) },
      { last: 5, before: cursorAt(up.list, MAX_LIST_OFFSET + 1) },
    ]) {
      await expect(paginate(args, optionsFor(up))).rejects.toThrow(PaginationInputError);
    }
    expect(up.calls).toEqual([]);
    // At the cap itself, an unknown list is asked as usual (an empty page past its end).
    const atCap = await paginate(
      { first: 5, after: cursorAt(up.list, MAX_LIST_OFFSET) },
      optionsFor(up),
    );
    expect(atCap.edges).toEqual([]);
  });

  it('checks an offset far past the known total against a fresh total (page 1 of size 1)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.boolean(),
        async (knownTotal, realTotal, offset, forward) => {
          const up = new FakeUpstream(makeList(realTotal), 100);
          const cursor = cursorAt(up.list, offset);
          const args = forward ? { first: 10, after: cursor } : { last: 10, before: cursor };
          const options = { ...optionsFor(up), knownTotal };
          const slack = 100; // max(maxFirst, upstream maximum)
          const run = paginate(args, options);
          if (offset > knownTotal + slack && offset > realTotal + slack) {
            await expect(run).rejects.toThrow(PaginationInputError);
            expect(up.calls).toEqual([{ page: 1, pageSize: 1 }]);
            return;
          }
          const result = await run;
          const asOffsets = forward ? { first: 10, after: offset } : { last: 10, before: offset };
          expectMatches(result, up.list, oracle(up.list, asOffsets));
          // The fresh total is asked only for an offset past the known one by more than a page.
          if (offset > knownTotal + slack) expect(up.calls[0]).toEqual({ page: 1, pageSize: 1 });
        },
      ),
      { numRuns: 300 },
    );
  });
});
