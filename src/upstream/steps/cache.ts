// The cross-request cache (CACHE_TTL_MS) as a step. It sits below auth (it keys by the credential
// actually sent) and above retry (a hit makes no attempt at all). Only GETs whose request carries
// a cache directive go through it; it keeps the decoded value, never a raw body (the vcard API's
// document carries secrets the decoder drops), so a malformed answer is never kept either.
//
// Keys: the upstream's base URL, the credential headers sent (Authorization, X-Auth-Token) and
// Accept, hashed together with SHA-256, then the path and query. Two callers share an entry only
// when they sent the very same credential to the very same upstream; the credential itself is in
// no key and no value.
//
// Upstream caching headers are honoured (cache/policy.ts). An ETag lets an expired entry be
// revalidated with If-None-Match; a 304 then serves the kept value and costs one upstream request.
// A 404 that the call treats as an answer (an unknown user, a user without a card) is remembered.
import { createHash } from 'node:crypto';
import type { UpstreamName } from '../../errors.js';
import type { Reply, ResponseHeaders, Step, UpstreamRequest } from '../chain.js';
import { queryString } from '../chain.js';
import { decodeEntry, encodeEntry } from '../cache/entry.js';
import type { Entry, Kept } from '../cache/entry.js';
import { cachePolicy } from '../cache/policy.js';
import type { CacheStore } from '../cache/store.js';

export interface CacheOptions {
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
const NO_HEADERS: ResponseHeaders = {};

export class UpstreamCache {
  readonly stats: CacheStats = { hits: 0, misses: 0, revalidated: 0 };
  readonly step: Step;

  constructor(
    private readonly upstream: UpstreamName,
    private readonly options: CacheOptions,
  ) {
    this.step = (next) => async (req, call) => {
      const directive = req.cache;
      if (directive === undefined || req.method !== 'GET') return next(req, call);
      const key = this.keyOf(req);
      const text = await options.store.get(key);
      const entry = text === undefined ? undefined : decodeEntry(text, directive.schema);
      if (entry !== undefined && entry.freshUntil > Date.now()) {
        this.stats.hits++;
        return replyOf(entry.kept, undefined);
      }
      this.stats.misses++;
      const etag = entry?.etag;
      const sent =
        etag === undefined ? req : { ...req, headers: { ...req.headers, 'if-none-match': etag } };
      const reply = await next(sent, call);
      if (reply.status === 304 && entry !== undefined) {
        this.stats.revalidated++;
        await this.keep(key, entry.kept, withStored(reply.headers, entry), etag);
        return replyOf(entry.kept, reply);
      }
      if (reply.ok) {
        if (reply.status !== 206) {
          await this.keep(key, { found: true, value: reply.value }, reply.headers, undefined);
        }
      } else if (reply.status === 404 && directive.notFoundIsAnswer) {
        // The upstream's answer for this credential: remembered so a page whose users have no
        // card costs nothing the second time. Error answers (5xx, 401, …) never are.
        await this.keep(key, { found: false }, undefined, undefined);
      }
      return reply;
    };
  }

  private async keep<T>(
    key: string,
    kept: Kept<T>,
    headers: ResponseHeaders | undefined,
    knownEtag: string | undefined,
  ): Promise<void> {
    const { ttlMs, store } = this.options;
    const policy = cachePolicy(headers, ttlMs);
    if (policy === undefined) return;
    const etag = policy.etag ?? knownEtag;
    // Without a validator an entry is useless once stale; with one it is kept one more TTL to be
    // revalidated (a 304 costs a request but no body, decode or validation).
    if (policy.freshMs <= 0 && etag === undefined) return;
    const text = encodeEntry({
      kept,
      freshUntil: Date.now() + policy.freshMs,
      etag,
      cacheControl: policy.cacheControl,
    });
    await store.set(key, text, policy.freshMs + (etag === undefined ? 0 : ttlMs));
  }

  private keyOf(req: UpstreamRequest<unknown>): string {
    const hash = createHash('sha256').update(this.options.baseUrl);
    for (const name of KEYED_HEADERS) hash.update('\0').update(headerOf(req, name) ?? '');
    return `${this.upstream}:${hash.digest('base64url')}:${req.path}${queryString(req.query)}`;
  }
}

/** What a kept answer is to the steps above: the value (a fresh copy) or the remembered 404. */
function replyOf<T>(kept: Kept<T>, revalidation: Reply<unknown> | undefined): Reply<T> {
  const requestId = revalidation?.requestId;
  const attempts = revalidation?.attempts ?? 0;
  return kept.found
    ? {
        ok: true,
        status: 200,
        value: kept.value,
        headers: NO_HEADERS,
        requestId,
        attempts,
        size: 0,
      }
    : { ok: false, status: 404, headers: NO_HEADERS, requestId, attempts };
}

function headerOf(req: UpstreamRequest<unknown>, name: string): string | undefined {
  const direct = req.headers[name];
  if (direct !== undefined) return direct;
  for (const [k, v] of Object.entries(req.headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

/** A 304 updates the stored headers: its own Cache-Control wins, else the stored one applies. */
function withStored(headers: ResponseHeaders, entry: Entry<unknown>): ResponseHeaders {
  if (headers['cache-control'] !== undefined || entry.cacheControl === undefined) return headers;
  return { ...headers, 'cache-control': entry.cacheControl };
}
