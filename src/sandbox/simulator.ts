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

export type Fault =
  /** An HTTP error. The body defaults to the upstream's own error shape for that status. */
  | { status: number; retryAfter?: string; body?: string; contentType?: string }
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
  /** 200 application/json of exactly this many bytes of valid JSON, streamed. */
  | { hugeBody: number };

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
  headers?: Record<string, string>;
  body: string;
}

export interface RouteContext {
  method: string;
  /** Path segments, percent-decoded. */
  segments: string[];
  query: URLSearchParams;
  /** Request headers, lower-case names. */
  headers: IncomingMessage['headers'];
  /** The simulator's own base URL (for links in answers). */
  baseUrl: string;
  /** Unique per request within this simulator; simulators that send request ids use it. */
  requestId: string;
  /** The request body as text (capped at 1 MiB). */
  body(): Promise<string>;
  /** An error answer in the upstream's own error shape. */
  error(status: number, message: string, headers?: Record<string, string>): SimResponse;
}

export interface SimulatorDefinition {
  /** Short name used in request ids and messages, e.g. "users". */
  name: string;
  /** Answers every request except GET /openapi.json. May throw: that becomes a 500. */
  handle(ctx: RouteContext): SimResponse | Promise<SimResponse>;
  /** The upstream's error body for a status (users: {"error"}, vcard: {"code","message","request_id"}). */
  errorBody(status: number, message: string, requestId: string): string;
  /** Whether every answer carries X-Request-ID (the vcard API does). */
  sendsRequestId: boolean;
  /** The OpenAPI 3.0 description, given the simulator's own URL for `servers`. */
  openapi(baseUrl: string): object;
}

interface QueuedFault {
  fault: Fault;
  remaining: number;
  match: RegExp | undefined;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const MAX_REQUEST_BODY = 1024 * 1024;
const HUGE_CHUNK = Buffer.alloc(64 * 1024, 'x');

export function json(status: number, body: string, headers?: Record<string, string>): SimResponse {
  return { status, headers: { 'content-type': JSON_TYPE, ...headers }, body };
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
  readonly server: Server;

  constructor(
    private readonly definition: SimulatorDefinition,
    options: SimulatorOptions,
  ) {
    this.latencyMs = options.latencyMs ?? 0;
    this.maxLogEntries = Math.max(2, options.maxLogEntries ?? 10_000);
    this.server = createServer((req, res) => void this.onRequest(req, res));
    // Longer than the gateway's pool keeps idle sockets, so benchmarks do not pay for reconnects
    // caused by the server closing first (and do not race a server-side close on reuse).
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
    // 'close' fires once the answer is sent or the connection is gone, whichever comes first.
    res.once('close', () => this.inFlight--);

    const requestId = `${this.definition.name}-${(++this.sequence).toString(16).padStart(8, '0')}`;
    const isSpec = method === 'GET' && path === '/openapi.json';
    const fault = this.takeFault(path, isSpec);
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    if (fault !== undefined && 'delayMs' in fault) await sleep(fault.delayMs);
    if (res.destroyed) return;

    if (fault !== undefined && 'hang' in fault) return;
    if (fault !== undefined && 'reset' in fault) {
      req.socket.resetAndDestroy();
      return;
    }
    if (fault !== undefined && 'hugeBody' in fault) {
      await this.sendHuge(res, entry, fault.hugeBody, requestId);
      return;
    }

    let response: SimResponse;
    if (fault !== undefined && 'status' in fault) {
      response = this.faultResponse(fault, requestId);
    } else if (isSpec) {
      response = json(200, this.openapiJson);
    } else {
      response = await this.answer(req, method, path, query, requestId);
    }
    if (this.definition.sendsRequestId) {
      response.headers = { 'x-request-id': requestIdOf(response.body) ?? requestId, ...response.headers };
    }

    if (fault !== undefined && 'malformed' in fault) {
      // Half of a JSON document never parses; the length header stays honest.
      response = json(200, response.body.slice(0, Math.floor(response.body.length / 2)));
    }
    if (fault !== undefined && 'truncate' in fault) {
      const bytes = Buffer.from(response.body);
      entry.status = response.status;
      res.writeHead(response.status, {
        ...response.headers,
        'content-length': String(bytes.length + 64),
      });
      res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.socket?.destroy());
      return;
    }
    entry.status = response.status;
    res.writeHead(response.status, {
      ...response.headers,
      'content-length': String(Buffer.byteLength(response.body)),
    });
    res.end(response.body);
  }

