// The cross-request cache in front of one upstream. It sits below the per-request DataLoaders (they
// still dedupe within a request) and above the HTTP layer: only GETs go through it, and it stores
// the decoded value once the client has validated the answer, so a malformed body is never kept.
//
// Keys: the upstream's base URL, the credential headers actually sent (Authorization,
// X-Auth-Token) and Accept, hashed together with SHA-256, then the path and query. Two callers share
// an entry only when they sent the very same credential to the very same upstream; the credential
// itself is in no key and no value.
//
// Upstream caching headers are honoured when sent: `no-store` (and `Vary: *`) → not kept;
// `max-age` (minus `Age`) shortens CACHE_TTL_MS, never lengthens it; `no-cache` → kept only to be
// revalidated; an ETag lets an expired entry be revalidated with If-None-Match, a 304 then serves
// the kept value and costs one upstream request. `private` needs nothing: entries are per credential.
import { createHash } from 'node:crypto';
import { UpstreamError } from '../errors.js';
import type {
  Deadline,
  UpstreamHttp,
  UpstreamRequest,
  UpstreamResponse,
} from '../upstream/http.js';
import { queryString } from '../upstream/http.js';
import type { CacheEntry, CacheStore } from './cache.js';

export interface UpstreamCacheOptions {
  store: CacheStore;
  /** CACHE_TTL_MS: the longest an answer is served without asking the upstream. */
  ttlMs: number;
  /** The upstream's base URL: instances sharing Redis in front of other upstreams never collide. */
  baseUrl: string;
}

export interface CacheStats {
  /** Answered from the cache, no upstream request. */
  hits: number;
  /** Asked the upstream (including revalidations). */
  misses: number;
  /** Revalidations the upstream answered 304. */
  revalidated: number;
}

/** Headers that decide what the upstream answers; everything else (X-Request-ID) is not. */
const KEYED_HEADERS = ['authorization', 'x-auth-token', 'accept'] as const;

export class UpstreamCache {
  readonly stats: CacheStats = { hits: 0, misses: 0, revalidated: 0 };

  constructor(private readonly options: UpstreamCacheOptions) {}

  /**
   * `decode` turns a 2xx answer into the value (and throws on anything malformed). With `notFound`,
   * a 404 is an answer too: its value is remembered like any other.
   */
  async fetch<T>(
    http: UpstreamHttp,
    req: UpstreamRequest,
    deadline: Deadline,
    decode: (response: UpstreamResponse) => T,
    notFound?: { value: T },
  ): Promise<T> {
    if (req.method !== 'GET') throw new Error('only GET answers are cached');
    const key = this.keyOf(http, req);
    const now = Date.now();
    const entry = await this.options.store.get(key);
    if (entry !== undefined && entry.freshUntil > now) {
      this.stats.hits++;
      return entry.value as T;
    }
    this.stats.misses++;
    const conditional =
      entry?.etag === undefined
        ? req
        : { ...req, headers: { ...req.headers, 'if-none-match': entry.etag } };
    let response: UpstreamResponse;
    try {
      response = await http.request(conditional, deadline);
    } catch (error) {
      if (notFound !== undefined && error instanceof UpstreamError && error.status === 404) {
        // A 404 is the upstream's answer for this credential: remembered so a page whose users
        // have no card costs nothing the second time. Error answers (5xx, 401, …) never are.
        await this.store(key, notFound.value, undefined, 64);
        return notFound.value;
      }
      throw error;
    }
    if (response.status === 304 && entry !== undefined) {
      this.stats.revalidated++;
      await this.store(key, entry.value, withStored(response, entry), entry.size ?? 0, entry.etag);
      return entry.value as T;
    }
    const value = decode(response);
    if (response.status >= 200 && response.status < 300 && response.status !== 206) {
      await this.store(key, value, response, response.body.length);
    }
    return value;
  }

