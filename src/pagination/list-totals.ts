// The last total each list reported, so that a cursor naming an offset far past the end of its list
// can be refused before its page number reaches the upstream (connection.ts, checkOffsets).
//
// Bounded: the least recently noted lists are forgotten first; a forgotten list is only checked
// against the absolute cap again. Keyed by the list fingerprint (account + filter + order), so it
// holds no user data, only a count per list.

const DEFAULT_MAX_LISTS = 10_000;

export class ListTotals {
  private readonly totals = new Map<string, number>();

  constructor(private readonly maxLists = DEFAULT_MAX_LISTS) {
    if (!Number.isSafeInteger(maxLists) || maxLists < 1) {
      throw new RangeError(`ListTotals: maxLists must be a positive integer, got ${maxLists}`);
    }
  }

  get(list: string): number | undefined {
    return this.totals.get(list);
  }

  note(list: string, total: number): void {
    if (!Number.isSafeInteger(total) || total < 0) return;
    // Map keeps insertion order: re-inserting makes this list the most recent one.
    this.totals.delete(list);
    this.totals.set(list, total);
    if (this.totals.size > this.maxLists) {
      const oldest = this.totals.keys().next();
      if (oldest.done !== true) this.totals.delete(oldest.value);
    }
  }

  get size(): number {
    return this.totals.size;
  }
}
