// What both upstream simulators share: an HTTP server on loopback with a request log, concurrency
// counters, a latency knob, a queue of injected faults (error statuses, hangs, resets, malformed or
// truncated bodies, …) and the OpenAPI document. Each simulator only supplies its routes and its
// error body shape, so faults behave the same on both upstreams.
import { createServer } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LoggedRequest {
  method: string;
  /** Path without the query string, as sent (still percent-encoded). */
  path: string;
  query: Record<string, string>;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string | undefined>;
  /** Date.now() on arrival. */
  at: number;
  /** The status sent; absent while in flight and for hangs and resets. */
  status?: number;
}

/**
 * An answer of the given status (default 200) and body (default: the upstream's own error shape
 * for that status), e.g. a 429 with Retry-After, or a 200 text/html maintenance page.
 */
export interface ResponseFault {
  status?: number;
  retryAfter?: string;
  body?: string;
  contentType?: string;
}

export type Fault =
  | ResponseFault
  /** Never answers; the client has to give up (close() still ends it). */
  | { hang: true }
  /** Destroys the socket with a TCP RST before any byte of the answer. */
  | { reset: true }
  /** 200 application/json whose body is not JSON (the real answer cut in half). */
  | { malformed: true }
  /** The real answer's headers with a content-length larger than what is sent, then a dropped socket. */
  | { truncate: true }
  /** The real answer, `delayMs` late (on top of latencyMs). */
  | { delayMs: number }
  /** The real answer, held until `until` settles: a test decides when the call completes. */
  | { until: Promise<unknown> }
  /**
   * 200 application/json of exactly this many bytes of valid JSON, streamed. `chunked` leaves out
   * content-length, so a client only learns the size by reading (as with a chunked upstream).
   */
  | { hugeBody: number; chunked?: boolean };

export interface FaultOptions {
  /** How many matching requests the fault answers. Default 1; Infinity for all. */
  times?: number;
  /**
   * Tested against the request path. Without it the fault matches any API request, but not
   * GET /openapi.json, so a client loading the description first does not eat the fault.
   */
  match?: RegExp;
}

export interface SimulatorHandle {
  /** http://HOST:PORT with no trailing slash; the base URL the gateway uses. */
  url: string;
  /** Every request received, oldest first. Clear with reset() (or log.length = 0). */
  log: LoggedRequest[];
  inFlight: number;
  maxInFlight: number;
  /** Added to every request before it is answered; change it at any time. */
  latencyMs: number;
  /** Queues a fault; requests consume the oldest fault that matches them (FIFO). */
  injectFault(fault: Fault, options?: FaultOptions): void;
  clearFaults(): void;
  /** Clears the log, the counters and the fault queue. Latency and data are left alone. */
  reset(): void;
  /** Stops listening and destroys every connection, including hung and keep-alive ones. */
  close(): Promise<void>;
}

export interface SimulatorOptions {
  /** Default 0: the OS picks a free port (read it from `url`). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  latencyMs?: number;
  /**
   * The log keeps at most this many entries (the oldest half is dropped when it is full), so a
   * long-running `npm start` sandbox does not grow without bound. Default 10,000.
   */
  maxLogEntries?: number;
}

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

export interface SimulatorDefinition {
  /** Short name used in request ids, e.g. "users" gives "users-0000002a". */
  name: string;
  /** Answers every request except GET /openapi.json. May throw: that becomes a 500. */
  route(request: SimRequest, self: SimulatorHandle): SimResponse | Promise<SimResponse>;
  /** An answer in the upstream's own error shape (for injected statuses and failures). */
  error(status: number, message: string, request: SimRequest): SimResponse;
  /** The OpenAPI 3.0 description, given the simulator's own URL for `servers`. */
  openapi(baseUrl: string): object;
  /** Whether every answer carries X-Request-ID (the vcard API's do). */
  requestIdHeader?: boolean;
}

interface QueuedFault {
  fault: Fault;
  remaining: number;
  match: RegExp | undefined;
}

