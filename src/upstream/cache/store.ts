// The cross-request cache's storage contract. Off unless CACHE_TTL_MS > 0; in memory by default,
// in Redis when REDIS_URL is set. A store keeps opaque text (an entry serialised by entry.ts):
// every reader parses its own copy, so no two requests ever share an object, and what comes back
// is validated before use whichever store it came from.

export interface CacheStore {
  /** A miss on any storage failure: the cache never fails a request. */
  get(key: string): Promise<string | undefined>;
  /**
   * Keeps the text for `retentionMs` (its freshness plus, when it has an ETag, the window in which
   * it may still be revalidated).
   */
  set(key: string, text: string, retentionMs: number): Promise<void>;
  close(): Promise<void>;
  readonly kind: 'memory' | 'redis';
}
