// The runtime cap on upstream calls one GraphQL HTTP request may cause (MAX_UPSTREAM_CALLS_PER_REQUEST;
// a batch is one request). The static cost limit refuses what it can foresee; this catches what it
// cannot (ids known only at run time, nested lists), and bounds the work one request can put on the
// shared pools whatever the cost model says.
//
// A call is counted when a resolver asks for it, before the cache and in-flight sharing: whether a
// field is refused then depends on the request alone, never on what a neighbour happened to fetch.

export class CallCap {
  private used = 0;
  private refusedCount = 0;

  constructor(readonly limit: number) {}

  /** Counts one call; false (and nothing counted) when the request has used its allowance. */
  take(): boolean {
    if (this.used >= this.limit) {
      this.refusedCount++;
      return false;
    }
    this.used++;
    return true;
  }

  get calls(): number {
    return this.used;
  }

  get refused(): number {
    return this.refusedCount;
  }
}
