// Fair share of one upstream's connection pool: a call waits here for a slot instead of in the
// pool's own first-come-first-served queue (the pool has exactly `capacity` connections, so it never
// queues). The order is FairQueue's: round-robin across credentials, then across requests.

import type { CallerSignal } from './caller-signal.js';
import { FairQueue } from './fair-queue.js';

interface Waiter {
  grant: () => void;
}

export interface FairShareOptions {
  /** Calls in flight to this upstream (the pool's size, UPSTREAM_MAX_CONCURRENCY). */
  capacity: number;
  /** Calls one GraphQL request may have in flight (UPSTREAM_MAX_CONCURRENCY_PER_REQUEST). */
  perRequest: number;
}

export class FairShare<R> {
  private readonly queue: FairQueue<R, Waiter>;

  constructor(options: FairShareOptions) {
    this.queue = new FairQueue(options.capacity, options.perRequest);
  }

  get waiting(): number {
    return this.queue.queued;
  }

  get inFlight(): number {
    return this.queue.inFlight;
  }

  /** The release function when a slot is free right now (nothing waits); else undefined. */
  tryAcquire(request: R): (() => void) | undefined {
    return this.queue.tryTake(request) ? this.releaserOf(request) : undefined;
  }

  /**
   * Resolves with the function that gives the slot back (call it exactly once, however the call
   * ends). Rejects with `giveUp()` at `until` (epoch ms), or with the signal's reason on abort.
   */
  acquire(
    tenant: string,
    request: R,
    until: number,
    giveUp: () => Error,
    signal?: CallerSignal,
  ): Promise<() => void> {
    return new Promise((resolve, reject) => {
      const release = this.releaserOf(request);
      const waiter: Waiter = {
        grant: () => {
          cleanup();
          resolve(release);
        },
      };
      const abandon = (error: unknown): void => {
        if (this.queue.remove(waiter)) {
          cleanup();
          reject(error);
        }
      };
      const onAbort = (): void => abandon(signal?.reason);
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      // Armed before queueing: a grant inside push() disarms it at once.
      const timer = setTimeout(() => abandon(giveUp()), Math.max(0, until - Date.now()));
      const cleanup = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      grantAll(this.queue.push(tenant, request, waiter));
    });
  }

  /** Gives the slot back once, however often it is called. */
  private releaserOf(request: R): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      grantAll(this.queue.release(request));
    };
  }
}

function grantAll(waiters: Waiter[]): void {
  for (const w of waiters) w.grant();
}
