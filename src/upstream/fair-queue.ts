// The pure scheduler behind fair share. One upstream pool has `capacity` slots; one GraphQL request
// may hold at most `perRequest` of them. Waiting calls are granted round-robin: first across
// tenants (credentials), then across that tenant's requests, then in arrival order within a request.
// So a request that queued 9,000 calls gets one slot in turn like everyone else, and a light
// neighbour waits for at most one grant per other active tenant instead of the whole backlog.
//
// "Round-robin" is made exact as "least recently served first": a tenant (or request) goes to the
// back of its ring when it is served, and joins at the back when it starts waiting. A tenant whose
// every request is at its cap keeps its place and is skipped until a slot of its own frees.

export class FairQueue<R, T> {
  private inFlightCount = 0;
  /** tenant -> its requests with waiting calls -> those calls, oldest first. Map order is the ring. */
  private readonly waiting = new Map<string, Map<R, T[]>>();
  private readonly running = new Map<R, number>();
  private readonly where = new Map<T, { tenant: string; request: R }>();

  constructor(
    readonly capacity: number,
    readonly perRequest: number,
  ) {
    if (!(capacity >= 1 && perRequest >= 1)) throw new RangeError('capacity and perRequest >= 1');
  }

  get inFlight(): number {
    return this.inFlightCount;
  }

  get queued(): number {
    return this.where.size;
  }

  runningFor(request: R): number {
    return this.running.get(request) ?? 0;
  }

  /**
   * Takes a slot for a call of `request` at once when nothing waits and the request is under its
   * share: exactly what `push` would grant, without queueing (the common case, at no cost).
   */
  tryTake(request: R): boolean {
    const running = this.runningFor(request);
    if (this.where.size > 0 || this.inFlightCount >= this.capacity || running >= this.perRequest) {
      return false;
    }
    this.running.set(request, running + 1);
    this.inFlightCount++;
    return true;
  }

  /** Queues `item` (a unique value); returns every item granted as a result, possibly `item`. */
  push(tenant: string, request: R, item: T): T[] {
    if (this.where.has(item)) throw new Error('item already queued');
    let requests = this.waiting.get(tenant);
    if (requests === undefined) {
      requests = new Map();
      this.waiting.set(tenant, requests);
    }
    const calls = requests.get(request);
    if (calls === undefined) requests.set(request, [item]);
    else calls.push(item);
    this.where.set(item, { tenant, request });
    return this.dispatch();
  }

  /** A granted call of `request` finished; returns the items granted as a result. */
  release(request: R): T[] {
    const n = this.running.get(request);
    if (n === undefined) throw new Error('release without a grant');
    if (n <= 1) this.running.delete(request);
    else this.running.set(request, n - 1);
    this.inFlightCount--;
    return this.dispatch();
  }

  /** A waiting item gave up (deadline, client gone). False when it was not waiting. */
  remove(item: T): boolean {
    const at = this.where.get(item);
    if (at === undefined) return false;
    this.where.delete(item);
    const requests = this.waiting.get(at.tenant);
    const calls = requests?.get(at.request);
    if (requests === undefined || calls === undefined) return true;
    calls.splice(calls.indexOf(item), 1);
    if (calls.length === 0) requests.delete(at.request);
    if (requests.size === 0) this.waiting.delete(at.tenant);
    return true;
  }

  private dispatch(): T[] {
    const granted: T[] = [];
    while (this.inFlightCount < this.capacity) {
      const next = this.pick();
      if (next === undefined) break;
      granted.push(next);
    }
    return granted;
  }

  private pick(): T | undefined {
    for (const [tenant, requests] of this.waiting) {
      for (const [request, calls] of requests) {
        if (this.runningFor(request) >= this.perRequest) continue;
        const item = calls.shift();
        if (item === undefined) continue;
        this.where.delete(item);
        this.running.set(request, this.runningFor(request) + 1);
        this.inFlightCount++;
        // Served: to the back of both rings (or out of them when nothing is left waiting).
        requests.delete(request);
        if (calls.length > 0) requests.set(request, calls);
        this.waiting.delete(tenant);
        if (requests.size > 0) this.waiting.set(tenant, requests);
        return item;
      }
    }
    return undefined;
  }
}