  private async answer(
    req: IncomingMessage,
    method: string,
    path: string,
    query: URLSearchParams,
    requestId: string,
  ): Promise<SimResponse> {
    const error = (status: number, message: string, headers?: Record<string, string>) =>
      json(status, this.definition.errorBody(status, message, requestId), headers);
    let segments: string[];
    try {
      segments = path.split('/').filter((s) => s !== '').map(decodeURIComponent);
    } catch {
      return error(400, 'The path is not valid percent-encoding.');
    }
    try {
      return await this.definition.handle({
        method,
        segments,
        query,
        headers: req.headers,
        baseUrl: this.url,
        requestId,
        body: () => readBody(req),
        error,
      });
    } catch (cause) {
      // A bug in a simulator should look like an upstream 500, not kill the test process.
      const message = cause instanceof Error ? cause.message : String(cause);
      return error(500, `Simulator failure: ${message}`);
    }
  }

  private faultResponse(
    fault: { status: number; retryAfter?: string; body?: string; contentType?: string },
    requestId: string,
  ): SimResponse {
    const headers: Record<string, string> = {
      'content-type': fault.contentType ?? JSON_TYPE,
      ...(fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter }),
    };
    const body =
      fault.body ??
      this.definition.errorBody(fault.status, `Injected fault: HTTP ${fault.status}`, requestId);
    return { status: fault.status, headers, body };
  }

  private async sendHuge(
    res: ServerResponse,
    entry: LoggedRequest,
    size: number,
    requestId: string,
  ): Promise<void> {
    const head = '{"data":"';
    const tail = '"}';
    const fits = size >= head.length + tail.length;
    const headers: OutgoingHttpHeaders = {
      'content-type': JSON_TYPE,
      'content-length': String(size),
      ...(this.definition.sendsRequestId ? { 'x-request-id': requestId } : {}),
    };
    entry.status = 200;
    res.writeHead(200, headers);
    if (fits) res.write(head);
    // Streamed with back-pressure: megabytes are never held in memory, and a client that gives up
    // early stops the loop.
    let left = fits ? size - head.length - tail.length : size;
    while (left > 0 && !res.destroyed) {
      const chunk = left >= HUGE_CHUNK.length ? HUGE_CHUNK : HUGE_CHUNK.subarray(0, left);
      left -= chunk.length;
      if (!res.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.once('drain', done);
          res.once('close', done);
        });
      }
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

function flattenHeaders(headers: IncomingMessage['headers']): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
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
function requestIdOf(body: string): string | undefined {
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

/**
 * Bearer/token checks shared by both simulators: a forbidden credential is 403 (the upstream knows
 * it but it lacks the right), a missing or unknown one 401, anything else passes.
 */
export function checkCredential(
  presented: string | undefined,
  rules: { forbidden: readonly string[]; required: boolean; accepts(token: string): boolean },
  raw: string | undefined = presented,
): 'ok' | 401 | 403 {
  if (
    (presented !== undefined && rules.forbidden.includes(presented)) ||
    (raw !== undefined && rules.forbidden.includes(raw))
  ) {
    return 403;
  }
  if (!rules.required) return 'ok';
  return presented !== undefined && rules.accepts(presented) ? 'ok' : 401;
}

/** Parses `name` as a positive integer query parameter: default when absent, null when invalid. */
export function positiveInt(query: URLSearchParams, name: string, fallback: number): number | null {
  const raw = query.get(name);
  if (raw === null) return fallback;
  if (!/^\d{1,9}$/.test(raw)) return null;
  const value = Number(raw);
  return value >= 1 ? value : null;
}
