// Upstream caching headers -> what the cross-request cache may keep and for how long.
// `no-store` (and `Vary: *`) -> not kept; `max-age` (minus `Age`) shortens CACHE_TTL_MS, never
// lengthens it; `no-cache` -> kept only to be revalidated. `private` needs nothing: entries are
// per credential.
import type { ResponseHeaders } from '../chain.js';

export interface CachePolicy {
  freshMs: number;
  etag: string | undefined;
  cacheControl: string | undefined;
}

/** What the answer's headers allow; undefined = must not be stored at all. */
export function cachePolicy(
  headers: ResponseHeaders | undefined,
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
