// One HTTP layer for both upstreams: a keep-alive connection pool per upstream whose size bounds the
// requests in flight, a per-attempt timeout inside the GraphQL request's deadline, retries of
// idempotent calls with exponential backoff and jitter (honouring Retry-After), a response size cap
// and a circuit breaker.
import type { Tracer } from '@opentelemetry/api';
import { Pool, errors as undiciErrors } from 'undici';
import type { Dispatcher } from 'undici';
import { UpstreamError } from '../errors.js';
import type { UpstreamName } from '../errors.js';
import { endUpstreamSpan, startUpstreamSpan, traceparentOf } from '../observability/tracing.js';
import type { CircuitBreaker } from './circuit-breaker.js';

export interface HttpOptions {
  maxConcurrency: number;
  timeoutMs: number;
  maxBodyBytes: number;
  /** Retries after the first attempt (so at most maxRetries + 1 attempts). */
  maxRetries?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  breaker?: CircuitBreaker;
  /** Observes every attempt (metrics, logs). Must not throw. */
  onAttempt?: (event: AttemptEvent) => void;
  /** A span per attempt, and its traceparent sent upstream; nothing without. */
  tracer?: Tracer;
}

export interface AttemptEvent {
  upstream: UpstreamName;
  method: string;
  /** Route template, e.g. /accounts/:id/users: ids are not metric labels. */
  route: string;
  /** `client-abort`: the GraphQL client went away before the answer (not the upstream's fault). */
  status: number | 'timeout' | 'network' | 'circuit-open' | 'client-abort';
  attempt: number;
  durationMs: number;
}

export interface UpstreamRequest {
  method: 'GET' | 'PUT';
  /** Path under the base URL; every dynamic segment already encoded by the caller. */
  path: string;
  route: string;
  query?: Record<string, string | number | undefined>;
  headers: Record<string, string>;
  body?: string;
}

export interface UpstreamResponse {
  status: number;
  contentType: string;
  requestId: string | undefined;
  body: string;
  /** Response headers (lower-case names); the cross-request cache reads its caching headers. */
  headers?: Record<string, string | string[] | undefined>;
}

