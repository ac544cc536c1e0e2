// The cross-request cache's storage contract. Off unless CACHE_TTL_MS > 0; in memory by default,
// in Redis when REDIS_URL is set. Entries hold decoded domain values (never raw upstream bodies:
// the vcard API's document carries secrets the gateway drops while decoding, and those must not
// land in Redis).

/** One cached upstream answer. JSON-safe, so Redis can store it as is. */
export interface CacheEntry {
  /** The decoded value (a users page, a user, a card), or null for a remembered 404. */
  value: unknown;
  /** Epoch ms until which the entry is served without asking the upstream. */
  freshUntil: number;
  /** The upstream's validator; after freshUntil the entry is revalidated with If-None-Match. */
  etag?: string;
  /** The upstream's Cache-Control, applied again when a 304 does not send its own. */
  cacheControl?: string;
  /** Roughly the bytes of the upstream body it came from (the memory store's budget). */
  size?: number;
}

export interface CacheStore {
  /** A miss on any storage failure: the cache never fails a request. */
  get(key: string): Promise<CacheEntry | undefined>;
  /**
   * Keeps the entry for `retentionMs` (its freshness plus, when it has an ETag, the window in which
   * it may still be revalidated). `sizeHint` is roughly its size in bytes.
   */
  set(key: string, entry: CacheEntry, retentionMs: number, sizeHint: number): Promise<void>;
  close(): Promise<void>;
  readonly kind: 'memory' | 'redis';
}
