// Maps a window of list offsets onto the page-number requests the users API understands.
//
// The upstream only answers "page p of size s", i.e. offsets [(p-1)s, ps). Any s up to the upstream
// maximum is allowed, so a window [o, o+n) that straddles a boundary for s = n is often fully
// inside one page of a slightly larger size. Requests dominate latency and upstream quota; extra
// rows in a page are cheap. Hence the objective, in order: fewest requests, then fewest rows.

/** One upstream request: `page` is 1-based, `pageSize` is the `page_size` parameter. */
export interface PageRequest {
  page: number;
  pageSize: number;
}

/**
 * Minimal set of page requests covering offsets [offset, offset+count).
 *
 * - One request when some size s (count <= s <= maxPageSize) puts both ends in the same page; the
 *   smallest such s (fewest rows).
 * - Otherwise, when count <= maxPageSize, two requests always suffice (two pages of size max do);
 *   the pair with the fewest total rows is searched exhaustively. Ties go to the smaller first page.
 * - When count > maxPageSize, consecutive pages of size max over the span, to be issued in parallel.
 *
 * Deterministic: identical arguments give identical requests, so a per-request DataLoader dedups
 * them. Requests come in offset order. count = 0 needs no rows and gives [].
 */
export function planWindow(offset: number, count: number, maxPageSize: number): PageRequest[] {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError(`planWindow: offset must be a non-negative integer, got ${offset}`);
  }
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`planWindow: count must be a non-negative integer, got ${count}`);
  }
  if (!Number.isSafeInteger(maxPageSize) || maxPageSize < 1) {
    throw new RangeError(`planWindow: maxPageSize must be a positive integer, got ${maxPageSize}`);
  }
  if (count === 0) return [];

  const last = offset + count - 1;

  if (count > maxPageSize) {
    // No page can hold the window: every page of size max inside the span is needed anyway, and a
    // single size keeps the requests aligned and independent (parallel).
    const firstPage = Math.floor(offset / maxPageSize);
    const lastPage = Math.floor(last / maxPageSize);
    const pages: PageRequest[] = [];
    for (let p = firstPage; p <= lastPage; p++) pages.push({ page: p + 1, pageSize: maxPageSize });
    return pages;
  }

  // One page: the smallest size whose page holding `offset` also holds `last`.
  for (let s = count; s <= maxPageSize; s++) {
    if (Math.floor(offset / s) === Math.floor(last / s)) {
      return [{ page: Math.floor(offset / s) + 1, pageSize: s }];
    }
  }

  // Two pages. In any two-page cover, one page holds `offset` and ends at e1 <= last (else it alone
  // would cover the window, which was just ruled out), so the other page must hold all of
  // [e1, last]: there is exactly one candidate page per size s2, the one holding e1.
  // (max, max) always works, so the bound starts just above it.
  let bestRows = 2 * maxPageSize + 1;
  let bestS1 = maxPageSize;
  let bestS2 = maxPageSize;
  for (let s1 = 1; s1 <= maxPageSize && s1 + 1 < bestRows; s1++) {
    const e1 = (Math.floor(offset / s1) + 1) * s1;
    const rest = last - e1 + 1;
    if (rest > maxPageSize) continue;
    // Sizes are tried upwards, so the first fit is the cheapest for this s1.
    for (let s2 = rest; s2 <= maxPageSize && s1 + s2 < bestRows; s2++) {
      if (Math.floor(e1 / s2) === Math.floor(last / s2)) {
        bestRows = s1 + s2;
        bestS1 = s1;
        bestS2 = s2;
        break;
      }
    }
  }
  const end1 = (Math.floor(offset / bestS1) + 1) * bestS1;
  return [
    { page: Math.floor(offset / bestS1) + 1, pageSize: bestS1 },
    { page: Math.floor(end1 / bestS2) + 1, pageSize: bestS2 },
  ];
}
