// What both upstream simulators share: an HTTP server on loopback with a request log, concurrency
// counters, a latency knob, a rate limit, a queue of injected faults (faults.ts) and the OpenAPI
// document. Each simulator is a subclass that only supplies its routes, its error body shape and
// how it reads a credential, so faults and limits behave the same on both upstreams.
import { createServer } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultQueue } from './faults.js';
import type { Fault, FaultOptions } from './faults.js';
import { SlidingWindowLimiter } from './rate-limit.js';
import type { RateLimit } from './rate-limit.js';
import type { LoggedRequest } from './request-log.js';
import { JSON_TYPE, drained, flattenHeaders, readBody, requestIdIn } from './http.js';
import type { SimRequest, SimResponse } from './http.js';

const HUGE_CHUNK = Buffer.alloc(64 * 1024, 'x');

export interface SimulatorHandle {
  /** http://HOST:PORT with no trailing slash; the base URL the gateway uses. */
  url: string;
  /** Every request received, oldest first. Clear with reset() (or log.length = 0). */
  log: LoggedRequest[];
  inFlight: number;
  maxInFlight: number;
  /** Added to every request before it is answered; change it at any time. */
  latencyMs: number;
  /**
   * Requests per second above which API requests get 429 with Retry-After (see rate-limit.ts);
   * undefined (the default) is unlimited. Assigning starts counting afresh.
   */
  rateLimit: RateLimit | undefined;
  /** Queues a fault; requests consume the oldest fault that matches them (FIFO). */
  injectFault(fault: Fault, options?: FaultOptions): void;
  clearFaults(): void;
  /** Clears the log, the counters and the fault queue. Latency, rate limit and data stay. */
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
  /** See SimulatorHandle.rateLimit. Default: unlimited. */
  rateLimit?: RateLimit;
}

/**
 * One simulated upstream. A subclass supplies the routes, the error shape and how a credential is
 * read; this class does everything the two upstreams have in common.
 */
export abstract class Simulator implements SimulatorHandle {
  url = '';
  log: LoggedRequest[] = [];
  inFlight = 0;
  maxInFlight = 0;
  latencyMs: number;
  /** Short name used in request ids, e.g. "users" gives "users-0000002a". */
  protected abstract readonly name: string;
  /** Whether every answer carries X-Request-ID (the vcard API's do). */
  protected readonly requestIdHeader: boolean = false;
  private readonly faults = new FaultQueue();
  private limiter: SlidingWindowLimiter | undefined;
  private sequence = 0;
  private openapiJson = '';
  private readonly maxLogEntries: number;
  private readonly server: Server;

  constructor(options: SimulatorOptions) {
    this.latencyMs = options.latencyMs ?? 0;
    this.maxLogEntries = Math.max(2, options.maxLogEntries ?? 10_000);
    this.rateLimit = options.rateLimit;
    this.server = createServer((req, res) => void this.onRequest(req, res));
    // Longer than the gateway's pool keeps idle sockets, so benchmarks do not pay for reconnects
    // or race a server-side close when a socket is reused.
    this.server.keepAliveTimeout = 60_000;
  }

  /** Answers every request except GET /openapi.json. May throw: that becomes a 500. */
  protected abstract route(request: SimRequest): SimResponse | Promise<SimResponse>;
  /** An answer in the upstream's own error shape (for injected statuses and failures). */
  protected abstract error(status: number, message: string, request: SimRequest): SimResponse;
  /** The OpenAPI 3.0 description, given the simulator's own URL for `servers`. */
  protected abstract openapi(baseUrl: string): object;
  /** The credential a request carries, as this upstream reads it. */
  protected abstract credentialOf(headers: IncomingMessage['headers']): string | undefined;
  /** Token endpoints are not API requests: no rate limit, no unmatched faults. */
  protected isTokenEndpoint(_path: string): boolean {
    return false;
  }

  get rateLimit(): RateLimit | undefined {
    return this.limiter?.limit;
  }

  set rateLimit(limit: RateLimit | undefined) {
    this.limiter = limit === undefined ? undefined : new SlidingWindowLimiter(limit);
  }

