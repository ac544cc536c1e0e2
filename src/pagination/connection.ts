/*
 * Relay cursor connections over an upstream that only knows `page` and `page_size`.
 *
 * Windows. A request selects a window of list offsets: `first: n` starts right after the `after`
 * cursor (or at 0); `last: n` ends right before the `before` cursor (or at the end of the list,
 * which costs a probe: page 1 at the upstream maximum tells the total, and its rows are kept). A
 * second cursor only narrows the window. The window is mapped to the fewest page requests by
 * `planWindow` (one when a page of some size holds it, else two), fetched in parallel, and the
 * edges are read from the rows at those offsets, in upstream order. `first: 0` / `last: 0` fetch
 * page 1 of size 1, just for `totalCount`. A cursor past the end of the list gives an empty page.
 * pageInfo is exact: hasPreviousPage says a row exists before the first edge (or before the
 * empty window's position), hasNextPage that one exists after the last edge (or at the position).
 *
 * Drift between client requests. A cursor stores the offset of its edge and the edge node's id
 * (the anchor). Users added or removed before that offset since the cursor was made move the
 * anchor, and paging by offset alone would then repeat or skip users. So:
 * 1. When planning a window next to a cursor, the anchor's own row, and up to 4 more rows on the
 *    side the anchor drifts out of the window (before an `after` anchor, where deletions move it;
 *    after a `before` anchor, where insertions move it), are added to the fetch whenever that
 *    does not add a request. Drift the other way moves the anchor into the window itself.
 * 2. If the row at the cursor's offset is not the anchor, the anchor is searched in all fetched
 *    rows; the occurrence nearest the expected offset wins.
 * 3. If found elsewhere, the window is shifted to start right after it (`after`) or end right
 *    before it (`before`), and rows of the shifted window not yet fetched are fetched.
 * 4. If not found (the user was deleted, or moved further than the fetched rows reach), the
 *    cursor's offset is used as is.
 * Net effect: inserting or deleting users before a cursor between two client requests neither
 * repeats nor skips a user whenever the anchor is found. `first: 0` / `last: 0` and windows left
 * empty by their cursors fetch no rows near the cursor and use its offset as is.
 *
 * Changes within one request: the total is taken from the latest response covering the window's
 * end, edges stop at the first row missing from the responses, and totalCount is never below the
 * last edge's offset + 1, so pageInfo always agrees with the edges and totalCount returned.
 *
 * Clamping: the echoed page_size is the truth for the answer that echoes it. An echo smaller than
 * asked means the upstream maximum is smaller than believed: the rows still missing are re-planned
 * with the smaller maximum (never below `minPageSize`, so one bad echo cannot fan a window out into
 * a request per row). Every answer is reported (onAnswer); what it means beyond this call is the
 * caller's decision (page-maximum.ts).
 *
 * Forged offsets: without a cursor secret a client can write any offset into a cursor. Offsets past
 * MAX_LIST_OFFSET are refused outright; when the caller knows the list's total from an earlier
 * answer, an offset more than one page past it is checked against a fresh total (page 1 of size 1,
 * so no forged page number reaches the upstream) and refused when the list does not reach it.
 */
import { decodeCursor, encodeCursor, type CursorPosition } from './cursor.js';
import { PaginationInputError } from './errors.js';
import { FetchedRows, type Range, type RowSource } from './fetched-rows.js';
import { planWindow, type PageRequest } from './planner.js';

export type { AnswerSummary, FetchedPage } from './fetched-rows.js';

/** The Relay arguments. `undefined` and `null` both mean absent (GraphQL gives either). */
export interface ConnectionArgs {
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}

export interface PaginateOptions<T> extends RowSource<T> {
  fingerprint: string;
  /** MAX_PAGE_SIZE: the largest first/last a client may ask. */
  maxFirst: number;
  /** Used when neither first nor last is given (capped at maxFirst). */
  defaultFirst: number;
  secret?: string | undefined;
  /** The list's total as an earlier answer gave it, if known: bounds the offsets cursors may name. */
  knownTotal?: number | undefined;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  totalCount: number;
}

/**
 * Rows the anchor may drift out by and still be found, tried largest first while they cost no
 * extra request. Small on purpose: over all windows of the benchmark a margin of 4 costs 1.31 rows
 * fetched per row returned, 8 would cost 1.43 (anchor row alone 1.16), for rarer drifts.
 */
const DRIFT_MARGINS = [4, 2, 0];
/** The cheapest request that still reports total_items. */
const TOTAL_ONLY: PageRequest = { page: 1, pageSize: 1 };
/**
 * No cursor offset beyond this is planned, whatever the list: far above any account's users, and
 * it keeps a forged cursor's page number within what a real list could ask.
 */
