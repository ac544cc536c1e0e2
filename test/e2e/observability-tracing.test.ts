// OpenTelemetry spans through an in-memory exporter: one server span per GraphQL operation, one
// client span per upstream attempt under it (also through DataLoader batches), the W3C traceparent
// the simulators received, and the OTLP/HTTP export used when OTEL_EXPORTER_OTLP_ENDPOINT is set.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startTracing } from '../../src/observability/tracing.js';
import { createGateway } from '../../src/server.js';
import type { Gateway } from '../../src/server.js';
import { sandboxConfig, startSandbox } from '../../sandbox/index.js';
import type { Sandbox } from '../../sandbox/index.js';

interface Traced {
  sandbox: Sandbox;
  gateway: Gateway;
  exporter: InMemorySpanExporter;
  gql(query: string, headers?: Record<string, string>): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

let t: Traced | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** A gateway over the simulators whose spans land in memory, or with no tracer at all. */
async function startTraced(withTracer = true): Promise<Traced> {
  const sandbox = await startSandbox();
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const config = sandboxConfig(loadConfig({ LOG_LEVEL: 'silent' }), sandbox);
  const gateway = createGateway(config, {
    hooks: { baseBackoffMs: 5 },
    ...(withTracer ? { tracer: provider.getTracer('test') } : {}),
  });
  return {
    sandbox,
    gateway,
    exporter,
    async gql(query, headers = {}) {
      const res = await gateway.yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: JSON.stringify({ query }),
      });
      return (await res.json()) as Record<string, unknown>;
    },
    async close() {
      await gateway.close();
      await sandbox.close();
      await provider.shutdown();
    },
  };
}

const serverSpans = (spans: ReadableSpan[]) => spans.filter((s) => s.kind === SpanKind.SERVER);
const clientSpans = (spans: ReadableSpan[]) => spans.filter((s) => s.kind === SpanKind.CLIENT);

