// OpenTelemetry traces: a server span per GraphQL operation and a client span per upstream HTTP
// attempt, its child. The tracer is handed to the gateway (never registered globally), so tests run
// gateways with in-memory exporters side by side and a gateway without one pays nothing.
// Span names and attributes carry route templates and operation names, never ids, personal data or
// credentials.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import type { Context, Span, Tracer } from '@opentelemetry/api';
import type { UpstreamName } from '../errors.js';
import type { AttemptStatus } from '../upstream/hooks.js';
import { currentTraceContext } from './scope.js';

export const TRACER_NAME = 'telecom-directory-gateway';

export interface Tracing {
  tracer: Tracer;
  /** Exports the spans still buffered, then stops. */
  shutdown(): Promise<void>;
}

/**
 * OTLP/HTTP export of the gateway's spans to `${endpoint}/v1/traces` (as the OpenTelemetry spec
 * reads OTEL_EXPORTER_OTLP_ENDPOINT), batched. The SDK is only loaded when tracing is on.
 */
export async function startTracing(options: {
  endpoint: string;
  serviceName: string;
}): Promise<Tracing> {
  const [
    { OTLPTraceExporter },
    { resourceFromAttributes },
    { BatchSpanProcessor },
    { NodeTracerProvider },
  ] = await Promise.all([
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/sdk-trace-node'),
  ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: [
      new BatchSpanProcessor(
        new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/+$/, '')}/v1/traces` }),
      ),
    ],
  });
  return { tracer: provider.getTracer(TRACER_NAME), shutdown: () => provider.shutdown() };
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The caller's trace (W3C traceparent) when it sent a valid one, so our spans join it. */
export function incomingContext(traceparent: string | null): Context {
  const match = traceparent === null ? null : TRACEPARENT.exec(traceparent.trim());
  const [, traceId, spanId, flags] = match ?? [];
  if (traceId === undefined || spanId === undefined || flags === undefined) return ROOT_CONTEXT;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId,
    traceFlags: parseInt(flags, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  });
}

/** The W3C traceparent header naming `span` as the parent of what the upstream does. */
export function traceparentOf(span: Span): string {
  const { traceId, spanId, traceFlags } = span.spanContext();
  return `00-${traceId}-${spanId}-${(traceFlags & TraceFlags.SAMPLED) === 0 ? '00' : '01'}`;
}

/** The server span of one GraphQL operation; named once the operation is known. */
export function startOperationSpan(
  tracer: Tracer,
  request: Request,
  requestId: string,
): { span: Span; context: Context } {
  const parent = incomingContext(request.headers.get('traceparent'));
  const span = tracer.startSpan(
    'GraphQL Operation',
    {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': request.method, 'gateway.request_id': requestId },
    },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

export function endOperationSpan(
  span: Span,
  operation: { label: string; type: string | undefined; outcome: string },
): void {
  // Semantic conventions: "{operation type} {operation name}", the name being a bounded label.
  const type = operation.type ?? 'GraphQL Operation';
  span.updateName(operation.label === 'anonymous' ? type : `${type} ${operation.label}`);
  if (operation.type !== undefined) span.setAttribute('graphql.operation.type', operation.type);
  span.setAttribute('graphql.operation.name', operation.label);
  span.setAttribute('gateway.outcome', operation.outcome);
  if (operation.outcome !== 'ok' && operation.outcome !== 'partial') {
    span.setStatus({ code: SpanStatusCode.ERROR, message: operation.outcome });
  }
  span.end();
}

/** A client span for one upstream attempt, child of the current operation's span. */
export function startUpstreamSpan(
  tracer: Tracer,
  upstream: UpstreamName,
  method: string,
  route: string,
  attempt: number,
): Span {
  return tracer.startSpan(
    `${method} ${route}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'gateway.upstream': upstream,
        'http.request.method': method,
        'url.template': route,
        'http.request.resend_count': attempt - 1,
      },
    },
    currentTraceContext() ?? ROOT_CONTEXT,
  );
}

export function endUpstreamSpan(span: Span, status: AttemptStatus): void {
  if (typeof status === 'number') {
    span.setAttribute('http.response.status_code', status);
    // Client spans: every 4xx and 5xx is an error (semantic conventions for HTTP clients).
    if (status >= 400) {
      span.setAttribute('error.type', String(status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
  } else {
    span.setAttribute('error.type', status);
    span.setStatus({ code: SpanStatusCode.ERROR, message: status });
  }
  span.end();
}