export const MAX_LIST_OFFSET = 1_000_000;

/** Throws PaginationInputError for: first and last both given; negative; > maxFirst; non-integer. */
export function validateConnectionArgs(args: ConnectionArgs, maxFirst: number): void {
  if (args.first != null && args.last != null) {
    throw new PaginationInputError(
      'Pass either "first" (forward) or "last" (backward), not both.',
      'last',
    );
  }
  validateCount(args.first, 'first', maxFirst);
  validateCount(args.last, 'last', maxFirst);
}

function validateCount(value: number | null | undefined, name: string, maxFirst: number): void {
  if (value == null) return;
  if (!Number.isInteger(value)) {
    throw new PaginationInputError(`"${name}" must be an integer.`, name);
  }
  if (value < 0) throw new PaginationInputError(`"${name}" must not be negative.`, name);
  if (value > maxFirst) {
    throw new PaginationInputError(`"${name}" must be at most ${maxFirst}.`, name);
  }
}

export async function paginate<T>(
  args: ConnectionArgs,
  options: PaginateOptions<T>,
): Promise<Connection<T>> {
  if (!Number.isInteger(options.upstreamMaxPageSize) || options.upstreamMaxPageSize < 1) {
    throw new RangeError('upstreamMaxPageSize must be a positive integer');
  }
  validateConnectionArgs(args, options.maxFirst);
  const after = readCursor(args.after, 'after', options);
  const before = readCursor(args.before, 'before', options);
  const backward = args.last != null;
  // An operator lowering MAX_PAGE_SIZE below the default must not make argument-less queries fail.
  const count = args.last ?? args.first ?? Math.min(options.defaultFirst, options.maxFirst);
  const rows = new FetchedRows(options);
  await checkOffsets([after, before], rows, options);

  // Round 1: what can be planned from the arguments alone.
  if (backward && before === undefined) {
    await rows.fetch([count === 0 ? TOTAL_ONLY : { page: 1, pageSize: rows.maxPageSize }]);
  } else {
    // Forward, or backward from a cursor: the window does not depend on the total.
    const window = selectWindow(backward, count, after?.offset, before?.offset ?? Infinity);
    await rows.fetch(
      window.start === window.end
        ? [TOTAL_ONLY]
        : planWithAnchors(window, after, before, rows.maxPageSize),
    );
  }

  // Round 2: re-find the anchors, settle the window, fetch what it still lacks.
  const afterAt = after && rows.locate(after);
  const beforeAt = before && rows.locate(before);
  const known = rows.latestTotal();
  const window = clipToList(
    selectWindow(backward, count, afterAt, beforeAt ?? (backward ? known : Infinity)),
    known,
    afterAt,
    beforeAt,
  );
  await rows.fill(window);
  const total = window.start < window.end ? rows.totalAt(window.end - 1) : known;
  return buildConnection(rows, window, total, backward, options);
}

/**
 * Refuses cursor offsets the list cannot reach (see the comment at the top). The fresh total costs
 * one small request, only for an offset already past the known total by more than a page.
 */
async function checkOffsets<T>(
  cursors: [CursorPosition | undefined, CursorPosition | undefined],
  rows: FetchedRows<T>,
  options: PaginateOptions<T>,
): Promise<void> {
  const [after, before] = cursors;
  const slack = Math.max(options.maxFirst, options.upstreamMaxPageSize);
  const beyond = (limit: number): CursorPosition | undefined =>
    [after, before].find((cursor) => cursor !== undefined && cursor.offset > limit);
  const refuse = (cursor: CursorPosition): PaginationInputError => {
    const name = cursor === after ? 'after' : 'before';
    return new PaginationInputError(
      `Invalid "${name}" cursor: its position is beyond the end of the list (forged, or the list shrank); start again without it.`,
      name,
    );
  };
  const absurd = beyond(MAX_LIST_OFFSET);
  if (absurd !== undefined) throw refuse(absurd);
  const known = options.knownTotal;
  if (known === undefined || beyond(known + slack) === undefined) return;
  await rows.fetch([TOTAL_ONLY]);
  const far = beyond(rows.latestTotal() + slack);
  if (far !== undefined) throw refuse(far);
}

function readCursor<T>(
  cursor: string | null | undefined,
  argumentName: string,
  options: PaginateOptions<T>,
): CursorPosition | undefined {
  return cursor == null
    ? undefined
    : decodeCursor(cursor, options.fingerprint, argumentName, options.secret);
}

