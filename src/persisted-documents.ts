// Trusted documents: with PERSISTED_DOCUMENTS set, only operations of the manifest run, by hash.
// The manifest is what graphql-codegen's client preset writes (persisted-documents.json):
// a JSON object from the sha256 hex of a document to the document.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { Plugin } from 'graphql-yoga';
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
