// The parse and validation caches, bounded by bytes. Yoga's default keeps 1,024 documents by their
// full text for an hour: 1,024 distinct documents padded with whitespace or comments (which are
// not tokens) near the body limit held ~500 MB. Here a document is keyed by the sha256 of its
// text and the cache holds at most `maxBytes` of estimated memory (text and syntax tree), least
// recently used out first. Validation results are kept per cached document (Yoga's WeakMap), so
// they go with it.
import { createHash } from 'node:crypto';
import type { DocumentNode } from 'graphql';
import type { YogaServerOptions } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';

/** What a parsed document costs beyond its text: a syntax tree node and a token, roughly. */
const BYTES_PER_TOKEN = 160;

const keyOf = (text: string): string => createHash('sha256').update(text).digest('base64');

/** Memory a parsed document holds: its text (UTF-16) and its tokens and nodes. */
export function documentBytes(document: DocumentNode): number {
  const source = document.loc?.source.body ?? '';
  let tokens = 0;
  for (let token = document.loc?.startToken ?? null; token !== null; token = token.next) tokens++;
  return 2 * source.length + BYTES_PER_TOKEN * tokens;
}

interface ByteBoundedCache<T> {
  get(text: string): T | undefined;
  set(text: string, value: T): void;
  readonly size: number;
  readonly bytes: number;
}

function byteBounded<T extends object>(
  maxBytes: number,
  sizeOf: (value: T, text: string) => number,
): ByteBoundedCache<T> {
  const lru = new LRUCache<string, { value: T }>({ maxSize: maxBytes });
  return {
    get: (text) => lru.get(keyOf(text))?.value,
    set: (text, value) => {
      const size = Math.max(1, sizeOf(value, text));
      // An entry larger than the whole budget is not kept (lru-cache would throw).
      if (size <= maxBytes) lru.set(keyOf(text), { value }, { size });
    },
    get size() {
      return lru.size;
    },
    get bytes() {
      return lru.calculatedSize;
    },
  };
}

export interface DocumentCaches {
  options: NonNullable<
    YogaServerOptions<Record<string, unknown>, object>['parserAndValidationCache']
  >;
  documents: ByteBoundedCache<DocumentNode>;
}

export function boundedDocumentCaches(maxBytes: number): DocumentCaches {
  const documents = byteBounded<DocumentNode>(maxBytes, (document) => documentBytes(document));
  // Parse errors: the text is what they hold (their source).
  const errors = byteBounded<object>(
    Math.max(1, Math.floor(maxBytes / 8)),
    (_e, text) => 2 * text.length + 1024,
  );
  return {
    documents,
    options: {
      documentCache: documents,
      errorCache: {
        get: (text) => errors.get(text),
        set: (text, error) => {
          if (typeof error === 'object' && error !== null) errors.set(text, error);
        },
      },
      // Per document (a WeakMap inside Yoga): bounded by the documents above.
      validationCache: true,
    },
  };
}
