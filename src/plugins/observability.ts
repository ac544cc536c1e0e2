// The Yoga plugin that makes a request observable: it opens the request's scope (request id for
// every log line), times each GraphQL operation and records its name and outcome (metrics, one
// log line, a server span whose children are the upstream calls), and serves /metrics.
import type { Tracer } from '@opentelemetry/api';
import { getOperationAST } from 'graphql';
import { isAsyncIterable } from 'graphql-yoga';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { GatewayContext } from '../context.js';
import { arrivedAt, requestIdOf } from '../context.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { currentScope, runInScope } from '../observability/scope.js';
import type { OperationState, RequestState } from '../observability/scope.js';
import { endOperationSpan, startOperationSpan } from '../observability/tracing.js';

export interface ObservabilityOptions {
  metrics: GatewayMetrics;
  logger: Logger;
  /** Spans are made only with a tracer. */
  tracer: Tracer | undefined;
  graphqlEndpoint: string;
  /** Where GET answers the metrics; undefined: nowhere. */
  metricsEndpoint: string | undefined;
}

/** The part of a result (or of an incremental payload) that tells how an operation went. */
interface ResultLike {
  data?: unknown;
  errors?: readonly { extensions?: Record<string, unknown> }[];
  incremental?: readonly { errors?: readonly unknown[] }[];
}

export function useObservability(options: ObservabilityOptions): Plugin<GatewayContext> {
  const { metrics, logger, tracer } = options;

  const finish = (request: RequestState, op: OperationState): void => {
    if (op.finished) return;
    op.finished = true;
    // No result at all means the execution itself threw, which Yoga reports as an internal error.
    const outcome = op.outcome ?? 'INTERNAL_SERVER_ERROR';
    const seconds = (performance.now() - op.startedAt) / 1000;
    metrics.graphqlOperation(op.label, outcome, seconds);
    if (op.span) endOperationSpan(op.span, { label: op.label, type: op.type, outcome });
    logger.info(
      {
        requestId: request.requestId,
        operation: op.label,
        operationType: op.type,
        outcome,
        durationMs: Math.round(seconds * 1000),
        upstreamAttempts: op.upstreamAttempts,
      },
      'graphql operation',
    );
  };

  return {
    instrumentation: {
      request({ request }, wrapped) {
        if (!isEndpoint(request.url, options.graphqlEndpoint)) return wrapped();
        const state: RequestState = {
          requestId: requestIdOf(request),
          operations: 0,
          status: undefined,
        };
        const startedAt = performance.now();
        return runInScope({ request: state }, async () => {
          await wrapped();
          if (state.operations === 0 && state.status !== undefined && state.status >= 400) {
            // Refused before an operation could be read (bad JSON, CSRF, a body over the limit):
            // counted too, or a flood of them would be invisible.
            const outcome = state.status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST';
            const seconds = (performance.now() - startedAt) / 1000;
            metrics.graphqlOperation('anonymous', outcome, seconds);
            logger.info(
              { status: state.status, outcome, durationMs: Math.round(seconds * 1000) },
              'graphql request refused',
            );
          }
        });
      },
      operation({ request }, wrapped) {
        const state = currentScope()?.request ?? {
          requestId: requestIdOf(request),
          operations: 0,
          status: undefined,
        };
        state.operations++;
        const traced = tracer && startOperationSpan(tracer, request, state.requestId);
        const op: OperationState = {
          startedAt: performance.now(),
          label: 'anonymous',
          named: false,
          type: undefined,
          outcome: undefined,
          upstreamAttempts: 0,
          streaming: false,
          finished: false,
          span: traced?.span,
          traceContext: traced?.context,
        };
        return runInScope({ request: state, operation: op }, async () => {
          try {
            await wrapped();
          } catch (error) {
            // Refusals thrown before execution (a persisted query not found, …) carry their code.
            op.outcome ??= thrownCode(error);
            finish(state, op);
            throw error;
          }
          if (!op.streaming) finish(state, op);
        });
      },
    },

    onRequest({ url, request, endResponse, fetchAPI }) {
      // First plugin, first hook: the request's deadline starts here.
      arrivedAt(request);
      if (options.metricsEndpoint === undefined || url.pathname !== options.metricsEndpoint) return;
      if (request.method !== 'GET') {
        endResponse(new fetchAPI.Response(null, { status: 405, headers: { allow: 'GET' } }));
        return;
      }
      return metrics.exposition().then((body) => {
        endResponse(
          new fetchAPI.Response(body, {
            headers: { 'content-type': metrics.contentType, 'cache-control': 'no-store' },
          }),
        );
      });
    },

    onValidate({ params, context }) {
      const op = currentScope()?.operation;
      if (!op) return;
      const ast = getOperationAST(params.documentAST, context.params.operationName ?? undefined);
      op.label = metrics.operationLabel(ast?.name?.value);
      op.type = ast?.operation;
      op.named = true;
    },

    onExecutionResult({ result, setResult, context }) {
      const scope = currentScope();
      const op = scope?.operation;
      if (!scope || !op || result === undefined) return;
      // Not parsed (a syntax error, a persisted query not found): the name the client sent.
      if (!op.named) op.label = metrics.operationLabel(context.params?.operationName ?? undefined);
      if (isAsyncIterable(result)) {
        op.streaming = true;
        setResult(observeStream(result, op, () => finish(scope.request, op)));
        return;
      }
      op.outcome = outcomeOf(result);
    },

    onResponse({ response }) {
      const scope = currentScope();
      if (scope) scope.request.status = response.status;
    },
  };
}

function thrownCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('extensions' in error)) return undefined;
  const { extensions } = error;
  const code =
    typeof extensions === 'object' && extensions !== null && 'code' in extensions
      ? extensions.code
      : undefined;
  return typeof code === 'string' ? code : undefined;
}

function isEndpoint(url: string, endpoint: string): boolean {
  try {
    return new URL(url).pathname === endpoint;
  } catch {
    return false;
  }
}

/**
 * ok without errors; partial when some data came with errors; otherwise the first error's code
 * (BAD_USER_INPUT, UPSTREAM_ERROR, GRAPHQL_VALIDATION_FAILED, …).
 */
function outcomeOf(result: ResultLike): string {
  const errors = result.errors;
  if (errors === undefined || errors.length === 0) return 'ok';
  const data = result.data;
  if (typeof data === 'object' && data !== null && Object.values(data).some((v) => v !== null)) {
    return 'partial';
  }
  const code = errors[0]?.extensions?.['code'];
  return typeof code === 'string' ? code : 'error';
}

/** Passes the payloads on, noting errors in later ones; `done` runs once, however it ends. */
async function* observeStream<T extends ResultLike>(
  source: AsyncIterable<T>,
  op: OperationState,
  done: () => void,
): AsyncGenerator<T> {
  try {
    for await (const payload of source) {
      if (op.outcome === undefined) op.outcome = outcomeOf(payload);
      else if (op.outcome === 'ok' && hasErrors(payload)) op.outcome = 'partial';
      yield payload;
    }
  } finally {
    done();
  }
}

function hasErrors(payload: ResultLike): boolean {
  if (payload.errors !== undefined && payload.errors.length > 0) return true;
  return payload.incremental?.some((part) => (part.errors?.length ?? 0) > 0) ?? false;
}
