// The end of every chain: one keep-alive undici Pool per upstream (its size bounds the requests in
// flight), a response size cap, and the status rule: a 2xx is decoded into the value here, so a
// raw body never travels up the chain; any other status (3xx included: redirects are never
// followed nor read as data) is a not-ok reply. No answer at all is a thrown UpstreamError.
import { Pool, errors as undiciErrors } from 'undici';
import type { Dispatcher } from 'undici';
import { UpstreamError } from '../../errors.js';
import type { UpstreamName } from '../../errors.js';
import type { Reply, Send, UpstreamRequest } from '../chain.js';
import { headerValue, queryString } from '../chain.js';
import type { Call } from '../call.js';
import { CLIENT_GONE } from './deadline.js';

export interface TransportOptions {
  baseUrl: string;
  maxConcurrency: number;
  maxBodyBytes: number;
}

export interface Transport {
  readonly send: Send;
  close(): Promise<void>;
}

const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

export function transport(upstream: UpstreamName, options: TransportOptions): Transport {
  const url = new URL(options.baseUrl);
  const basePath = url.pathname.replace(/\/+$/, '');
  const pool = new Pool(url.origin, {
    connections: options.maxConcurrency,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    // Timeouts are enforced per attempt by the deadline step; these are only a backstop.
    headersTimeout: 0,
    bodyTimeout: 0,
  });

  async function send<T>(req: UpstreamRequest<T>, _call: Call): Promise<Reply<T>> {
    const attempt = req.attempt ?? 1;
    const signal = req.signal;
    let res: Dispatcher.ResponseData;
    try {
      res = await pool.request({
        method: req.method,
        path: basePath + req.path + queryString(req.query),
        headers: req.headers,
        body: req.body ?? null,
        signal: signal ?? null,
      });
    } catch (error) {
      throw failure(upstream, error, signal, attempt);
    }
    const status = res.statusCode;
    const headers = res.headers;
    const requestId = headerValue(headers['x-request-id']);
    let body: string;
    try {
      body = await readCapped(
        res.body,
        options.maxBodyBytes,
        headerValue(headers['content-length']),
      );
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        throw new UpstreamError(upstream, { kind: 'too-large', status }, requestId, attempt);
      }
      throw failure(upstream, error, signal, attempt);
    }
    if (status >= 200 && status < 300) {
      const contentType = headerValue(headers['content-type']) ?? '';
      const value = req.decode({ status, contentType, requestId, body, headers });
      return { ok: true, status, value, headers, requestId, attempts: attempt, size: body.length };
    }
    return {
      ok: false,
      status,
      headers,
      requestId: requestId ?? requestIdFromBody(body),
      attempts: attempt,
    };
  }

  return { send, close: () => pool.close() };
}

function failure(
  upstream: UpstreamName,
  error: unknown,
  signal: AbortSignal | undefined,
  attempt: number,
): UpstreamError {
  if (signal?.aborted) {
    const clientGone = signal.reason === CLIENT_GONE;
    return new UpstreamError(
      upstream,
      clientGone ? { kind: 'timeout', clientGone } : { kind: 'timeout' },
      undefined,
      attempt,
    );
  }
  return new UpstreamError(
    upstream,
    { kind: 'network' },
    undefined,
    attempt,
    isRetryableNetworkError(error),
  );
}

class BodyTooLargeError extends Error {}

async function readCapped(
  body: Dispatcher.ResponseData['body'],
  maxBytes: number,
  contentLength: string | undefined,
): Promise<string> {
  if (contentLength !== undefined && Number(contentLength) > maxBytes) {
    body.destroy();
    throw new BodyTooLargeError();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > maxBytes) {
      body.destroy();
      throw new BodyTooLargeError();
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function isRetryableNetworkError(error: unknown): boolean {
  if (error instanceof undiciErrors.SocketError) return true;
  if (error instanceof undiciErrors.ClientClosedError) return true;
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  return RETRYABLE_NETWORK_CODES.has(code);
}

function requestIdFromBody(body: string): string | undefined {
  // Error bodies of the vcard API are {"code","message","request_id"}; only the id is kept.
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && 'request_id' in parsed) {
      const id = parsed.request_id;
      if (typeof id === 'string' && id.length <= 128) return id;
    }
  } catch {
    // Not JSON: no request id to report.
  }
  return undefined;
}