export const JSON_TYPE = 'application/json; charset=utf-8';
const MAX_REQUEST_BODY = 1024 * 1024;
const HUGE_CHUNK = Buffer.alloc(64 * 1024, 'x');

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

class Simulator implements SimulatorHandle {
  url = '';
  log: LoggedRequest[] = [];
  inFlight = 0;
  maxInFlight = 0;
  latencyMs: number;
  private faults: QueuedFault[] = [];
  private sequence = 0;
  private openapiJson = '';
  private readonly maxLogEntries: number;
  private readonly server: Server;

  constructor(
    private readonly definition: SimulatorDefinition,
    options: SimulatorOptions,
  ) {
    this.latencyMs = options.latencyMs ?? 0;
    this.maxLogEntries = Math.max(2, options.maxLogEntries ?? 10_000);
    this.server = createServer((req, res) => void this.onRequest(req, res));
    // Longer than the gateway's pool keeps idle sockets, so benchmarks do not pay for reconnects
    // or race a server-side close when a socket is reused.
    this.server.keepAliveTimeout = 60_000;
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.url = `http://${shownHost}:${address.port}`;
    this.openapiJson = JSON.stringify(this.definition.openapi(this.url));
  }

  injectFault(fault: Fault, options: FaultOptions = {}): void {
    const times = options.times ?? 1;
    if (times > 0) this.faults.push({ fault, remaining: times, match: options.match });
  }

  clearFaults(): void {
    this.faults = [];
  }

