// Relay pagination end to end: yoga.fetch through the real gateway against the users simulator,
// checked against an oracle read from the upstream list itself, with the list requests each
// GraphQL operation costs counted from the simulator's log.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataset, deleteUsers, insertUsers } from '../../sandbox/index.js';
import type { Dataset } from '../../sandbox/index.js';
import { encodeCursor, listFingerprint } from '../../src/pagination/cursor.js';
import { planWindow } from '../../src/pagination/planner.js';
import { codes, startHarness } from '../support/harness.js';
import type { GraphQLResponse, Harness } from '../support/harness.js';

/** The users API's real page maximum in the main harness (the simulator's and the gateway's default). */
const UPSTREAM_MAX = 100;
/** Account id -> number of generated users: empty, one, and the sizes around the page maximum. */
const SIZES: Record<string, number> = {
  '5000': 0,
  '5001': 737,
  '5002': 1,
  '5003': 99,
  '5004': 100,
  '5005': 101,
};
const ACCOUNTS = Object.keys(SIZES);

interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

interface Page {
  totalCount: number;
  pageInfo: PageInfo;
  edges: { cursor: string; node: { userId: string } }[];
}

interface PageArgs {
  first?: number;
  after?: string;
  last?: number;
  before?: string;
  filter?: Record<string, string>;
}

const USERS_QUERY = `query Page($accountId: ID!, $first: Int, $after: String, $last: Int,
    $before: String, $filter: UserFilter) {
  users(accountId: $accountId, first: $first, after: $after, last: $last, before: $before,
      filter: $filter) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { userId } }
  }
}`;

/** One `users` operation with the list requests it cost (counts are reset before it). */
async function users(
  harness: Harness,
  accountId: string,
  args: PageArgs,
): Promise<{ res: GraphQLResponse; page: Page; lists: number }> {
  harness.resetCalls();
  const res = await harness.gql(USERS_QUERY, { accountId, ...args });
  const lists = harness.calls().list;
  return { res, page: res.data?.['users'] as Page, lists };
}

/** As `users`, failing the test on any GraphQL error. */
async function okUsers(
  harness: Harness,
  accountId: string,
  args: PageArgs,
): Promise<{ page: Page; lists: number }> {
  const { res, page, lists } = await users(harness, accountId, args);
  expect(res.errors, JSON.stringify({ accountId, args })).toBeUndefined();
  return { page, lists };
}

function cursorArg(argument: 'after' | 'before', cursor: string): PageArgs {
  return argument === 'after' ? { after: cursor } : { before: cursor };
}

function ids(page: Page): string[] {
  return page.edges.map((e) => e.node.userId);
}

/** The whole list as the users API serves it, read page by page at its maximum (not counted). */
async function upstreamIds(harness: Harness, accountId: string, filter = ''): Promise<string[]> {
  const out: string[] = [];
  for (let page = 1; ; page++) {
    const res = await fetch(
      `${harness.sandbox.users.url}/accounts/${accountId}/users?page=${page}&page_size=${UPSTREAM_MAX}${filter}`,
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      total_items: number;
      _embedded: { data: { id: number }[] };
    };
    out.push(...body._embedded.data.map((u) => String(u.id)));
    if (body._embedded.data.length === 0 || out.length >= body.total_items) break;
  }
  harness.resetCalls();
  return out;
}

function datasetIds(dataset: Dataset, accountId: string): string[] {
  return (dataset.accounts.get(accountId) ?? []).map((r) => String(r.id));
}

/** True when some page size s (n <= s <= max) has one page holding offsets [o, o+n). */
function fitsOnePage(o: number, n: number, max = UPSTREAM_MAX): boolean {
  for (let s = n; s <= max; s++) if (Math.floor(o / s) === Math.floor((o + n - 1) / s)) return true;
  return false;
}

/** The page the contract promises for the window [start, end) of `list`. */
function expectedPage(list: string[], start: number, end: number) {
  return {
    ids: list.slice(start, end),
    totalCount: list.length,
    hasPreviousPage: start > 0,
    hasNextPage: end < list.length,
  };
}

