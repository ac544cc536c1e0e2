// A 429 is the upstream telling one credential to slow down: it says nothing about the upstream's
// health, so it opens no shared circuit. Instead that credential waits (Retry-After when sent, else
// exponential backoff) before its next call, and other credentials carry on untouched.
//
// The table is keyed by a credential key (a hash, never the credential itself) and bounded: the
// least recently throttled entries go first, and entries whose wait is over are forgotten on read.

export interface CredentialBackoffOptions {
  /** First wait after a 429 without Retry-After; doubled per consecutive 429. */
  baseMs?: number;
  maxMs?: number;
  /** Credentials tracked at once. */
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  until: number;
  strikes: number;
}

/** A Retry-After beyond this is treated as this: a broken header must not park a tenant for days. */
const RETRY_AFTER_CEILING_MS = 10 * 60_000;

export class CredentialBackoff {
  private readonly entries = new Map<string, Entry>();
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: CredentialBackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 250;
    this.maxMs = options.maxMs ?? 30_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** How long a call with this credential must wait before it may be sent (0: go). */
  delay(key: string): number {
    const entry = this.entries.get(key);
    if (entry === undefined) return 0;
    const wait = entry.until - this.now();
    return wait > 0 ? wait : 0;
  }

  /** Records a 429; returns how long this credential now waits. */
  throttled(key: string, retryAfterMs: number | undefined): number {
    const now = this.now();
    const previous = this.entries.get(key);
    const strikes = (previous?.strikes ?? 0) + 1;
    const wait =
      retryAfterMs !== undefined
        ? Math.min(retryAfterMs, RETRY_AFTER_CEILING_MS)
        : Math.min(this.maxMs, this.baseMs * 2 ** (strikes - 1));
    // Several calls of one credential may be answered 429 at once: the latest end wins.
    const until = Math.max(now + wait, previous?.until ?? 0);
    this.entries.delete(key);
    this.entries.set(key, { until, strikes });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
    return until - now;
  }

  /** A call with this credential got through: its backoff starts over. */
  succeeded(key: string): void {
    const entry = this.entries.get(key);
    if (entry !== undefined && entry.until <= this.now()) this.entries.delete(key);
  }
}
