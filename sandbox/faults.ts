// Faults a test injects into a simulator: a tagged union (as src/errors.ts's UpstreamFailure), so
// the simulator dispatches on `kind` with an exhaustive switch instead of probing for properties.

export type Fault =
  /**
   * An answer of this status and body (default: the upstream's own error shape for the status),
   * e.g. a 429 with Retry-After, or a 200 text/html maintenance page.
   */
  | { kind: 'status'; status: number; retryAfter?: string; body?: string; contentType?: string }
  /** Never answers; the client has to give up (close() still ends it). */
  | { kind: 'hang' }
  /** Destroys the socket with a TCP RST before any byte of the answer. */
  | { kind: 'reset' }
  /** 200 application/json whose body is not JSON (the real answer cut in half). */
  | { kind: 'malformed' }
  /** The real answer's headers with a content-length larger than what is sent, then a dropped socket. */
  | { kind: 'truncate' }
  /** The real answer, `ms` late (on top of latencyMs). */
  | { kind: 'delay'; ms: number }
  /** The real answer, held until `until` settles: a test decides when the call completes. */
  | { kind: 'until'; until: Promise<unknown> }
  /**
   * 200 application/json of exactly `bytes` bytes of valid JSON, streamed. `chunked` leaves out
   * content-length, so a client only learns the size by reading (as with a chunked upstream).
   */
  | { kind: 'huge-body'; bytes: number; chunked?: boolean };

export interface FaultOptions {
  /** How many matching requests the fault answers. Default 1; Infinity for all. */
  times?: number;
  /**
   * Tested against the request path. Without it the fault matches any API request, but neither
   * GET /openapi.json nor the token endpoints, so a client that loads the description or fetches
   * a token first does not eat the fault.
   */
  match?: RegExp;
  /**
   * Only requests carrying this credential (the bearer token on the users API, X-Auth-Token on
   * the vcard API) match: one tenant's 429s, say, while every other credential is served.
   */
  credential?: string;
}

/** What a request offers to the queue to be matched against. */
export interface FaultTarget {
  path: string;
  /** False for GET /openapi.json and the token endpoints. */
  api: boolean;
  credential: string | undefined;
}

interface QueuedFault {
  fault: Fault;
  remaining: number;
  options: FaultOptions;
}

/** Requests consume the oldest fault that matches them (FIFO), each fault `times` times. */
export class FaultQueue {
  private queued: QueuedFault[] = [];

  add(fault: Fault, options: FaultOptions = {}): void {
    const times = options.times ?? 1;
    if (times > 0) this.queued.push({ fault, remaining: times, options });
  }

  clear(): void {
    this.queued = [];
  }

  take(target: FaultTarget): Fault | undefined {
    const index = this.queued.findIndex(({ options }) => matches(options, target));
    const entry = this.queued[index];
    if (entry === undefined) return undefined;
    if (--entry.remaining <= 0) this.queued.splice(index, 1);
    return entry.fault;
  }
}

function matches(options: FaultOptions, target: FaultTarget): boolean {
  if (options.credential !== undefined && options.credential !== target.credential) return false;
  return options.match === undefined ? target.api : options.match.test(target.path);
}
