// MAX_REQUEST_BYTES. Yoga's own check (`maxRequestBodySize`) pipes every body through a counting
// stream, with an AbortController and a DOMException per request, even when Content-Length already
// tells the size. Node's HTTP parser never reads more than a request's Content-Length, so with a
// valid Content-Length the header check is the whole check; only bodies without one (chunked)
// are counted as they stream.
import { createGraphQLError } from 'graphql-yoga';
import type { Plugin } from 'graphql-yoga';

const CONTENT_LENGTH = /^\d+$/;

const tooLarge = () =>
  createGraphQLError('Request body too large', {
    extensions: { http: { status: 413 }, code: 'REQUEST_ENTITY_TOO_LARGE' },
  });

export function useRequestBodyLimit(maxBytes: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const length = request.headers.get('content-length');
      if (length !== null) {
        // Anything but one non-negative integer (e.g. `1, 2` from a smuggling attempt) is refused.
        if (!CONTENT_LENGTH.test(length)) {
          throw createGraphQLError('Content-Length header is invalid.', {
            extensions: { http: { status: 400 }, code: 'BAD_REQUEST' },
          });
        }
        if (Number(length) > maxBytes) throw tooLarge();
        return;
      }
      const body = request.body;
      if (requestParser === undefined || body === null) return;
      const parse = requestParser;
      setRequestParser((original) => {
        let read = 0;
        const counted = body.pipeThrough(
          new TransformStream<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              read += chunk.byteLength;
              if (read > maxBytes) controller.error(tooLarge());
              else controller.enqueue(chunk);
            },
          }),
        );
        return parse(
          new fetchAPI.Request(original.url, {
            method: original.method,
            headers: original.headers,
            signal: original.signal,
            body: counted,
            duplex: 'half',
          } as RequestInit),
        );
      });
    },
  };
}