  async listen(port: number, host: string): Promise<this> {
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
    this.openapiJson = JSON.stringify(this.openapi(this.url));
    return this;
  }

  injectFault(fault: Fault, options: FaultOptions = {}): void {
    this.faults.add(fault, options);
  }

  clearFaults(): void {
    this.faults.clear();
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
    const isSpec = method === 'GET' && path === '/openapi.json';
    const api = !isSpec && !this.isTokenEndpoint(path);
    const credential = this.credentialOf(req.headers);
    const entry: LoggedRequest = {
      method,
      path,
      query: Object.fromEntries(query),
      headers: flattenHeaders(req.headers),
      ...(credential === undefined ? {} : { credential }),
      api,
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
      requestId: `${this.name}-${(++this.sequence).toString(16).padStart(8, '0')}`,
    };
    // A limiter answers at once, before the service does any work (and before faults).
    const admission = api ? this.limiter?.admit(credential, entry.at) : undefined;
    if (admission !== undefined && !admission.admitted) {
      const refused = this.error(429, 'rate limit exceeded', request);
      this.send(res, entry, request, {
        ...refused,
        headers: { ...refused.headers, 'retry-after': String(admission.retryAfterSeconds) },
      });
      return;
    }
    // Taken on arrival, so faults are consumed in the order requests arrive, whatever the latency.
    const fault = this.faults.take({ path, api, credential });
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    if (fault?.kind === 'delay') await sleep(fault.ms);
    if (fault?.kind === 'until') await fault.until.catch(() => undefined);
    if (res.destroyed) return;

    switch (fault?.kind) {
      case 'hang':
        return;
      case 'reset':
        req.socket.resetAndDestroy();
        return;
      case 'huge-body':
        await this.sendHuge(res, entry, fault.bytes, request.requestId, fault.chunked === true);
        return;
      case 'status':
        this.send(res, entry, request, this.faultResponse(fault, request));
        return;
    }
    const response = isSpec
      ? { status: 200, contentType: JSON_TYPE, body: this.openapiJson }
      : await this.answer(req, request);
    if (res.destroyed) return;
    this.send(res, entry, request, response, fault);
  }

  private send(
    res: ServerResponse,
    entry: LoggedRequest,
    request: SimRequest,
    response: SimResponse,
    fault?: Fault,
  ): void {
    const headers: OutgoingHttpHeaders = {
      ...(this.requestIdHeader
        ? { 'x-request-id': requestIdIn(response.body) ?? request.requestId }
        : {}),
      ...response.headers,
      'content-type': response.contentType ?? JSON_TYPE,
    };
    let body = Buffer.from(response.body);
    if (fault?.kind === 'malformed') {
      // Half of a JSON document never parses; the length header stays honest.
      entry.status = 200;
      body = body.subarray(0, Math.floor(body.length / 2));
      res.writeHead(200, { ...headers, 'content-type': JSON_TYPE, 'content-length': body.length });
      res.end(body);
      return;
    }
    entry.status = response.status;
    if (fault?.kind === 'truncate') {
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
      return await this.route(request);
    } catch (cause) {
      // A bug in a simulator should look like an upstream 500, not kill the test process.
      const message = cause instanceof Error ? cause.message : String(cause);
      return this.error(500, `simulator failure: ${message}`, request);
    }
  }

  private faultResponse(fault: Fault & { kind: 'status' }, request: SimRequest): SimResponse {
    const retryAfter = fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter };
    if (fault.body === undefined) {
      const generated = this.error(fault.status, `injected HTTP ${fault.status}`, request);
      return { ...generated, headers: { ...generated.headers, ...retryAfter } };
    }
    return {
      status: fault.status,
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
      ...(this.requestIdHeader ? { 'x-request-id': requestId } : {}),
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

  private record(entry: LoggedRequest): void {
    if (this.log.length >= this.maxLogEntries) {
      this.log.splice(0, this.log.length - Math.floor(this.maxLogEntries / 2));
    }
    this.log.push(entry);
  }
}