  private async store(
    key: string,
    value: unknown,
    response: Pick<UpstreamResponse, 'headers'> | undefined,
    sizeHint: number,
    knownEtag?: string,
  ): Promise<void> {
    const policy = cachePolicy(response?.headers, this.options.ttlMs);
    if (policy === undefined) return;
    const etag = policy.etag ?? knownEtag;
    // Without a validator an entry is useless once stale; with one it is kept one more TTL to be
    // revalidated (a 304 costs a request but no body, decode or validation).
    if (policy.freshMs <= 0 && etag === undefined) return;
    const entry: CacheEntry = { value, freshUntil: Date.now() + policy.freshMs, size: sizeHint };
    if (etag !== undefined) entry.etag = etag;
    if (policy.cacheControl !== undefined) entry.cacheControl = policy.cacheControl;
    const retention = policy.freshMs + (etag === undefined ? 0 : this.options.ttlMs);
    await this.options.store.set(key, entry, retention, sizeHint + 128);
  }

  private keyOf(http: UpstreamHttp, req: UpstreamRequest): string {
    const hash = createHash('sha256').update(this.options.baseUrl);
    for (const name of KEYED_HEADERS) hash.update('\0').update(headerOf(req, name) ?? '');
    return `${http.upstream}:${hash.digest('base64url')}:${req.path}${queryString(req.query)}`;
  }
}

export interface CachePolicy {
  freshMs: number;
  etag: string | undefined;
  cacheControl: string | undefined;
}

/** What the answer's headers allow; undefined = must not be stored at all. */
export function cachePolicy(
  headers: UpstreamResponse['headers'],
  ttlMs: number,
): CachePolicy | undefined {
  const cacheControl = first(headers?.['cache-control']);
  const directives = parseCacheControl(cacheControl);
  if (directives.has('no-store')) return undefined;
  if (first(headers?.['vary'])?.trim() === '*') return undefined;
  let freshMs = ttlMs;
  if (directives.has('no-cache')) {
    freshMs = 0;
  } else {
    const maxAge = seconds(directives.get('max-age'));
    if (maxAge !== undefined) {
      const age = seconds(first(headers?.['age'])) ?? 0;
      freshMs = Math.min(ttlMs, Math.max(0, (maxAge - age) * 1000));
    }
  }
  return { freshMs, etag: first(headers?.['etag'])?.trim() || undefined, cacheControl };
}

/** Directive name (lower case) → value (unquoted; '' when it has none). */
export function parseCacheControl(value: string | undefined): Map<string, string> {
  const directives = new Map<string, string>();
  if (value === undefined) return directives;
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (name === '') continue;
    const raw = eq === -1 ? '' : part.slice(eq + 1).trim();
    directives.set(name, raw.replace(/^"(.*)"$/, '$1'));
  }
  return directives;
}

function seconds(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function headerOf(req: UpstreamRequest, name: string): string | undefined {
  const direct = req.headers[name];
  if (direct !== undefined) return direct;
  for (const [k, v] of Object.entries(req.headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

/** A 304 updates the stored headers: its own Cache-Control wins, else the stored one applies. */
function withStored(
  response: UpstreamResponse,
  entry: CacheEntry,
): Pick<UpstreamResponse, 'headers'> {
  const headers = { ...response.headers };
  if (headers['cache-control'] === undefined && entry.cacheControl !== undefined) {
    headers['cache-control'] = entry.cacheControl;
  }
  return { headers };
}

/** Through the cache when there is one, else straight to the upstream (404s then throw as usual). */
export async function fetchThrough<T>(
  cache: UpstreamCache | undefined,
  http: UpstreamHttp,
  req: UpstreamRequest,
  deadline: Deadline,
  decode: (response: UpstreamResponse) => T,
  notFound?: { value: T },
): Promise<T> {
  if (cache === undefined) return decode(await http.request(req, deadline));
  return cache.fetch(http, req, deadline, decode, notFound);
}