function expectPage(page: Page, list: string[], start: number, end: number, label: string): void {
  const want = expectedPage(list, start, end);
  expect(ids(page), label).toEqual(want.ids);
  expect(page.totalCount, label).toBe(want.totalCount);
  expect(page.pageInfo.hasPreviousPage, `${label}: hasPreviousPage`).toBe(want.hasPreviousPage);
  expect(page.pageInfo.hasNextPage, `${label}: hasNextPage`).toBe(want.hasNextPage);
  expect(page.pageInfo.startCursor, `${label}: startCursor`).toBe(page.edges[0]?.cursor ?? null);
  expect(page.pageInfo.endCursor, `${label}: endCursor`).toBe(page.edges.at(-1)?.cursor ?? null);
}

describe('pagination over accounts of 0, 1, 99, 100, 101 and 737 users', () => {
  let h: Harness;
  let dataset: Dataset;
  /** accountId -> user ids in upstream order. */
  const upstreamLists = new Map<string, string[]>();
  /** accountId -> the cursor of every position, from a forward walk with first: 100. */
  const cursors = new Map<string, string[]>();

  beforeAll(async () => {
    dataset = createDataset({ accounts: SIZES });
    h = await startHarness({ sandbox: { dataset, maxPageSize: UPSTREAM_MAX } });
    for (const accountId of ACCOUNTS) {
      upstreamLists.set(accountId, await upstreamIds(h, accountId));
      const walked: string[] = [];
      let after: string | undefined;
      for (;;) {
        const { page } = await okUsers(h, accountId, {
          first: UPSTREAM_MAX,
          ...(after === undefined ? {} : { after }),
        });
        walked.push(...page.edges.map((e) => e.cursor));
        if (!page.pageInfo.hasNextPage || page.pageInfo.endCursor === null) break;
        after = page.pageInfo.endCursor;
      }
      cursors.set(accountId, walked);
    }
  });
  afterAll(() => h.close());

  const listOf = (accountId: string): string[] => upstreamLists.get(accountId) ?? [];
  const cursorAt = (accountId: string, offset: number): string => {
    const cursor = cursors.get(accountId)?.[offset];
    if (cursor === undefined) throw new Error(`no cursor at ${accountId}[${offset}]`);
    return cursor;
  };

  it('the oracle is the dataset, and a walk with first: 100 gives one cursor per user', () => {
    for (const accountId of ACCOUNTS) {
      expect(listOf(accountId)).toHaveLength(SIZES[accountId] ?? -1);
      expect(listOf(accountId)).toEqual(datasetIds(dataset, accountId));
      expect(cursors.get(accountId)).toHaveLength(listOf(accountId).length);
      expect(new Set(cursors.get(accountId)).size).toBe(listOf(accountId).length);
    }
  });

  it('every window forward and backward matches the upstream list, within the request budget', async () => {
    const boundaries = [0, 1, 2, 36, 37, 98, 99, 100, 101, 199, 200, 201, 699, 700, 736, 737];
    const cases = fc.constantFrom(...ACCOUNTS).chain((accountId) => {
      const size = SIZES[accountId] ?? 0;
      return fc.record({
        accountId: fc.constant(accountId),
        backward: fc.boolean(),
        n: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constantFrom(0, 1, 37, 99, 100)),
        position: fc.oneof(
          fc.integer({ min: 0, max: size }),
          fc.constantFrom(...boundaries.filter((b) => b <= size)),
        ),
        lead: fc.integer({ min: 1, max: 100 }),
      });
    });

    await fc.assert(
      fc.asyncProperty(cases, async ({ accountId, backward, n, position, lead }) => {
        const list = listOf(accountId);
        const size = list.length;
        const label = JSON.stringify({ accountId, backward, n, position, lead });

        if (!backward) {
          // Window [o, o+n) after the cursor of o-1, which comes from a page ending at o-1.
          const o = position;
          let after: string | undefined;
          if (o > 0) {
            const count = Math.min(lead, o);
            const start = o - count;
            const prep = await okUsers(h, accountId, {
              first: count,
              ...(start === 0 ? {} : { after: cursorAt(accountId, start - 1) }),
            });
            expect(ids(prep.page), `${label}: prep`).toEqual(list.slice(start, o));
            expect(prep.page.pageInfo.endCursor, `${label}: prep`).toBe(cursorAt(accountId, o - 1));
            after = prep.page.pageInfo.endCursor ?? undefined;
          }
          const { page, lists } = await okUsers(h, accountId, {
            first: n,
            ...(after === undefined ? {} : { after }),
          });
          expectPage(page, list, Math.min(o, size), Math.min(o + n, size), label);
          if (n === 0) expect(lists, `${label}: list calls`).toBe(1);
          else if (fitsOnePage(o, n)) expect(lists, `${label}: list calls`).toBe(1);
          else expect(lists, `${label}: list calls`).toBeLessThanOrEqual(2);
          return;
        }

        // Window ending at e: before the cursor of e (from a page starting at e), or at the end.
        const e = position;
        let before: string | undefined;
        if (e < size) {
          const count = Math.min(lead, size - e);
          const end = e + count;
          const prep = await okUsers(h, accountId, {
            last: count,
            ...(end === size ? {} : { before: cursorAt(accountId, end) }),
          });
          expect(ids(prep.page), `${label}: prep`).toEqual(list.slice(e, end));
          expect(prep.page.pageInfo.startCursor, `${label}: prep`).toBe(cursorAt(accountId, e));
          before = prep.page.pageInfo.startCursor ?? undefined;
        }
        const { page, lists } = await okUsers(h, accountId, {
          last: n,
          ...(before === undefined ? {} : { before }),
        });
        const start = Math.max(0, e - n);
        expectPage(page, list, start, e, label);
        if (n === 0) expect(lists, `${label}: list calls`).toBe(1);
        else if (before === undefined) {
          // A probe of page 1 at the maximum tells the total; its rows are kept.
          expect(lists, `${label}: list calls`).toBeLessThanOrEqual(size <= UPSTREAM_MAX ? 1 : 3);
        } else if (e - start === 0 || fitsOnePage(start, e - start)) {
          expect(lists, `${label}: list calls`).toBe(1);
        } else expect(lists, `${label}: list calls`).toBeLessThanOrEqual(2);
      }),
      { numRuns: 250 },
    );
  }, 60_000);

  it('walks 737 users forward with first: 37, each user once and in order', async () => {
    const list = listOf('5001');
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const { page, lists } = await okUsers(h, '5001', {
        first: 37,
        ...(after === undefined ? {} : { after }),
      });
      pages++;
      expectPage(page, list, seen.length, Math.min(seen.length + 37, list.length), `page ${pages}`);
      expect(lists, `page ${pages}`).toBeLessThanOrEqual(2);
      seen.push(...ids(page));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor ?? undefined;
      expect(pages).toBeLessThan(30);
    }
    expect(pages).toBe(Math.ceil(737 / 37));
    expect(seen).toEqual(list);
  });

  it('walks 737 users backward with last: 37, each user once and in order', async () => {
    const list = listOf('5001');
    const seen: string[] = [];
    let before: string | undefined;
    let pages = 0;
    for (;;) {
      const { page, lists } = await okUsers(h, '5001', {
        last: 37,
        ...(before === undefined ? {} : { before }),
      });
      pages++;
      const end = list.length - seen.length;
      expectPage(page, list, Math.max(0, end - 37), end, `page ${pages}`);
      // The first page (no `before`) probes page 1 of 100, then needs one page for [700, 737).
      expect(lists, `page ${pages}`).toBeLessThanOrEqual(2);
      seen.unshift(...ids(page));
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor ?? undefined;
      expect(pages).toBeLessThan(30);
    }
    expect(pages).toBe(Math.ceil(737 / 37));
    expect(seen).toEqual(list);
  });

  it('two aliases and a fragment asking the same users field cost one list call', async () => {
    const list = listOf('5001');
    h.resetCalls();
    const res = await h.gql(
      `query($after: String) {
        a: users(accountId: "5001", first: 30, after: $after) { edges { node { userId } } }
        b: users(accountId: "5001", first: 30, after: $after) { totalCount }
        ...Same
      }
      fragment Same on Query {
        users(accountId: "5001", first: 30, after: $after) { pageInfo { hasNextPage } }
      }`,
      { after: cursorAt('5001', 249) },
    );
    expect(res.errors).toBeUndefined();
    const a = res.data?.['a'] as { edges: { node: { userId: string } }[] };
    expect(a.edges.map((e) => e.node.userId)).toEqual(list.slice(250, 280));
    expect(res.data?.['b']).toEqual({ totalCount: 737 });
    expect(res.data?.['users']).toEqual({ pageInfo: { hasNextPage: true } });
    expect(h.calls().list).toBe(1);
  });

  describe('cursors and filters', () => {
    /** A first name shared by several users of account 5001. */
    const sharedFirstName = (): string => {
      const counts = new Map<string, number>();
      for (const r of dataset.accounts.get('5001') ?? []) {
        const name = r.user.first_name;
        if (name !== undefined) counts.set(name, (counts.get(name) ?? 0) + 1);
      }
      const [name] = [...counts].sort((x, y) => y[1] - x[1])[0] ?? [''];
      return name;
    };

    it('pages a filtered list with its own cursors', async () => {
      const firstName = sharedFirstName();
      const list = await upstreamIds(h, '5001', `&first_name=${encodeURIComponent(firstName)}`);
      expect(list.length).toBeGreaterThan(5);
      const filter = { firstName };
      const first = await okUsers(h, '5001', { first: 3, filter });
      expectPage(first.page, list, 0, 3, 'filtered page 1');
      const next = await okUsers(h, '5001', {
        first: 3,
        after: first.page.pageInfo.endCursor ?? '',
        filter,
      });
      expectPage(next.page, list, 3, 6, 'filtered page 2');
      expect(h.sandbox.users.log[0]?.query['first_name']).toBe(firstName);
    });

    it.each([
      ['after', 'endCursor'],
      ['before', 'startCursor'],
    ] as const)(
      'refuses a filtered list cursor as "%s" without the filter, and the reverse',
      async (argument, end) => {
        const filter = { firstName: sharedFirstName() };
        const filtered = await okUsers(h, '5001', { first: 3, filter });
        const cursor = filtered.page.pageInfo[end] ?? '';
        expect(cursor).not.toBe('');

        const unfiltered = await users(h, '5001', cursorArg(argument, cursor));
        expect(codes(unfiltered.res)).toEqual(['BAD_USER_INPUT']);
        expect(unfiltered.res.errors?.[0]?.message).toContain(`"${argument}"`);
        expect(unfiltered.res.errors?.[0]?.extensions?.['argumentName']).toBe(argument);
        expect(unfiltered.res.data).toBeNull();
        expect(unfiltered.lists).toBe(0);

        const reverse = await users(h, '5001', {
          ...cursorArg(argument, cursorAt('5001', 3)),
          first: 2,
          filter,
        });
        expect(codes(reverse.res)).toEqual(['BAD_USER_INPUT']);
        expect(reverse.res.errors?.[0]?.message).toContain(`"${argument}"`);
        expect(reverse.lists).toBe(0);
      },
    );

    describe('with CURSOR_SECRET', () => {
      let signed: Harness;
      beforeAll(async () => {
        // Same account ids and users: only the secret tells the two gateways apart.
        signed = await startHarness({
          sandbox: { dataset },
          env: { CURSOR_SECRET: 'pagination-e2e-secret' },
        });
      });
      afterAll(() => signed.close());

      it('accepts its own signed cursor', async () => {
        const first = await okUsers(signed, '5001', { first: 5 });
        const cursor = first.page.pageInfo.endCursor ?? '';
        expect(cursor).toContain('.');
        const next = await okUsers(signed, '5001', { first: 5, after: cursor });
        expectPage(next.page, listOf('5001'), 5, 10, 'signed page 2');
      });

      /** `text` with its character at `at` replaced by another base64url character. */
      const flip = (text: string, at: number): string =>
        `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;

      it('refuses a tampered cursor with BAD_USER_INPUT', async () => {
        const first = await okUsers(signed, '5001', { first: 5 });
        const cursor = first.page.pageInfo.endCursor ?? '';
        const [body = '', signature = ''] = cursor.split('.');
        expect(signature).not.toBe('');
        // The body still decodes to a well-formed cursor (offset 5 instead of 4): only the
        // signature can tell it was not made by this server.
        const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as unknown[];
        expect(payload[2]).toBe(4);
        const forgedBody = Buffer.from(JSON.stringify([...payload.slice(0, 2), 5, payload[3]]));
        const tampered = {
          'one character in the middle': flip(cursor, Math.floor(body.length / 2)),
          'one character of the signature': flip(
            cursor,
            body.length + 1 + Math.floor(signature.length / 2),
          ),
          'another offset under the old signature': `${forgedBody.toString('base64url')}.${signature}`,
        };
        for (const [how, bad] of Object.entries(tampered)) {
          expect(bad, how).not.toBe(cursor);
          for (const argument of ['after', 'before'] as const) {
            const res = await users(signed, '5001', cursorArg(argument, bad));
            expect(codes(res.res), how).toEqual(['BAD_USER_INPUT']);
            expect(res.res.errors?.[0]?.message, how).toContain(`"${argument}"`);
            expect(res.res.data, how).toBeNull();
            expect(res.lists, how).toBe(0);
          }
        }
        for (const how of [
          'one character of the signature',
          'another offset under the old signature',
        ] as const) {
          const res = await users(signed, '5001', { after: tampered[how] });
          expect(res.res.errors?.[0]?.message, how).toMatch(/bad signature/);
        }
      });

      it('refuses an unsigned cursor made by a gateway without a secret', async () => {
        const unsigned = cursorAt('5001', 4);
        expect(unsigned).not.toContain('.');
        // The gateway without a secret accepts it: only the signature is missing.
        const plain = await okUsers(h, '5001', { first: 5, after: unsigned });
        expect(ids(plain.page)).toEqual(listOf('5001').slice(5, 10));
        const res = await users(signed, '5001', { first: 5, after: unsigned });
        expect(codes(res.res)).toEqual(['BAD_USER_INPUT']);
        expect(res.res.errors?.[0]?.message).toMatch(/"after".*unsigned/);
        expect(res.lists).toBe(0);
      });
    });
  });
});

describe('an upstream whose page maximum is smaller than the gateway believes', () => {
  const REAL_MAX = 25;
  let h: Harness;
  let list: string[];
  beforeAll(async () => {
    // The gateway keeps its default USERS_API_MAX_PAGE_SIZE of 100.
    const dataset = createDataset({ accounts: { '6001': 250 } });
    h = await startHarness({ sandbox: { dataset, maxPageSize: REAL_MAX } });
    list = datasetIds(dataset, '6001');
  });
  afterAll(() => h.close());

  it('first: 60 still returns the right 60 users; once confirmed, later queries plan with the smaller max', async () => {
    const maximum = h.gateway.services.limits.pageMaximum;
    expect(maximum.current).toBe(100);
    const first = await okUsers(h, '6001', { first: 60 });
    expectPage(first.page, list, 0, 60, 'first: 60');
    // One request clamped to 25 rows, then [25, 60) re-planned with pages of 25.
    expect(first.lists).toBeLessThanOrEqual(1 + planWindow(25, 35, REAL_MAX).length);
    // One clamped answer is not enough to remember a maximum (#16: it might be a bad answer).
    expect(maximum.current).toBe(100);

    // [60, 120): planned with the believed 100, clamped again to 25 by another request: confirmed.
    const second = await okUsers(h, '6001', {
      first: 60,
      after: first.page.pageInfo.endCursor ?? '',
    });
    expectPage(second.page, list, 60, 120, 'first: 60 after 59');
    expect(second.lists).toBeLessThanOrEqual(1 + planWindow(60, 60, REAL_MAX).length);
    // The clamp was discovered and remembered beyond this request.
    expect(maximum.current).toBe(REAL_MAX);

    // [120, 180) takes 3 pages of 25. Planned with the believed 100 it would cost 4: one page of
    // 60, clamped to rows [100, 125), then the 3 pages of 25 anyway.
    h.resetCalls();
    const third = await okUsers(h, '6001', {
      first: 60,
      after: second.page.pageInfo.endCursor ?? '',
    });
    expectPage(third.page, list, 120, 180, 'first: 60 after 119');
    expect(third.lists).toBeLessThanOrEqual(planWindow(120, 60, REAL_MAX).length);
    // No request asked for more than the real maximum once it was known.
    const sizes = h.sandbox.users.log.map((r) => Number(r.query['page_size']));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(REAL_MAX);

    const backward = await okUsers(h, '6001', { last: 20, before: cursorOf(third.page, 0) });
    expectPage(backward.page, list, 100, 120, 'last: 20 before 120');
    expect(backward.lists).toBeLessThanOrEqual(planWindow(100, 20, REAL_MAX).length);
  });
});

describe('an upstream answer echoing a tiny page size (#16 defect 5)', () => {
  let h: Harness;
  let dataset: Dataset;
  beforeAll(async () => {
    dataset = createDataset({ accounts: { '8001': 737, '8002': 99 } });
    h = await startHarness({ sandbox: { dataset } });
  });
  afterAll(() => h.close());

  it('one answer echoing page_size: 1 does not make later users(first: 100) cost 100 requests', async () => {
    const list = datasetIds(dataset, '8001');
    // The real first page of account 8001 as the simulator serves it at page_size 1, given as the
    // answer to the gateway's request for 100 rows: a proxy or a broken upstream echoing 1.
    const rogue = await fetch(`${h.sandbox.users.url}/accounts/8001/users?page=1&page_size=1`);
    const body = await rogue.text();
    expect(JSON.parse(body)).toMatchObject({ page_size: 1, page: 1, total_items: 737 });
    h.resetCalls();
    // After the reset (which clears faults): the next list request gets this answer.
    h.sandbox.users.injectFault({
      kind: 'status',
      status: 200,
      body,
      contentType: 'application/json',
    });

    // The call that got the bad answer still reads its rows right, planning the rest with pages
    // no smaller than the floor (10) instead of pages of 1.
    const hit = await h.gql(USERS_QUERY, { accountId: '8001', first: 100 });
    expect(hit.errors).toBeUndefined();
    expect(ids(hit.data?.['users'] as Page)).toEqual(list.slice(0, 100));
    expect(h.sandbox.users.log[0]?.query).toMatchObject({ page: '1', page_size: '100' });
    expect(h.calls().list).toBeLessThanOrEqual(1 + 100 / 10);

    // Every later call plans with the configured maximum: one request per window of 100.
    const again = await okUsers(h, '8001', { first: 100 });
    expect(ids(again.page)).toEqual(list.slice(0, 100));
    expect(again.lists).toBe(1);
    const next = await okUsers(h, '8001', {
      first: 100,
      after: again.page.pageInfo.endCursor ?? '',
    });
    expect(ids(next.page)).toEqual(list.slice(100, 200));
    expect(next.lists).toBeLessThanOrEqual(2);
    const other = await okUsers(h, '8002', { first: 100 });
    expect(ids(other.page)).toEqual(datasetIds(dataset, '8002'));
    expect(other.lists).toBe(1);
    expect(h.gateway.services.limits.pageMaximum.current).toBe(UPSTREAM_MAX);
  });
});

describe('forged cursor offsets without CURSOR_SECRET (#16 defect 8)', () => {
  let h: Harness;
  const fingerprint = listFingerprint({ accountId: '8101', filter: {}, order: 'upstream' });
  const forged = (offset: number): string => encodeCursor({ offset, anchor: 'x' }, fingerprint);
  beforeAll(async () => {
    h = await startHarness({ sandbox: { dataset: createDataset({ accounts: { '8101': 737 } }) } });
  });
  afterAll(() => h.close());

  it('refuses an offset no list can reach before any upstream call', async () => {
    for (const [args, name] of [
      [{ first: 10, after: forged(1e9) }, 'after'],
      [{ last: 10, before: forged(1e9) }, 'before'],
      // Past the absolute cap (1,000,000 rows), whatever the list.
      [{ first: 10, after: forged(1_000_001) }, 'after'],
    ] as const) {
      const { res, lists } = await users(h, '8101', args);
      expect(codes(res), JSON.stringify(args)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors?.[0]?.message).toContain(`"${name}"`);
      expect(lists).toBe(0);
    }
  });

  it('refuses an offset far past the known end; the only request it causes is page 1 of size 1', async () => {
    const first = await okUsers(h, '8101', { first: 5 });
    expect(first.page.totalCount).toBe(737);
    const { res, lists } = await users(h, '8101', { first: 10, after: forged(5_000) });
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(lists).toBe(1);
    expect(h.sandbox.users.log.map((r) => r.query)).toEqual([{ page: '1', page_size: '1' }]);
    // Just past the end (within a page of it) is still the contract's empty page, at no extra cost.
    const near = await okUsers(h, '8101', { first: 10, after: forged(800) });
    expect(near.page.edges).toEqual([]);
    expect(near.page.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    expect(near.lists).toBe(1);
  });
});

function cursorOf(page: Page, index: number): string {
  const cursor = page.edges[index]?.cursor;
  if (cursor === undefined) throw new Error(`no edge ${index}`);
  return cursor;
}

describe('drift: users added or removed before a cursor between two requests', () => {
  let h: Harness;
  let dataset: Dataset;
  beforeAll(async () => {
    dataset = createDataset({ accounts: { '7001': 250, '7002': 250, '7003': 250, '7004': 250 } });
    h = await startHarness({ sandbox: { dataset } });
  });
  afterAll(() => h.close());

  /** Asserts `next` continues `seen` in the current upstream list: nothing repeated or skipped. */
  async function expectContinues(
    accountId: string,
    seen: Page,
    next: Page,
    backward: boolean,
  ): Promise<void> {
    const now = await upstreamIds(h, accountId);
    expect(now).toEqual(datasetIds(dataset, accountId));
    const anchor = backward ? ids(seen)[0] : ids(seen).at(-1);
    const at = now.indexOf(anchor ?? '');
    expect(at).toBeGreaterThanOrEqual(0);
    const want = backward ? now.slice(at - 10, at) : now.slice(at + 1, at + 11);
    expect(ids(next)).toEqual(want);
    expect(ids(next).filter((id) => ids(seen).includes(id))).toEqual([]);
    expect(next.totalCount).toBe(now.length);
    expect(next.pageInfo.hasPreviousPage).toBe(true);
    expect(next.pageInfo.hasNextPage).toBe(true);
  }

  it.each([
    ['inserting 3 users', '7001', (at: number) => insertUsers(dataset, '7001', at, 3)],
    ['deleting 2 users', '7002', (at: number) => deleteUsers(dataset, '7002', at, 2)],
  ])('forward: %s before the cursor', async (_name, accountId, mutate) => {
    // The page [90, 100), then the page after its end cursor (99). Deleting moves that anchor to
    // 97, which the plan [95, 114) reaches only through the drift margin (the window's own plan
    // would be [99, 110)); inserting moves it to 102, inside the window.
    const lead = await okUsers(h, accountId, { first: 90 });
    const seen = await okUsers(h, accountId, {
      first: 10,
      after: lead.page.pageInfo.endCursor ?? '',
    });
    expect(ids(seen.page)).toEqual(datasetIds(dataset, accountId).slice(90, 100));
    expect(mutate(80).length).toBeGreaterThan(0);
    const next = await okUsers(h, accountId, {
      first: 10,
      after: seen.page.pageInfo.endCursor ?? '',
    });
    await expectContinues(accountId, seen.page, next.page, false);
    expect(next.lists).toBe(1);
  });

  it.each([
    ['inserting 3 users', '7003', (at: number) => insertUsers(dataset, '7003', at, 3)],
    ['deleting 2 users', '7004', (at: number) => deleteUsers(dataset, '7004', at, 2)],
  ])('backward: %s before the cursor', async (_name, accountId, mutate) => {
    // The page [120, 130) before the cursor of 130, then the page before its start cursor (120).
    // Inserting moves that anchor to 123, past the window, reached through the drift margin;
    // deleting moves it to 118, inside the window.
    const lead = await okUsers(h, accountId, { first: 100 });
    const start = await okUsers(h, accountId, {
      first: 31,
      after: lead.page.pageInfo.endCursor ?? '',
    });
    const seen = await okUsers(h, accountId, {
      last: 10,
      before: start.page.pageInfo.endCursor ?? '',
    });
    expect(ids(seen.page)).toEqual(datasetIds(dataset, accountId).slice(120, 130));
    expect(mutate(115).length).toBeGreaterThan(0);
    const next = await okUsers(h, accountId, {
      last: 10,
      before: seen.page.pageInfo.startCursor ?? '',
    });
    await expectContinues(accountId, seen.page, next.page, true);
    // The plan [108, 126) holds the anchor wherever it moved: one request, no refetch.
    expect(next.lists).toBe(1);
  });
});
