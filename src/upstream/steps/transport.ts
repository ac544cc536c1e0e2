// The end of every chain: one keep-alive undici Pool per upstream (its size bounds the requests in
// flight), a response size cap, and the status rule: a 2xx is decoded into the value here, so a
// raw body never travels up the chain; any other status (3xx included: redirects are never
// followed nor read as data) is a not-ok reply. No answer at all is a thrown UpstreamError.
import { Pool, errors as undiciErrors } from 'undici';
import type { Dispatcher } from 'undici';
import { UpstreamError } from '../../errors.js';
import type { UpstreamName } from '../../errors.js';
import type {
  AttemptStop,
  Reply,
  ResponseHeaders,
  Send,
  StopListener,
  UpstreamRequest,
} from '../chain.js';
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
    const stop = req.stop;
    let res: Exchanged;
    try {
      res = await exchange(
        pool,
        {
          method: req.method,
          path: basePath + req.path + queryString(req.query),
          headers: req.headers,
          body: req.body ?? null,
        },
        stop,
        options.maxBodyBytes,
      );
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        throw new UpstreamError(
          upstream,
          { kind: 'too-large', status: error.status },
          error.requestId,
          attempt,
        );
      }
      throw failure(upstream, error, stop, attempt);
    }
    const { status, headers, body } = res;
    const requestId = headerValue(headers['x-request-id']);
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
  stop: AttemptStop | undefined,
  attempt: number,
): UpstreamError {
  if (stop?.stopped === true) {
    const clientGone = stop.reason === CLIENT_GONE;
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

class BodyTooLargeError extends Error {
  constructor(
    readonly status: number,
    readonly requestId: string | undefined,
  ) {
    super('upstream answer over the size cap');
  }
}

class Aborted extends Error {}

interface Exchanged {
  status: number;
  headers: ResponseHeaders;
  body: string;
}

/**
 * One request on the pool, its answer gathered as it arrives, at most `maxBytes` of it. The
 * handler is undici's own dispatch interface: `pool.request` would wrap each answer in a Readable
 * stream read through an async iterator, a cost per upstream call that this gateway pays 51 times
 * in a Q2. Rejects with undici's error, a BodyTooLargeError, or (the attempt was stopped) an
 * Aborted, at once even while the request still waits for a connection.
 */
function exchange(
  pool: Pool,
  options: Dispatcher.DispatchOptions,
  stop: AttemptStop | undefined,
  maxBytes: number,
): Promise<Exchanged> {
  return new Promise((resolve, reject) => {
    if (stop?.stopped === true) {
      reject(new Aborted());
      return;
    }
    pool.dispatch(options, new Exchange(resolve, reject, stop, maxBytes));
  });
}

class Exchange implements Dispatcher.DispatchHandler, StopListener {
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private headers: ResponseHeaders = {};
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private settled = false;

  constructor(
    private readonly resolve: (value: Exchanged) => void,
    private readonly reject: (error: unknown) => void,
    private readonly stop: AttemptStop | undefined,
    private readonly maxBytes: number,
  ) {
    stop?.listen(this);
  }

  onStop(): void {
    this.fail(new Aborted());
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // Aborted while it waited for a connection: the caller has its answer already.
    if (this.settled) controller.abort(new Aborted());
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: ResponseHeaders,
  ): void {
    this.status = statusCode;
    this.headers = headers;
    const length = headerValue(headers['content-length']);
    if (length !== undefined && Number(length) > this.maxBytes) this.tooLarge();
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    this.size += chunk.length;
    if (this.size > this.maxBytes) this.tooLarge();
    else this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settled) return;
    this.settle();
    const body = Buffer.concat(this.chunks, this.size).toString('utf8');
    this.resolve({ status: this.status, headers: this.headers, body });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail(error);
  }

  private tooLarge(): void {
    this.fail(new BodyTooLargeError(this.status, headerValue(this.headers['x-request-id'])));
  }

  /** Settles with `error` and stops the request (its socket is closed: nothing more is read). */
  private fail(error: unknown): void {
    if (this.settled) return;
    this.settle();
    this.reject(error);
    this.controller?.abort(error instanceof Error ? error : new Aborted());
  }

  private settle(): void {
    this.settled = true;
    this.stop?.listen(undefined);
  }
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
