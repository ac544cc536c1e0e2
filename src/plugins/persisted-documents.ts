// Persisted documents, two modes. Trusted documents: with PERSISTED_DOCUMENTS set, only operations
// of the manifest run, by hash (the manifest is what graphql-codegen's client preset writes: a JSON
// object from the sha256 hex of a document to the document). Otherwise automatic persisted queries
// (Apollo's APQ protocol): a client may send only the hash of a document it sent before.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { createGraphQLError } from 'graphql-yoga';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';

const manifestSchema = z.record(z.string().regex(/^(sha256:)?[0-9a-f]{64}$/), z.string().min(1));

export class ManifestError extends Error {}

/** Reads and checks the manifest: every key must be the sha256 of its document. */
export function loadManifest(path: string): Map<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new ManifestError(`invalid PERSISTED_DOCUMENTS: cannot read JSON from ${path}`);
  }
  const result = manifestSchema.safeParse(parsed);
  if (!result.success) {
    throw new ManifestError(
      'invalid PERSISTED_DOCUMENTS: expected an object of sha256 hex -> document',
    );
  }
  const documents = new Map<string, string>();
  for (const [key, document] of Object.entries(result.data)) {
    const hash = key.replace(/^sha256:/, '');
    if (createHash('sha256').update(document).digest('hex') !== hash) {
      throw new ManifestError(
        `invalid PERSISTED_DOCUMENTS: ${hash} is not the sha256 of its document`,
      );
    }
    documents.set(hash, document);
  }
  return documents;
}

/** Accepts `documentId` (client preset) or `extensions.persistedQuery.sha256Hash` (APQ shape). */
export function useTrustedDocuments(documents: Map<string, string>): Plugin {
  return usePersistedOperations({
    allowArbitraryOperations: false,
    extractPersistedOperationId: (params, request) => {
      const fromExtensions = params.extensions?.['persistedQuery'];
      if (
        typeof fromExtensions === 'object' &&
        fromExtensions !== null &&
        'sha256Hash' in fromExtensions
      ) {
        return typeof fromExtensions.sha256Hash === 'string' ? fromExtensions.sha256Hash : null;
      }
      const documentId =
        'documentId' in params && typeof params.documentId === 'string'
          ? params.documentId
          : new URL(request.url).searchParams.get('documentId');
      return documentId?.replace(/^sha256:/, '') ?? null;
    },
    getPersistedOperation: (hash) => documents.get(hash) ?? null,
    customErrors: {
      persistedQueryOnly: {
        message:
          'Only trusted documents run here: send a documentId from the persisted-documents manifest.',
        extensions: { code: 'PERSISTED_QUERY_ONLY' },
      },
      notFound: {
        message: 'Unknown documentId: it is not in the persisted-documents manifest.',
        extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' },
      },
      keyNotFound: {
        message: 'Send a documentId from the persisted-documents manifest.',
        extensions: { code: 'PERSISTED_QUERY_ONLY' },
      },
    },
  });
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * Automatic persisted queries: `extensions.persistedQuery = { version: 1, sha256Hash }`. With a
 * query, the hash is checked and the query remembered; without one, a remembered query is used or
 * PERSISTED_QUERY_NOT_FOUND tells the client to send it again with the query. Documents are not
 * user data, so one store per gateway is fine; it is bounded by entries and by bytes (texts are
 * UTF-16), least recently used out first.
 */
export function useAutomaticPersistedQueries(
  maxEntries = 1000,
  maxBytes = 8 * 1024 * 1024,
): Plugin {
  const store = new LRUCache<string, string>({
    max: maxEntries,
    maxSize: maxBytes,
    sizeCalculation: (query) => Math.max(1, 2 * query.length),
  });
  return {
    onParams({ params, setParams }) {
      const extension = params.extensions?.['persistedQuery'];
      if (typeof extension !== 'object' || extension === null) return;
      const hash = 'sha256Hash' in extension ? extension.sha256Hash : undefined;
      const version = 'version' in extension ? extension.version : undefined;
      if (version !== 1 || typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) {
        throw createGraphQLError(
          'Unsupported persistedQuery: expected version 1 and a sha256 hex hash.',
          {
            extensions: { code: 'PERSISTED_QUERY_NOT_SUPPORTED' },
          },
        );
      }
      if (typeof params.query === 'string') {
        if (sha256(params.query) !== hash) {
          throw createGraphQLError('persistedQuery.sha256Hash is not the sha256 of the query.', {
            extensions: { code: 'BAD_USER_INPUT' },
          });
        }
        // A text larger than the whole store is not remembered (lru-cache would refuse it).
        if (!store.has(hash) && 2 * params.query.length <= maxBytes) store.set(hash, params.query);
        return;
      }
      const query = store.get(hash);
      if (query === undefined) {
        throw createGraphQLError('PersistedQueryNotFound', {
          extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' },
        });
      }
      setParams({ ...params, query });
    },
  };
}
