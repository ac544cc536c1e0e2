// A cache entry as stored: versioned JSON text, validated when read back. An entry written by
// another release (an older envelope, or a value of an older shape) is a miss that the next answer
// overwrites; it is never handed to a caller typed as the new shape. Each read parses a fresh copy.
import { z } from 'zod';

/** Bump when the envelope changes; the value's shape is checked by the caller's schema anyway. */
export const ENTRY_VERSION = 2;

/** What the upstream answered: a value, or a 404 that the call treats as an answer. */
export type Kept<T> = { readonly found: true; readonly value: T } | { readonly found: false };

export interface Entry<T> {
  readonly kept: Kept<T>;
  /** Epoch ms until which the entry is served without asking the upstream. */
  readonly freshUntil: number;
  /** The upstream's validator; after freshUntil the entry is revalidated with If-None-Match. */
  readonly etag: string | undefined;
  /** The upstream's Cache-Control, applied again when a 304 does not send its own. */
  readonly cacheControl: string | undefined;
}

const envelope = z.object({
  v: z.literal(ENTRY_VERSION),
  found: z.boolean(),
  value: z.unknown(),
  freshUntil: z.number(),
  etag: z.string().optional(),
  cacheControl: z.string().optional(),
});

export function encodeEntry<T>(entry: Entry<T>): string {
  return JSON.stringify({
    v: ENTRY_VERSION,
    found: entry.kept.found,
    value: entry.kept.found ? entry.kept.value : null,
    freshUntil: entry.freshUntil,
    etag: entry.etag,
    cacheControl: entry.cacheControl,
  });
}

/** The entry, or undefined when the text is not an entry of this release with a valid value. */
export function decodeEntry<T>(text: string, schema: z.ZodType<T>): Entry<T> | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const outer = envelope.safeParse(json);
  if (!outer.success) return undefined;
  const { found, freshUntil, etag, cacheControl } = outer.data;
  let kept: Kept<T>;
  if (found) {
    const value = schema.safeParse(outer.data.value);
    if (!value.success) return undefined;
    kept = { found: true, value: value.data };
  } else {
    kept = { found: false };
  }
  return { kept, freshUntil, etag, cacheControl };
}
