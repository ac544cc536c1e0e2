// In-flight sharing of identical calls across GraphQL requests. The key must contain the credential
// key: two credentials never share an answer (the upstream may authorise them differently).
//
// Why not undici's `interceptors.deduplicate`: it sits under the dispatcher, i.e. after our fair
// share slot and rate budget are already spent, its key includes every header (our traceparent
// differs per call), and the first caller's abort cancels the shared call for everyone. Here the
// shared call is aborted only when every caller waiting for it has gone.
import { SharedCallSignal, watchersOf } from './caller-signal.js';
import type { CallerSignal, CallerWatcher } from './caller-signal.js';

export interface Joined<T> {
  result: Promise<T>;
  /** True when this caller joined a call already in flight. */
  shared: boolean;
}

interface Flight<T> {
  result: Promise<T>;
  waiting: number;
  signal: SharedCallSignal;
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
    signal: CallerSignal | undefined,
    start: (signal: CallerSignal) => Promise<T>,
    until = Infinity,
  ): Joined<T> {
    let flight = this.flights.get(key);
    if (flight !== undefined && !worthJoining(flight.until, until, Date.now())) flight = undefined;
    const shared = flight !== undefined;
    if (flight === undefined) {
      const callSignal = new SharedCallSignal();
      const result = start(callSignal).finally(() => {
        if (this.flights.get(key) === created) this.flights.delete(key);
      });
      // Callers that all left must not surface an unhandled rejection.
      result.catch(() => undefined);
      const created: Flight<T> = { result, waiting: 0, signal: callSignal, until };
      flight = created;
      this.flights.set(key, created);
    }
    flight.waiting++;
    if (signal === undefined) {
      const joined = flight;
      return { result: flight.result.finally(() => joined.waiting--), shared };
    }
    if (signal.aborted) {
      flight.waiting--;
      this.abandoned(key, flight, signal.reason);
      return { result: Promise.reject(signal.reason), shared };
    }
    return { result: new Follower(this, key, flight, signal).result, shared };
  }

  /** A caller left before the answer: when it was the last, nobody wants the call any more. */
  abandoned(key: string, flight: Flight<T>, reason: unknown): void {
    if (flight.waiting > 0) return;
    // A new caller starts afresh rather than join a corpse.
    if (this.flights.get(key) === flight) this.flights.delete(key);
    flight.signal.abort(reason);
  }
}

/** One caller of a flight: settles with the flight, or rejects at once when the caller leaves. */
class Follower<T> implements CallerWatcher {
  readonly result: Promise<T>;
  private resolve!: (value: T) => void;
  private reject!: (error: unknown) => void;
  private settled = false;
  private readonly watchers: Set<CallerWatcher>;

  constructor(
    private readonly calls: InflightCalls<T>,
    private readonly key: string,
    private readonly flight: Flight<T>,
    signal: CallerSignal,
  ) {
    this.result = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.watchers = watchersOf(signal);
    this.watchers.add(this);
    flight.result.then(
      (value) => {
        if (this.end()) this.resolve(value);
      },
      (error: unknown) => {
        if (this.end()) this.reject(error);
      },
    );
  }

  callerGone(reason: unknown): void {
    if (!this.end()) return;
    this.reject(reason);
    this.calls.abandoned(this.key, this.flight, reason);
  }

  /** True the first time: the caller stops waiting for the flight. */
  private end(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.watchers.delete(this);
    this.flight.waiting--;
    return true;
  }
}

function worthJoining(flightUntil: number, until: number, now: number): boolean {
  if (flightUntil === Infinity) return true;
  return flightUntil - now >= (until - now) / 2;
}
