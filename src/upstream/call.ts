// What every upstream call carries from the GraphQL request: the `call` argument of every step.
import { createHash } from 'node:crypto';
import type { CallerSignal } from './caller-signal.js';

/** Absolute time by which a GraphQL HTTP request must be done, shared by all its upstream calls. */
export interface Deadline {
  /** Epoch ms: the request's arrival plus REQUEST_DEADLINE_MS. */
  at: number;
  /** Aborts when the client goes away (not at `at`: each attempt arms its own timer). */
  signal?: CallerSignal;
}

/**
 * One per GraphQL HTTP request: the operations of a batch share it. Per-request policies (a cap
 * on upstream calls, a fair share of the pools) keep their counters against it with `PerRequest`.
 */
export class RequestScope {
  constructor(
    readonly requestId: string,
    /** Epoch ms when the HTTP request arrived. */
    readonly arrivedAt: number,
    readonly deadline: Deadline,
  ) {}
}

/**
 * State a policy keeps per GraphQL HTTP request, e.g. `const calls = new PerRequest(() => ({ n: 0 }))`
 * then `calls.of(call.request).n++`. Weakly held: it goes with the request.
 */
export class PerRequest<T> {
  private readonly byRequest = new WeakMap<RequestScope, T>();

  constructor(private readonly init: () => T) {}

  of(scope: RequestScope): T {
    let state = this.byRequest.get(scope);
    if (state === undefined) {
      state = this.init();
      this.byRequest.set(scope, state);
    }
    return state;
  }
}

/** What a step knows of the caller: one per GraphQL request and upstream. */
export interface Call {
  /**
   * The header value the request brought for this upstream (`Bearer …` for the users API, the
   * token for the vcard API); undefined: the upstream's service credential is used (auth step).
   */
  readonly credential: string | undefined;
  /**
   * A stable, non-reversible key of the principal: the hash of `credential`, or `service` for the
   * upstream's own credential. For policies that are per credential (dedupe, 429 backoff, fair
   * share across credentials); never the credential itself, so it may be a map key or a label.
   */
  readonly credentialKey: string;
  readonly requestId: string;
  readonly deadline: Deadline;
  readonly request: RequestScope;
}

export const SERVICE_CREDENTIAL_KEY = 'service';

export function credentialKeyOf(credential: string | undefined): string {
  if (credential === undefined) return SERVICE_CREDENTIAL_KEY;
  return createHash('sha256').update(credential).digest('base64url').slice(0, 22);
}

/** A Call for `scope` with this credential. */
export function callOf(scope: RequestScope, credential: string | undefined): Call {
  return {
    credential,
    credentialKey: credentialKeyOf(credential),
    requestId: scope.requestId,
    deadline: scope.deadline,
    request: scope,
  };
}
