// What the code running on behalf of one HTTP request can find without being handed it: the request
// id (every log line written while serving the request carries it) and the trace context of the
// GraphQL operation (upstream spans are its children). The store is per request; the
// AsyncLocalStorage itself holds nothing.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context, Span } from '@opentelemetry/api';
import type { Logger } from 'pino';

export interface RequestState {
  readonly requestId: string;
  /** GraphQL operations started by this HTTP request (a batch has several). */
  operations: number;
  /** HTTP status of the response, once known. */
  status: number | undefined;
}

export interface OperationState {
  /** performance.now() when the operation arrived. */
  readonly startedAt: number;
  /** The bounded label (metrics) of the operation name; `anonymous` until known. */
  label: string;
  /** Whether label and type come from the parsed document (else from the request parameters). */
  named: boolean;
  type: string | undefined;
  /** ok, partial or an error code; undefined until a result is seen. */
  outcome: string | undefined;
  /** Upstream HTTP attempts made for this operation. */
  upstreamAttempts: number;
  /** Incremental delivery: the operation ends with its last payload, not with the response. */
  streaming: boolean;
  finished: boolean;
  span: Span | undefined;
  /** The context holding `span`: upstream spans are its children. */
  traceContext: Context | undefined;
}

export interface Scope {
  request: RequestState;
  operation?: OperationState;
}

const storage = new AsyncLocalStorage<Scope>();

export function runInScope<T>(scope: Scope, fn: () => T): T {
  return storage.run(scope, fn);
}

export function currentScope(): Scope | undefined {
  return storage.getStore();
}

/** Counts an upstream attempt against the operation it is made for. */
export function noteUpstreamAttempt(): void {
  const operation = storage.getStore()?.operation;
  if (operation) operation.upstreamAttempts++;
}

/** The trace context upstream spans of the current operation are children of. */
export function currentTraceContext(): Context | undefined {
  return storage.getStore()?.operation?.traceContext;
}

/**
 * A logger whose lines carry the request id of the request being served, including lines written
 * by code that knows nothing of requests (Yoga, the circuit breaker, the HTTP layer).
 */
export function withRequestIds(logger: Logger): Logger {
  return logger.child(
    {},
    {
      formatters: {
        log: (object) => {
          const requestId = storage.getStore()?.request.requestId;
          return requestId === undefined || 'requestId' in object
            ? object
            : { requestId, ...object };
        },
      },
    },
  );
}
