// Upstream cost of mapping Relay windows onto page-number requests.
//
// Every window (o, n) with 1 <= n <= 100 and o + n <= 1000 over a 1,000-user list, upstream
// maximum 100. Compared:
// - naive: page_size = n, page = floor(o/n) + 1, plus the next page when the window is misaligned;
// - planWindow: the planner alone;
// - paginate: what `first: n, after: <cursor of o-1>` really costs, including the cursor's anchor
//   row and drift margin that paginate adds when they need no extra request (o = 0: no cursor).
// Rows fetched count the rows the upstream returns (pages are clipped to the list's end).
//
// Run: npx tsx bench/planner.ts  (writes bench/results/planner.json and planner.md)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { paginate, type FetchedPage } from '../src/pagination/connection.js';
import { encodeCursor, listFingerprint } from '../src/pagination/cursor.js';
import { planWindow, type PageRequest } from '../src/pagination/planner.js';

const LIST_SIZE = 1000;
const UPSTREAM_MAX = 100;
const MAX_WINDOW = 100;
const TARGET = { meanRequests: 1.15, worstRequests: 2 };

interface Tally {
  windows: number;
  requests: number;
  worstRequests: number;
  singleRequestWindows: number;
  rowsFetched: number;
  rowsReturned: number;
  /** Sum over windows of rows fetched / rows returned, for the per-window mean. */
  ratioSum: number;
}

interface Summary {
  meanRequests: number;
  worstRequests: number;
  singleRequestShare: number;
  meanRowsFetchedPerRowReturned: number;
  totalRowsFetchedPerRowReturned: number;
}

function emptyTally(): Tally {
  return {
    windows: 0,
    requests: 0,
    worstRequests: 0,
    singleRequestWindows: 0,
    rowsFetched: 0,
    rowsReturned: 0,
    ratioSum: 0,
  };
}

function rowsOf(requests: PageRequest[]): number {
  let rows = 0;
  for (const { page, pageSize } of requests) {
    const start = (page - 1) * pageSize;
    rows += Math.max(0, Math.min(start + pageSize, LIST_SIZE) - start);
  }
  return rows;
}

function add(tally: Tally, requests: PageRequest[], returned: number): void {
  const fetched = rowsOf(requests);
  tally.windows++;
  tally.requests += requests.length;
  tally.worstRequests = Math.max(tally.worstRequests, requests.length);
  if (requests.length === 1) tally.singleRequestWindows++;
  tally.rowsFetched += fetched;
  tally.rowsReturned += returned;
  tally.ratioSum += fetched / returned;
}

function summarize(t: Tally): Summary {
  const round = (x: number) => Math.round(x * 10_000) / 10_000;
  return {
    meanRequests: round(t.requests / t.windows),
    worstRequests: t.worstRequests,
    singleRequestShare: round(t.singleRequestWindows / t.windows),
    meanRowsFetchedPerRowReturned: round(t.ratioSum / t.windows),
    totalRowsFetchedPerRowReturned: round(t.rowsFetched / t.rowsReturned),
  };
}

function naivePlan(offset: number, count: number): PageRequest[] {
  const page = Math.floor(offset / count) + 1;
  const plan = [{ page, pageSize: count }];
  if (offset % count !== 0) plan.push({ page: page + 1, pageSize: count });
  return plan;
}

function* windows(): Generator<[number, number]> {
  for (let count = 1; count <= MAX_WINDOW; count++) {
    for (let offset = 0; offset + count <= LIST_SIZE; offset++) yield [offset, count];
  }
}

