// In-process LRU store, bounded by entry count and by bytes (UTF-16 code units of the kept text).
import { LRUCache } from 'lru-cache';
import type { CacheStore } from './store.js';

export interface MemoryStoreOptions {
  maxEntries: number;
  maxBytes: number;
}

export class MemoryStore implements CacheStore {
  readonly kind = 'memory';
  private readonly lru: LRUCache<string, string>;

  constructor(options: MemoryStoreOptions) {
    this.lru = new LRUCache<string, string>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      // Expired entries go on the next get of their key or by LRU order; no timers per entry.
      ttlAutopurge: false,
    });
  }

  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.lru.get(key));
  }

  set(key: string, text: string, retentionMs: number): Promise<void> {
    // Text, not the caller's object: a request that changes what it was handed (as
    // @apollo/subgraph does, writing __typename onto entities) can never change what the next
    // request reads.
    this.lru.set(key, text, { ttl: Math.max(1, retentionMs), size: Math.max(1, text.length) });
    return Promise.resolve();
  }

  get size(): number {
    return this.lru.size;
  }

  close(): Promise<void> {
    this.lru.clear();
    return Promise.resolve();
  }
}