  reset(): void {
    this.log.length = 0;
    // Requests still running keep counting; the high-water mark restarts from them.
    this.maxInFlight = this.inFlight;
    this.clearFaults();
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      // Hung requests and idle keep-alive sockets would otherwise hold close() open.
      this.server.closeAllConnections();
    });
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    const queryStart = target.indexOf('?');
    const path = queryStart === -1 ? target : target.slice(0, queryStart);
    const query = new URLSearchParams(queryStart === -1 ? '' : target.slice(queryStart + 1));
    const entry: LoggedRequest = {
      method,
      path,
      query: Object.fromEntries(query),
      headers: flattenHeaders(req.headers),
      at: Date.now(),
    };
    this.record(entry);
    this.inFlight++;
    if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
    // 'close' fires once: when the answer is sent or when the connection is gone.
    res.once('close', () => this.inFlight--);

    const request: SimRequest = {
      method,
      path,
      query,
      headers: req.headers,
      body: '',
      requestId: `${this.definition.name}-${(++this.sequence).toString(16).padStart(8, '0')}`,
    };
    const isSpec = method === 'GET' && path === '/openapi.json';
    // Taken on arrival, so faults are consumed in the order requests arrive, whatever the latency.
    const fault = this.takeFault(path, isSpec);
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    if (fault !== undefined && 'delayMs' in fault) await sleep(fault.delayMs);
    if (fault !== undefined && 'until' in fault) await fault.until.catch(() => undefined);
    if (res.destroyed) return;

    if (fault !== undefined && 'hang' in fault) return;
    if (fault !== undefined && 'reset' in fault) {
      req.socket.resetAndDestroy();
      return;
    }
    if (fault !== undefined && 'hugeBody' in fault) {
      await this.sendHuge(res, entry, fault.hugeBody, request.requestId, fault.chunked === true);
      return;
    }

    let response: SimResponse;
    if (fault !== undefined && isResponseFault(fault)) {
      response = this.faultResponse(fault, request);
    } else if (isSpec) {
      response = { status: 200, contentType: JSON_TYPE, body: this.openapiJson };
    } else {
      response = await this.answer(req, request);
    }
    if (res.destroyed) return;

    const headers: OutgoingHttpHeaders = {
      ...(this.definition.requestIdHeader
        ? { 'x-request-id': requestIdIn(response.body) ?? request.requestId }
        : {}),
      ...response.headers,
      'content-type': response.contentType ?? JSON_TYPE,
    };
    let body = Buffer.from(response.body);
    if (fault !== undefined && 'malformed' in fault) {
      // Half of a JSON document never parses; the length header stays honest.
      entry.status = 200;
      body = body.subarray(0, Math.floor(body.length / 2));
      res.writeHead(200, { ...headers, 'content-type': JSON_TYPE, 'content-length': body.length });
      res.end(body);
      return;
    }
    entry.status = response.status;
    if (fault !== undefined && 'truncate' in fault) {
      res.writeHead(response.status, { ...headers, 'content-length': body.length + 64 });
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
      return;
    }
    res.writeHead(response.status, { ...headers, 'content-length': body.length });
    res.end(body);
  }

  private async answer(req: IncomingMessage, request: SimRequest): Promise<SimResponse> {
    try {
      if (request.method !== 'GET' && request.method !== 'HEAD') request.body = await readBody(req);
      return await this.definition.route(request, this);
    } catch (cause) {
      // A bug in a simulator should look like an upstream 500, not kill the test process.
      const message = cause instanceof Error ? cause.message : String(cause);
      return this.definition.error(500, `simulator failure: ${message}`, request);
    }
  }

  private faultResponse(fault: ResponseFault, request: SimRequest): SimResponse {
    const status = fault.status ?? 200;
    const retryAfter = fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter };
    if (fault.body === undefined) {
      const generated = this.definition.error(status, `injected HTTP ${status}`, request);
      return { ...generated, headers: { ...generated.headers, ...retryAfter } };
    }
    return {
      status,
      contentType: fault.contentType ?? JSON_TYPE,
      headers: retryAfter,
      body: fault.body,
    };
  }

  private async sendHuge(
    res: ServerResponse,
    entry: LoggedRequest,
    size: number,
    requestId: string,
    chunked: boolean,
  ): Promise<void> {
    const head = '{"data":"';
    const tail = '"}';
    const fits = size >= head.length + tail.length;
    entry.status = 200;
    res.writeHead(200, {
      'content-type': JSON_TYPE,
      ...(chunked ? {} : { 'content-length': size }),
      ...(this.definition.requestIdHeader ? { 'x-request-id': requestId } : {}),
    });
    if (fits) res.write(head);
    // Streamed with back-pressure: megabytes are never held in memory, and a client that gives up
    // early stops the loop.
    let left = fits ? size - head.length - tail.length : size;
    while (left > 0 && !res.destroyed) {
      const chunk = left >= HUGE_CHUNK.length ? HUGE_CHUNK : HUGE_CHUNK.subarray(0, left);
      left -= chunk.length;
      if (!res.write(chunk)) await drained(res);
    }
    if (!res.destroyed) res.end(fits ? tail : undefined);
  }

  private takeFault(path: string, isSpec: boolean): Fault | undefined {
    const index = this.faults.findIndex((f) =>
      f.match === undefined ? !isSpec : f.match.test(path),
    );
    const queued = this.faults[index];
    if (queued === undefined) return undefined;
    if (--queued.remaining <= 0) this.faults.splice(index, 1);
    return queued.fault;
  }

  private record(entry: LoggedRequest): void {
    if (this.log.length >= this.maxLogEntries) {
      this.log.splice(0, this.log.length - Math.floor(this.maxLogEntries / 2));
    }
    this.log.push(entry);
  }
}

/** Starts a simulator; the answer's `url` is known once this resolves. */
export async function startSimulator(
  definition: SimulatorDefinition,
  options: SimulatorOptions = {},
): Promise<SimulatorHandle> {
  const simulator = new Simulator(definition, options);
  await simulator.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return simulator;
}

function isResponseFault(fault: Fault): fault is ResponseFault {
  return !(
    'hang' in fault ||
    'reset' in fault ||
    'malformed' in fault ||
    'truncate' in fault ||
    'delayMs' in fault ||
    'until' in fault ||
    'hugeBody' in fault
  );
}

function flattenHeaders(headers: IncomingMessage['headers']): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function drained(res: ServerResponse): Promise<void> {
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

function readBody(req: IncomingMessage): Promise<string> {
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
function requestIdIn(body: string): string | undefined {
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
