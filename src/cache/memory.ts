// In-process LRU store, bounded by entry count and by approximate bytes.
import { LRUCache } from 'lru-cache';
import type { CacheEntry, CacheStore } from './cache.js';

export interface MemoryStoreOptions {
  maxEntries: number;
  maxBytes: number;
}

export class MemoryStore implements CacheStore {
  readonly kind = 'memory';
  private readonly lru: LRUCache<string, CacheEntry>;

  constructor(options: MemoryStoreOptions) {
    this.lru = new LRUCache<string, CacheEntry>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      // Expired entries go on the next get of their key or by LRU order; no timers per entry.
      ttlAutopurge: false,
    });
  }

  get(key: string): Promise<CacheEntry | undefined> {
    return Promise.resolve(this.lru.get(key));
  }

  set(key: string, entry: CacheEntry, retentionMs: number, sizeHint: number): Promise<void> {
    // A hit hands out this very object to every later request: freezing makes an accidental
    // mutation by one request throw instead of silently changing what the next one sees.
    deepFreeze(entry);
    this.lru.set(key, entry, { ttl: Math.max(1, retentionMs), size: Math.max(1, sizeHint) });
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

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}
