// The HTTP plumbing both simulators share: the answer and request shapes, and small helpers to read
// requests and write answers.
import type { IncomingMessage, ServerResponse } from 'node:http';

const MAX_REQUEST_BODY = 1024 * 1024;

/** A complete answer, before it is written (so faults can mangle it). */
export interface SimResponse {
  status: number;
  /** Default application/json; charset=utf-8. */
  contentType?: string;
  headers?: Record<string, string>;
  body: string;
}

export interface SimRequest {
  method: string;
  /** As sent, still percent-encoded, without the query string. */
  path: string;
  query: URLSearchParams;
  /** Lower-case names, as node:http gives them. */
  headers: IncomingMessage['headers'];
  /** The request body as text ('' for GET and HEAD, which are not read). */
  body: string;
  /** Unique within this simulator; upstreams that send request ids use it. */
  requestId: string;
}

export const JSON_TYPE = 'application/json; charset=utf-8';

export function json(status: number, value: unknown): SimResponse {
  return { status, contentType: JSON_TYPE, body: JSON.stringify(value) };
}

/** The percent-decoded path segments, or undefined when the encoding is broken. */
export function decodeSegments(path: string): string[] | undefined {
  try {
    return path
      .split('/')
      .filter((s) => s !== '')
      .map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

/** The bearer token of an Authorization header, if it is one. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1];
}

/** A request body parsed as JSON, or undefined when it is not JSON. */
export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

export function flattenHeaders(
  headers: IncomingMessage['headers'],
): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * The request id inside a JSON error body, so that an injected body such as
 * {"request_id":"rq-77"} and the X-Request-ID header agree, as they do upstream.
 */
export function requestIdIn(body: string): string | undefined {
  if (!body.includes('"request_id"')) return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && 'request_id' in parsed) {
      return typeof parsed.request_id === 'string' ? parsed.request_id : undefined;
    }
  } catch {
    // Not JSON: the generated id stands.
  }
  return undefined;
}
