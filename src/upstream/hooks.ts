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

export interface UpstreamHooks {
  attempt(start: AttemptStart): AttemptProbe;
  circuitChanged(upstream: UpstreamName, state: CircuitState): void;
  /** The cache's store cannot be used: the request goes to the upstream instead. */
  storeUnavailable(event: StoreUnavailable): void;
}

const silentProbe: AttemptProbe = { traceparent: undefined, end: () => undefined };

/** Observes nothing (unit tests of the chain, tools). */
export const noHooks: UpstreamHooks = {
  attempt: () => silentProbe,
  circuitChanged: () => undefined,
  storeUnavailable: () => undefined,
};
