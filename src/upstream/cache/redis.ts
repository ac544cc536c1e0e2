// Redis store, so several gateway instances share one cache. A slow or absent Redis must never fail
// or noticeably slow a GraphQL request: commands time out quickly, nothing is queued while the
// connection is down, and every failure is a cache miss (logged at warn, at most once per interval).
// What it reads back may have been written by another release: entry.ts validates it.
import { newRedis } from '../redis-client.js';
import type { Redis } from '../redis-client.js';
import type { UpstreamHooks } from '../hooks.js';
import type { CacheStore } from './store.js';

export const REDIS_KEY_PREFIX = 'tdg:v1:';

export interface RedisStoreOptions {
  url: string;
  /** Told when Redis cannot be used (at most once per warnIntervalMs). */
  hooks: Pick<UpstreamHooks, 'storeUnavailable'>;
  /** Per-command budget; default 100 ms. */
  commandTimeoutMs?: number;
  /**
   * How long commands wait for the very first connection (only until its outcome is known: a
   * refused connection ends the wait at once); default 1 s. A command budget was too short on a
   * loaded host: a fresh instance then missed entries that a second instance had just written.
   */
  firstConnectionWaitMs?: number;
  /** Least time between two warnings about Redis; default 30 s. */
  warnIntervalMs?: number;
}

export class RedisStore implements CacheStore {
  readonly kind = 'redis';
  private readonly redis: Redis;
  private readonly hooks: Pick<UpstreamHooks, 'storeUnavailable'>;
  private readonly warnIntervalMs: number;
  private everReady = false;
  /** Settles on the first connection's outcome, or when firstConnectionWaitMs has passed. */
  private readonly firstAttempt: Promise<void>;
  private lastWarnAt = -Infinity;
  private suppressedWarnings = 0;

  constructor(options: RedisStoreOptions) {
    const timeout = options.commandTimeoutMs ?? 100;
    this.hooks = options.hooks;
    this.warnIntervalMs = options.warnIntervalMs ?? 30_000;
    this.redis = newRedis(options.url, {
      commandTimeout: timeout,
      connectTimeout: 2_000,
      // Queued commands would make every request wait out the timeout while Redis is down.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // Keep trying to come back, but slowly: each attempt is only a log line and a socket.
      retryStrategy: (times) => Math.min(times * 200, 5_000),
    });
    this.redis.on('ready', () => {
      this.everReady = true;
    });
    // Without a listener ioredis' connection errors would be unhandled 'error' events.
    this.redis.on('error', (error: unknown) => this.warn(error));
    this.firstAttempt = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.firstConnectionWaitMs ?? 1_000);
      timer.unref();
      const settle = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.redis.once('ready', settle);
      this.redis.once('error', settle);
      this.redis.once('end', settle);
    });
  }

  async get(key: string): Promise<string | undefined> {
    try {
      if (!(await this.usable())) return undefined;
      const raw = await this.redis.get(REDIS_KEY_PREFIX + key);
      return raw ?? undefined;
    } catch (error) {
      this.warn(error);
      return undefined;
    }
  }

  async set(key: string, text: string, retentionMs: number): Promise<void> {
    try {
      if (!(await this.usable())) return;
      await this.redis.set(REDIS_KEY_PREFIX + key, text, 'PX', Math.max(1, Math.ceil(retentionMs)));
    } catch (error) {
      this.warn(error);
    }
  }

  async close(): Promise<void> {
    if (this.redis.status === 'ready') {
      try {
        await this.redis.quit();
        return;
      } catch {
        // Falls through to a hard disconnect.
      }
    }
    this.redis.disconnect();
  }

  /** Right after start-up a command waits for the connection (briefly); later, down is a miss. */
  private async usable(): Promise<boolean> {
    if (this.ready()) return true;
    if (!this.everReady) await this.firstAttempt;
    if (this.ready()) return true;
    this.warn(new Error(`not connected (${this.redis.status})`));
    return false;
  }

  private ready(): boolean {
    return this.redis.status === 'ready';
  }

  private warn(error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarnAt < this.warnIntervalMs) {
      this.suppressedWarnings++;
      return;
    }
    this.lastWarnAt = now;
    const suppressed = this.suppressedWarnings;
    this.suppressedWarnings = 0;
    // The message only: REDIS_URL may hold a password, and ioredis errors can carry the options.
    this.hooks.storeUnavailable({
      store: 'redis',
      error: error instanceof Error ? error.message : String(error),
      suppressed,
    });
  }
}
