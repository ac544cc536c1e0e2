// In-flight sharing of identical calls across GraphQL requests. The key must contain the credential
// key: two credentials never share an answer (the upstream may authorise them differently).
//
// Why not undici's `interceptors.deduplicate`: it sits under the dispatcher, i.e. after our fair
// share slot and rate budget are already spent, its key includes every header (our traceparent
// differs per call), and the first caller's abort cancels the shared call for everyone. Here the
// shared call is aborted only when every caller waiting for it has gone.

export interface Joined<T> {
  result: Promise<T>;
  /** True when this caller joined a call already in flight. */
  shared: boolean;
}

interface Flight<T> {
  result: Promise<T>;
  waiting: number;
  controller: AbortController;
  /** When the call gives up (the first caller's deadline, epoch ms). */
  until: number;
}

export class InflightCalls<T> {
  private readonly flights = new Map<string, Flight<T>>();

  get size(): number {
    return this.flights.size;
  }

  /**
   * Runs `start` for the first caller of `key`; later callers with the same key get the same
   * result while it is in flight. `start` gets a signal that aborts once every caller's own signal
   * has aborted. Each caller's promise rejects with its own signal's reason when it leaves.
   *
   * The call runs until its first caller's deadline (`until`, epoch ms). A later caller joins it
   * only while it has at least half of that caller's own time left; otherwise it starts a fresh
   * call, which the next callers join: nobody inherits much less time than its own.
   */
  join(
    key: string,
    signal: AbortSignal | undefined,
    start: (signal: AbortSignal) => Promise<T>,
    until = Infinity,
  ): Joined<T> {
    let flight = this.flights.get(key);
    if (flight !== undefined && !worthJoining(flight.until, until, Date.now())) flight = undefined;
    const shared = flight !== undefined;
    if (flight === undefined) {
      const controller = new AbortController();
      const result = start(controller.signal).finally(() => {
        if (this.flights.get(key) === created) this.flights.delete(key);
      });
      // Callers that all left must not surface an unhandled rejection.
      result.catch(() => undefined);
      const created: Flight<T> = { result, waiting: 0, controller, until };
      flight = created;
      this.flights.set(key, created);
    }
    return { result: this.follow(key, flight, signal), shared };
  }

  private follow(key: string, flight: Flight<T>, signal: AbortSignal | undefined): Promise<T> {
    flight.waiting++;
    if (signal === undefined) return flight.result.finally(() => flight.waiting--);
    return new Promise<T>((resolve, reject) => {
      const leave = (): void => {
        signal.removeEventListener('abort', onAbort);
        flight.waiting--;
      };
      const onAbort = (): void => {
        leave();
        reject(signal.reason);
        if (flight.waiting === 0) {
          // Nobody wants the answer any more; a new caller starts afresh rather than join a corpse.
          if (this.flights.get(key) === flight) this.flights.delete(key);
          flight.controller.abort(signal.reason);
        }
      };
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      flight.result.then(
        (value) => {
          leave();
          resolve(value);
        },
        (error: unknown) => {
          leave();
          reject(error);
        },
      );
    });
  }
}

function worthJoining(flightUntil: number, until: number, now: number): boolean {
  if (flightUntil === Infinity) return true;
  return flightUntil - now >= (until - now) / 2;
}