/**
 * The window the arguments select, before the list's end is known. `upper` is the `before` offset,
 * or for `last` without `before` the total, or Infinity (forward without `before`). Cursors that
 * leave nothing between them give an empty window at the position paging stopped at.
 */
function selectWindow(
  backward: boolean,
  count: number,
  afterOffset: number | undefined,
  upper: number,
): Range {
  const lower = afterOffset === undefined ? 0 : afterOffset + 1;
  if (!backward) return { start: lower, end: Math.max(lower, Math.min(lower + count, upper)) };
  return { start: Math.min(upper, Math.max(lower, upper - count)), end: upper };
}

/** A cursor past the end gives an empty page at the end; otherwise rows past the end do not exist. */
function clipToList(
  window: Range,
  total: number,
  afterOffset: number | undefined,
  beforeOffset: number | undefined,
): Range {
  if ((afterOffset ?? -1) >= total || (beforeOffset ?? -1) >= total) {
    return { start: total, end: total };
  }
  return { start: Math.min(window.start, total), end: Math.min(window.end, total) };
}

/**
 * The plan for `window`, grown to include the cursors' anchor rows and a drift margin around them
 * when that costs no extra request (see the comment at the top). Larger margins are tried first.
 */
function planWithAnchors(
  window: Range,
  after: CursorPosition | undefined,
  before: CursorPosition | undefined,
  maxPageSize: number,
): PageRequest[] {
  const bare = planWindow(window.start, window.end - window.start, maxPageSize);
  // Only a cursor that bounds the window has its anchor next to it (`before` far beyond `first`
  // rows does not bound it: no row of it is worth fetching).
  const growStart = after !== undefined && window.start === after.offset + 1;
  const growEnd = before !== undefined && window.end === before.offset;
  if (!growStart && !growEnd) return bare;
  for (const margin of DRIFT_MARGINS) {
    const start = growStart ? Math.max(0, window.start - 1 - margin) : window.start;
    const end = growEnd ? window.end + 1 + margin : window.end;
    const plan = planWindow(start, end - start, maxPageSize);
    if (plan.length <= bare.length) return plan;
  }
  return bare;
}

function buildConnection<T>(
  rows: FetchedRows<T>,
  window: Range,
  total: number,
  backward: boolean,
  options: PaginateOptions<T>,
): Connection<T> {
  const start = Math.min(window.start, total);
  const end = Math.min(window.end, total);
  // Edges must be contiguous: stop at the first row no response had (the list changed between
  // two of this request's responses), keeping the side next to the cursor.
  let first = start;
  let last = start - 1;
  if (backward) {
    first = end;
    last = end - 1;
    while (first > start && rows.has(first - 1)) first--;
  } else {
    while (last + 1 < end && rows.has(last + 1)) last++;
  }
  const edges: Edge<T>[] = [];
  for (let offset = first; offset <= last; offset++) {
    const row = rows.get(offset);
    if (row === undefined) break; // unreachable: checked above; keeps the types honest
    edges.push(new LazyEdge(row.node, { offset, anchor: row.id }, options));
  }
  const totalCount = Math.max(total, last + 1);
  // An empty page sits where paging stopped: the window's start forward, its end backward.
  const position = backward ? end : start;
  const startEdge = edges[0];
  const endEdge = edges[edges.length - 1];
  return {
    edges,
    totalCount,
    pageInfo: {
      hasPreviousPage: edges.length > 0 ? first > 0 : position > 0,
      hasNextPage: edges.length > 0 ? last + 1 < totalCount : position < totalCount,
      startCursor: startEdge?.cursor ?? null,
      endCursor: endEdge?.cursor ?? null,
    },
  };
}

/**
 * An edge whose cursor is made (and signed: an HMAC) the first time it is read. A page of 50 makes
 * 50 edges, and most queries read the cursors of pageInfo only: signing every edge's was a fifth of
 * Q1's CPU with CURSOR_SECRET set. A class, so that every edge shares one shape and one getter (an
 * object literal with its own getter closure per edge made each edge a shape of its own, and
 * reading `node` slower than the signing it saved).
 */
class LazyEdge<T> implements Edge<T> {
  readonly #position: CursorPosition;
  readonly #list: { fingerprint: string; secret?: string | undefined };
  #cursor: string | undefined;

  constructor(
    readonly node: T,
    position: CursorPosition,
    list: { fingerprint: string; secret?: string | undefined },
  ) {
    this.#position = position;
    this.#list = list;
  }

  get cursor(): string {
    this.#cursor ??= encodeCursor(this.#position, this.#list.fingerprint, this.#list.secret);
    return this.#cursor;
  }
}
