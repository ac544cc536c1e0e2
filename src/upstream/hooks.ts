// The one way the upstream layer is observed. The layer knows nothing of metrics, logs or spans:
// it reports attempts and breaker changes here, and src/observability/upstream-hooks.ts turns them
// into Prometheus samples, log lines and OpenTelemetry spans.
import type { UpstreamName } from '../errors.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

/** `client-abort`: the GraphQL client went away before the answer (not the upstream's fault). */
export type AttemptStatus = number | 'timeout' | 'network' | 'circuit-open' | 'client-abort';

export interface AttemptStart {
  upstream: UpstreamName;
  method: string;
  /** Route template, e.g. /accounts/:account_id/users: ids are not metric labels. */
  route: string;
  /** 1 for the first attempt. */
  attempt: number;
}

export interface AttemptEvent extends AttemptStart {
  status: AttemptStatus;
  durationMs: number;
}

/** One attempt under observation. */
export interface AttemptProbe {
  /** A W3C traceparent to send upstream (the attempt's span), when tracing. */
  readonly traceparent: string | undefined;
  /** Called exactly once, however the attempt ends. Must not throw. */
  end(status: AttemptStatus): void;
}

export interface StoreUnavailable {
  store: 'redis';
  /** The error's message only (a URL may hold a password). */
  error: string;
  /** Reports left out since the last one (the store reports at most once per interval). */
  suppressed: number;
}

/** What the tenant policies (#18: call cap, dedupe, 429 backoff, fair share, rate budget) report. */
export interface TenancyHooks {
  /** A call refused: its GraphQL request reached MAX_UPSTREAM_CALLS_PER_REQUEST. */
  capRefused(upstream: UpstreamName): void;
  /** A GET joined an identical call (same credential) already in flight. */
  dedupeHit(upstream: UpstreamName): void;
  /** A 429 started (or extended) a credential's backoff of `backoffMs`. */
  throttled(upstream: UpstreamName, backoffMs: number): void;
  /** An attempt waited for its credential's backoff (`refused`: not within its deadline). */
  backoff(upstream: UpstreamName, waitedMs: number, refused: boolean): void;
  /** An attempt waited `ms` for its fair share of the pool. */
  queued(upstream: UpstreamName, ms: number): void;
  /** An attempt waited `ms` for the rate budget (0: went at once). */
  budgetWaited(upstream: UpstreamName, ms: number): void;
  /** An attempt missed its reserved slot (a busy event loop) and reserved another. */
  budgetLate(upstream: UpstreamName): void;
  /** An attempt refused: no room in the rate budget before its deadline. */
  budgetRefused(upstream: UpstreamName): void;
  /** The shared (Redis) budget became unreachable (`true`: this instance keeps its share) or back. */
  limiterFallback(upstream: UpstreamName, active: boolean, error?: unknown): void;
}

export interface UpstreamHooks {
  attempt(start: AttemptStart): AttemptProbe;
  circuitChanged(upstream: UpstreamName, state: CircuitState): void;
  /** The cache's store cannot be used: the request goes to the upstream instead. */
  storeUnavailable(event: StoreUnavailable): void;
  tenancy: TenancyHooks;
}

const silentProbe: AttemptProbe = { traceparent: undefined, end: () => undefined };

/** Observes nothing (unit tests of the chain, tools). */
export const noHooks: UpstreamHooks = {
  attempt: () => silentProbe,
  circuitChanged: () => undefined,
  storeUnavailable: () => undefined,
  tenancy: {
    capRefused: () => undefined,
    dedupeHit: () => undefined,
    throttled: () => undefined,
    backoff: () => undefined,
    queued: () => undefined,
    budgetWaited: () => undefined,
    budgetLate: () => undefined,
    budgetRefused: () => undefined,
    limiterFallback: () => undefined,
  },
};