async function main(): Promise<void> {
  const naive = emptyTally();
  const planner = emptyTally();
  for (const [offset, count] of windows()) {
    add(naive, naivePlan(offset, count), count);
    add(planner, planWindow(offset, count, UPSTREAM_MAX), count);
  }

  // Planner speed: every window, a few passes, after the pass above warmed it up.
  const passes = 5;
  let calls = 0;
  let sink = 0;
  const started = process.hrtime.bigint();
  for (let pass = 0; pass < passes; pass++) {
    for (const [offset, count] of windows()) {
      sink += planWindow(offset, count, UPSTREAM_MAX).length;
      calls++;
    }
  }
  const microsPerCall = Number(process.hrtime.bigint() - started) / 1000 / calls;
  if (sink === 0) throw new Error('unreachable: keeps the timed loop from being optimized away');

  // paginate end to end over an in-memory upstream, as a client paging with `after` would call it.
  const users = Array.from({ length: LIST_SIZE }, (_, i) => ({ id: String(i) }));
  const fingerprint = listFingerprint({ accountId: 'bench', filter: {}, order: 'upstream' });
  const paginated = emptyTally();
  for (const [offset, count] of windows()) {
    const requests: PageRequest[] = [];
    const fetchPage = async (request: PageRequest): Promise<FetchedPage<{ id: string }>> => {
      requests.push(request);
      const start = (request.page - 1) * request.pageSize;
      return {
        items: users.slice(start, start + request.pageSize),
        page: request.page,
        pageSize: request.pageSize,
        totalItems: LIST_SIZE,
      };
    };
    const after =
      offset === 0
        ? null
        : encodeCursor({ offset: offset - 1, anchor: String(offset - 1) }, fingerprint);
    const result = await paginate(
      { first: count, after },
      {
        fetchPage,
        idOf: (user) => user.id,
        fingerprint,
        upstreamMaxPageSize: UPSTREAM_MAX,
        maxFirst: MAX_WINDOW,
        defaultFirst: 20,
      },
    );
    if (result.edges.length !== count || result.edges[0]?.node.id !== String(offset)) {
      throw new Error(`paginate returned a wrong page for (${offset}, ${count})`);
    }
    add(paginated, requests, count);
  }

  const results = {
    setup: {
      listSize: LIST_SIZE,
      upstreamMaxPageSize: UPSTREAM_MAX,
      windows: planner.windows,
      definition: 'all (o, n) with 1 <= n <= 100, o >= 0, o + n <= 1000',
    },
    target: TARGET,
    naive: summarize(naive),
    planWindow: { ...summarize(planner), microsPerCall: Math.round(microsPerCall * 100) / 100 },
    paginateAfterCursor: summarize(paginated),
  };
  const meets =
    results.planWindow.meanRequests <= TARGET.meanRequests &&
    results.planWindow.worstRequests <= TARGET.worstRequests;

  const row = (name: string, s: Summary) =>
    `| ${name} | ${s.meanRequests.toFixed(3)} | ${s.worstRequests} | ${(s.singleRequestShare * 100).toFixed(1)} % | ${s.meanRowsFetchedPerRowReturned.toFixed(2)} | ${s.totalRowsFetchedPerRowReturned.toFixed(2)} |`;
  const markdown = [
    '# Planner benchmark',
    '',
    `All ${planner.windows.toLocaleString('en-US')} windows (o, n) with 1 ≤ n ≤ ${MAX_WINDOW}, o + n ≤ ${LIST_SIZE} over a ${LIST_SIZE.toLocaleString('en-US')}-user list; upstream maximum page size ${UPSTREAM_MAX}. Rows fetched are the rows the upstream returns.`,
    '',
    '| strategy | mean requests | worst requests | windows in 1 request | mean rows fetched / row returned | total rows fetched / rows returned |',
    '|---|---|---|---|---|---|',
    row('naive (page_size = n, +1 page when misaligned)', results.naive),
    row('`planWindow`', results.planWindow),
    row('`paginate` (`first: n, after:` cursor of o−1)', results.paginateAfterCursor),
    '',
    `Target for \`planWindow\`: mean ≤ ${TARGET.meanRequests}, worst ≤ ${TARGET.worstRequests} requests — ${meets ? 'met' : 'NOT met'}.`,
    '',
    `\`planWindow\` takes ${results.planWindow.microsPerCall} µs per call on average (Node ${process.version}).`,
    '`paginate` makes the same number of requests as `planWindow` by construction; its extra rows are',
    "the cursor's anchor row and drift margin, added only when they cost no request.",
    '',
  ].join('\n');

  const out = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'planner.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(out, 'planner.md'), markdown);
  console.log(markdown);
}

await main();