/** Absolute time by which a GraphQL request must be done, shared by all its upstream calls. */
export interface Deadline {
  at: number;
  signal?: AbortSignal;
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

export class UpstreamHttp {
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly maxRetries: number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(
    readonly upstream: UpstreamName,
    baseUrl: string,
    private readonly options: HttpOptions,
  ) {
    const url = new URL(baseUrl);
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(url.origin, {
      connections: options.maxConcurrency,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      // Timeouts are enforced per attempt with an AbortSignal; these are only a backstop.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    this.maxRetries = options.maxRetries ?? 2;
    this.baseBackoffMs = options.baseBackoffMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 2_000;
  }

  get breaker(): CircuitBreaker | undefined {
    return this.options.breaker;
  }

  /**
   * Sends the request, retrying GETs on 429/502/503/504 and connection resets. Resolves with any
   * final status below 400; throws UpstreamError otherwise.
   */
  async request(req: UpstreamRequest, deadline: Deadline): Promise<UpstreamResponse> {
    const idempotent = req.method === 'GET';
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(req, deadline, attempt);
      const retriable = idempotent && attempt <= this.maxRetries && outcome.retriable;
      if (!retriable) {
        if (outcome.error) throw outcome.error;
        return outcome.response;
      }
      const wait = this.backoff(attempt, outcome.retryAfterMs);
      // Waiting past the deadline is pointless: give the client the error now.
      if (Date.now() + wait >= deadline.at) throw outcome.error;
      await sleep(wait, deadline.signal);
    }
  }

  private async attempt(
    req: UpstreamRequest,
    deadline: Deadline,
    attempt: number,
  ): Promise<
    | { error: UpstreamError; retriable: boolean; retryAfterMs?: number | undefined }
    | { error?: undefined; response: UpstreamResponse; retriable: false }
  > {
    const started = Date.now();
    const tracer = this.options.tracer;
    const span = tracer && startUpstreamSpan(tracer, this.upstream, req.method, req.route, attempt);
    // Called exactly once per attempt, however it ends.
    const observe = (status: AttemptEvent['status']): void => {
      this.options.onAttempt?.({
        upstream: this.upstream,
        method: req.method,
        route: req.route,
        status,
        attempt,
        durationMs: Date.now() - started,
      });
      if (span) endUpstreamSpan(span, status);
    };
    const breaker = this.options.breaker;
    if (breaker && !breaker.allow()) {
      observe('circuit-open');
      return {
        error: new UpstreamError(this.upstream, { kind: 'circuit-open' }),
        retriable: false,
      };
    }
    const remaining = deadline.at - started;
    if (remaining <= 0) {
      breaker?.release();
      observe('timeout');
      return {
        error: new UpstreamError(this.upstream, { kind: 'timeout' }, undefined, attempt),
        retriable: false,
      };
    }
    // `timeout` must stay referenced until the attempt ends (it is, by `failure`): Node 20's
    // AbortSignal.any() holds its sources weakly and the timer holds the signal weakly, so a timeout
    // signal nothing else refers to can be collected and never fire (nodejs/node#57736). The soak
    // (bench/soak.ts) saw exactly that: hung upstream calls that outlived UPSTREAM_TIMEOUT_MS.
    const timeout = AbortSignal.timeout(Math.min(this.options.timeoutMs, remaining));
    const signal = deadline.signal ? AbortSignal.any([timeout, deadline.signal]) : timeout;

    let res: Dispatcher.ResponseData;
    try {
      res = await this.pool.request({
        method: req.method,
        path: this.basePath + req.path + queryString(req.query),
        headers: span ? { ...req.headers, traceparent: traceparentOf(span) } : req.headers,
        body: req.body ?? null,
        signal,
      });
    } catch (error) {
      return this.failure(error, signal, timeout, attempt, observe);
    }
    const requestId = headerValue(res.headers['x-request-id']);
    const contentType = headerValue(res.headers['content-type']) ?? '';
    let body: string;
    try {
      body = await readCapped(
        res.body,
        this.options.maxBodyBytes,
        headerValue(res.headers['content-length']),
      );
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        breaker?.success();
        observe(res.statusCode);
        return {
          error: new UpstreamError(
            this.upstream,
            { kind: 'too-large', status: res.statusCode },
            requestId,
          ),
          retriable: false,
        };
      }
      return this.failure(error, signal, timeout, attempt, observe);
    }
    observe(res.statusCode);
    const status = res.statusCode;
    if (status >= 500 || status === 429) breaker?.failure();
    else breaker?.success();
    if (status < 400) {
      return {
        response: { status, contentType, requestId, body, headers: res.headers },
        retriable: false,
      };
    }
    return {
      error: new UpstreamError(
        this.upstream,
        { kind: 'status', status },
        requestId ?? requestIdFromBody(body),
        attempt,
      ),
      retriable: RETRYABLE_STATUS.has(status),
      retryAfterMs: parseRetryAfter(headerValue(res.headers['retry-after'])),
    };
  }

  private failure(
    error: unknown,
    signal: AbortSignal,
    timeout: AbortSignal,
    attempt: number,
    observe: (status: AttemptEvent['status']) => void,
  ): { error: UpstreamError; retriable: boolean } {
    // Aborted but not timed out: the client went away, which says nothing about the upstream.
    const clientGone = signal.aborted && !timeout.aborted;
    if (clientGone) this.options.breaker?.release();
    else this.options.breaker?.failure();
    if (signal.aborted) {
      observe(clientGone ? 'client-abort' : 'timeout');
      return {
        error: new UpstreamError(this.upstream, { kind: 'timeout' }, undefined, attempt),
        retriable: false,
      };
    }
    observe('network');
    return {
      error: new UpstreamError(this.upstream, { kind: 'network' }, undefined, attempt),
      retriable: isRetryableNetworkError(error),
    };
  }

  private backoff(attempt: number, retryAfterMs: number | undefined): number {
    if (retryAfterMs !== undefined) return retryAfterMs;
    const ceiling = Math.min(this.maxBackoffMs, this.baseBackoffMs * 2 ** (attempt - 1));
    // Full jitter: spreads the retries of many concurrent callers.
    return Math.random() * ceiling;
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
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

export function queryString(query: UpstreamRequest['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
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

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