describe('tracing', () => {
  it('1 list + 3 vCards: exactly 4 upstream spans, each a child of the GraphQL span, in its trace', async () => {
    t = await startTraced();
    const res = await t.gql(
      `query Cards { users(accountId: "1003", first: 3) { nodes { userId vcard { formattedName } } } }`,
    );
    expect(res['errors']).toBeUndefined();
    const spans = t.exporter.getFinishedSpans();
    const [operation, ...others] = serverSpans(spans);
    expect(others).toEqual([]);
    expect(operation?.name).toBe('query Cards');
    expect(operation?.attributes).toMatchObject({
      'graphql.operation.name': 'Cards',
      'graphql.operation.type': 'query',
      'gateway.outcome': 'ok',
    });
    const upstream = clientSpans(spans);
    expect(upstream).toHaveLength(4);
    expect(spans).toHaveLength(5);
    for (const span of upstream) {
      expect(span.parentSpanContext?.spanId).toBe(operation?.spanContext().spanId);
      expect(span.spanContext().traceId).toBe(operation?.spanContext().traceId);
      expect(span.attributes['http.response.status_code']).toBe(200);
      expect(span.attributes['http.request.resend_count']).toBe(0);
    }
    expect(upstream.map((s) => s.name).sort()).toEqual([
      'GET /accounts/:account_id/users',
      'GET /accounts/:account_id/users/:user_id/vcard',
      'GET /accounts/:account_id/users/:user_id/vcard',
      'GET /accounts/:account_id/users/:user_id/vcard',
    ]);
    // Names and attributes carry route templates, never the account or user ids.
    const userIds = (res['data'] as { users: { nodes: { userId: string }[] } }).users.nodes.map(
      (n) => n.userId,
    );
    const described = JSON.stringify(spans.map((s) => [s.name, s.attributes]));
    for (const id of ['1003', ...userIds]) expect(described).not.toContain(`"${id}"`);
    for (const id of ['1003', ...userIds]) expect(described).not.toContain(`/${id}`);

    // Each upstream request carried the traceparent of its own span.
    const received = [...t.sandbox.users.log, ...t.sandbox.vcard.log].map(
      (r) => r.headers['traceparent'],
    );
    expect(received.sort()).toEqual(
      upstream.map((s) => `00-${s.spanContext().traceId}-${s.spanContext().spanId}-01`).sort(),
    );
  });

  it('concurrent operations keep their own spans: no upstream span crosses over', async () => {
    t = await startTraced();
    await Promise.all([
      t.gql(`query A { users(accountId: "1003", first: 2) { nodes { vcard { formattedName } } } }`),
      t.gql(`query B { users(accountId: "1001", first: 4) { nodes { vcard { formattedName } } } }`),
    ]);
    const spans = t.exporter.getFinishedSpans();
    const byName = new Map(serverSpans(spans).map((s) => [s.name, s.spanContext().spanId]));
    const childrenOf = (name: string) =>
      clientSpans(spans).filter((s) => s.parentSpanContext?.spanId === byName.get(name)).length;
    expect(childrenOf('query A')).toBe(3);
    expect(childrenOf('query B')).toBe(5);
    expect(clientSpans(spans)).toHaveLength(8);
  });

  it('a retried call is one span per attempt, with its resend count and status', async () => {
    t = await startTraced();
    t.sandbox.users.injectFault({ kind: 'status', status: 503 }, { times: 1 });
    await t.gql(`{ users(accountId: "1001", first: 1) { totalCount } }`);
    const attempts = clientSpans(t.exporter.getFinishedSpans()).map((s) => [
      s.attributes['http.request.resend_count'],
      s.attributes['http.response.status_code'],
    ]);
    expect(attempts).toEqual([
      [0, 503],
      [1, 200],
    ]);
    const [operation] = serverSpans(t.exporter.getFinishedSpans());
    expect(operation?.name).toBe('query');
  });

  it("joins the caller's trace when it sends a traceparent", async () => {
    t = await startTraced();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await t.gql(`{ users(accountId: "1002") { totalCount } }`, {
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
    });
    const [operation] = serverSpans(t.exporter.getFinishedSpans());
    expect(operation?.spanContext().traceId).toBe(traceId);
    expect(operation?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(t.sandbox.users.log[0]?.headers['traceparent']).toMatch(new RegExp(`^00-${traceId}-`));
  });

  it('marks a failed operation and its failed upstream call as errors', async () => {
    t = await startTraced();
    t.sandbox.users.injectFault({ kind: 'status', status: 500 }, { times: 1 });
    await t.gql(`query Broken { users(accountId: "1001", first: 1) { totalCount } }`);
    const spans = t.exporter.getFinishedSpans();
    const [operation] = serverSpans(spans);
    expect(operation?.status).toMatchObject({ code: 2, message: 'UPSTREAM_ERROR' });
    expect(clientSpans(spans)[0]?.attributes['error.type']).toBe('500');
  });

  it('without a tracer no span exists and no traceparent goes upstream', async () => {
    t = await startTraced(false);
    await t.gql(`{ users(accountId: "1001", first: 2) { nodes { vcard { formattedName } } } }`);
    expect(t.sandbox.users.log).toHaveLength(1);
    expect(t.sandbox.vcard.log).toHaveLength(2);
    for (const r of [...t.sandbox.users.log, ...t.sandbox.vcard.log]) {
      expect(r.headers['traceparent']).toBeUndefined();
    }
    expect(t.exporter.getFinishedSpans()).toEqual([]);
  });

  it('startTracing exports over OTLP/HTTP to {endpoint}/v1/traces', async () => {
    const received: { path: string | undefined; body: string }[] = [];
    const collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as AddressInfo;
    const config = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}/` });
    expect(config.otelEndpoint).toBe(`http://127.0.0.1:${port}`);
    const tracing = await startTracing({
      endpoint: config.otelEndpoint!,
      serviceName: config.otelServiceName,
    });
    const sandbox = await startSandbox();
    const gateway = createGateway(sandboxConfig(loadConfig({ LOG_LEVEL: 'silent' }), sandbox), {
      tracer: tracing.tracer,
    });
    try {
      await gateway.yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: 'query Exported { users(accountId: "1002") { totalCount } }',
        }),
      });
      await tracing.shutdown();
    } finally {
      await gateway.close();
      await sandbox.close();
      await new Promise<void>((resolve) => collector.close(() => resolve()));
    }
    expect(received.map((r) => r.path)).toEqual(['/v1/traces']);
    const body = received[0]?.body ?? '';
    expect(body).toContain('query Exported');
    expect(body).toContain('GET /accounts/:account_id/users');
    expect(body).toContain('telecom-directory-gateway');
  });
});
