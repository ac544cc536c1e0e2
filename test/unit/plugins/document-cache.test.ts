// The parse cache holds at most its byte budget, whatever documents come, and finds what it kept.
import fc from 'fast-check';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { boundedDocumentCaches, documentBytes } from '../../../src/plugins/document-cache.js';

describe('boundedDocumentCaches', () => {
  it('estimates a document by its text (UTF-16) and its tokens', () => {
    const text = `#pad${' '.repeat(1000)}\n{ __typename }`;
    // Tokens: <SOF>, comment, {, __typename, }, <EOF>.
    expect(documentBytes(parse(text))).toBe(2 * text.length + 160 * 6);
  });

  it('never holds more than its budget, and keeps the document set last', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(50), fc.nat(5_000)), { minLength: 1, maxLength: 60 }),
        (inserts) => {
          const budget = 64 * 1024;
          const { documents } = boundedDocumentCaches(budget);
          let last = '';
          for (const [id, padding] of inserts) {
            last = `#${id}${' '.repeat(padding)}\n{ __typename }`;
            documents.set(last, parse(last));
          }
          expect(documents.bytes).toBeLessThanOrEqual(budget);
          expect(documents.get(last)?.loc?.source.body).toBe(last);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('does not keep a document larger than the whole budget', () => {
    const { documents } = boundedDocumentCaches(1024);
    const text = `#${' '.repeat(2000)}\n{ __typename }`;
    documents.set(text, parse(text));
    expect(documents.size).toBe(0);
  });
});
