// Prometheus metrics read back through GET /metrics (the text exposition, parsed here): GraphQL
// operations by name and outcome, upstream attempts by status and retry, loader batch sizes and the
// circuit breaker gauge, each checked against the simulators' own request counts.
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayMetrics } from '../../src/observability/metrics.js';
import { startHarness } from '../support/harness.js';
import type { Harness } from '../support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The sample lines of a Prometheus text exposition (comments skipped). */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key!] = value!;
    }
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

async function scrape(harness: Harness): Promise<Sample[]> {
  const res = await harness.gateway.yoga.fetch('http://localhost/metrics');
  expect(res.status).toBe(200);
  return parseExposition(await res.text());
}

/** The samples of `name` whose labels include `labels`. */
function select(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = select(samples, name, labels);
  if (found.length !== 1)
    throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return found[0]!.value;
}

/** { "users 200 0": 1, … }: every upstream_requests_total series. */
function upstreamSeries(samples: Sample[]): Record<string, number> {
  return Object.fromEntries(
    select(samples, 'upstream_requests_total').map((s) => [
      `${s.labels['upstream']} ${s.labels['status']} ${s.labels['retry']}`,
      s.value,
    ]),
  );
}

async function userIds(harness: Harness, n: number): Promise<string[]> {
  const res = await harness.gql(`{ users(accountId: "1003", first: ${n}) { nodes { userId } } }`);
  return (res.data?.['users'] as { nodes: { userId: string }[] }).nodes.map((u) => u.userId);
}

describe('GET /metrics', () => {
  it('after 1 list call and 3 vCard calls shows exactly those upstream requests, the operation and the batches', async () => {
    h = await startHarness();
    const ids = await userIds(h, 3);
    const before = upstreamSeries(await scrape(h));
    expect(before).toEqual({ 'users 200 0': 1 });
    h.resetCalls();

    const res = await h.gql(
      `query ListCards { users(accountId: "1003", first: 3) { nodes { vcard { formattedName } } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(h.calls()).toEqual({ list: 1, user: 0, vcard: 3, apiAuth: 0 });

    const http = await h.gateway.yoga.fetch('http://localhost/metrics');
    expect(http.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await http.text();
    const samples = parseExposition(text);
    // The earlier list call plus this request's: users 2, vcard 3, all 200 on the first attempt.
    expect(upstreamSeries(samples)).toEqual({ 'users 200 0': 2, 'vcard 200 0': 3 });
    expect(
      value(samples, 'graphql_requests_total', { operation: 'ListCards', outcome: 'ok' }),
    ).toBe(1);
    expect(
      value(samples, 'graphql_request_duration_seconds_count', { operation: 'ListCards' }),
    ).toBe(1);
    expect(
      value(samples, 'upstream_request_duration_seconds_count', {
        upstream: 'vcard',
        route: '/accounts/:account_id/users/:user_id/vcard',
      }),
    ).toBe(3);
    expect(value(samples, 'loader_batch_size_count', { loader: 'vcard' })).toBe(1);
    expect(value(samples, 'loader_batch_size_sum', { loader: 'vcard' })).toBe(3);
    expect(value(samples, 'circuit_breaker_state', { upstream: 'users' })).toBe(0);
    expect(value(samples, 'circuit_breaker_state', { upstream: 'vcard' })).toBe(0);
    // Ids stay out of labels: neither the account nor any user appears anywhere.
    for (const id of ['1003', ...ids]) expect(text).not.toContain(id);
  });

  it('labels a retried attempt with its retry number', async () => {
    h = await startHarness();
    h.sandbox.users.injectFault({ kind: 'status', status: 503 }, { times: 1 });
    const res = await h.gql(`{ users(accountId: "1001", first: 1) { totalCount } }`);
    expect(res.errors).toBeUndefined();
    expect(h.calls().list).toBe(2);
    expect(upstreamSeries(await scrape(h))).toEqual({ 'users 503 0': 1, 'users 200 1': 1 });
  });

  it('counts timeouts by their kind, not a status', async () => {
    h = await startHarness({ env: { UPSTREAM_TIMEOUT_MS: '100' } });
    h.sandbox.users.injectFault({ kind: 'hang' }, { times: 1 });
    await h.gql(`{ users(accountId: "1001", first: 1) { totalCount } }`);
    expect(upstreamSeries(await scrape(h))).toEqual({ 'users timeout 0': 1 });
  });

  it('loader batch histograms add up to the keys loaded and the calls made', async () => {
    h = await startHarness();
    const ids = await userIds(h, 5);
    h.resetCalls();
    // One batch of 3 single-user loads; one of 5 vCards; then another request with one of 2.
    const res = await h.gql(
      `query($a: ID!, $b: ID!, $c: ID!) {
        a: user(accountId: "1003", userId: $a) { userId }
        b: user(accountId: "1003", userId: $b) { userId }
        c: user(accountId: "1003", userId: $c) { userId }
        users(accountId: "1003", first: 5) { nodes { vcard { formattedName } } }
      }`,
      { a: ids[0], b: ids[1], c: ids[2] },
    );
    expect(res.errors).toBeUndefined();
    await h.gql(`{ users(accountId: "1003", first: 2) { nodes { vcard { formattedName } } } }`);
    const samples = await scrape(h);
    // The users listed in the same request are served from the page, yet still pass the loader.
    expect(h.calls()).toEqual({ list: 2, user: 0, vcard: 7, apiAuth: 0 });
    expect(value(samples, 'loader_batch_size_count', { loader: 'user' })).toBe(1);
    expect(value(samples, 'loader_batch_size_sum', { loader: 'user' })).toBe(3);
    expect(value(samples, 'loader_batch_size_count', { loader: 'vcard' })).toBe(2);
    expect(value(samples, 'loader_batch_size_sum', { loader: 'vcard' })).toBe(7);
    // The first request (userIds) plus these two.
    expect(value(samples, 'loader_batch_size_count', { loader: 'usersPage' })).toBe(3);
    expect(value(samples, 'loader_batch_size_sum', { loader: 'usersPage' })).toBe(3);
    expect(value(samples, 'loader_batch_size_bucket', { loader: 'vcard', le: '2' })).toBe(1);
    expect(value(samples, 'loader_batch_size_bucket', { loader: 'vcard', le: '5' })).toBe(2);
  });

  it('the breaker gauge goes to 2 (open) after the threshold and back to 0 after a good probe', async () => {
    h = await startHarness({ hooks: { breakerThreshold: 3, breakerCooldownMs: 200 } });
    h.sandbox.users.injectFault({ kind: 'status', status: 503 }, { times: 3 });
    await h.gql(`{ users(accountId: "1001", first: 1) { totalCount } }`);
    expect(h.gateway.services.breakers.users.state).toBe('open');
    let samples = await scrape(h);
    expect(value(samples, 'circuit_breaker_state', { upstream: 'users' })).toBe(2);
    expect(value(samples, 'circuit_breaker_state', { upstream: 'vcard' })).toBe(0);

    await h.gql(`{ users(accountId: "1001", first: 1) { totalCount } }`);
    samples = await scrape(h);
    expect(upstreamSeries(samples)).toEqual({
      'users 503 0': 1,
      'users 503 1': 1,
      'users 503 2': 1,
      'users circuit-open 0': 1,
    });

    await new Promise((resolve) => setTimeout(resolve, 250));
    const recovered = await h.gql(`{ users(accountId: "1001", first: 1) { totalCount } }`);
    expect(recovered.errors).toBeUndefined();
    expect(value(await scrape(h), 'circuit_breaker_state', { upstream: 'users' })).toBe(0);
  });

  it('counts GraphQL operations by name and outcome: ok, partial, error codes, anonymous, streamed', async () => {
    h = await startHarness();
    const ids = await userIds(h, 2);
    h.sandbox.vcard.injectFault(
      { kind: 'status', status: 500 },
      { times: 1, match: new RegExp(`/users/${ids[1]}/vcard$`) },
    );
    const partial = await h.gql(
      `query Part { users(accountId: "1003", first: 2) { nodes { vcard { formattedName } } } }`,
    );
    expect(partial.errors).toHaveLength(1);
    expect(partial.data).not.toBeNull();
    await h.gql(`query Ok { users(accountId: "1002") { totalCount } }`);
    await h.gql(`query Ok { users(accountId: "1002") { totalCount } }`);
    await h.gql(`query Bad { users(accountId: "1001", first: -1) { totalCount } }`);
    await h.gql(`query NotFound { users(accountId: "9999") { totalCount } }`);
    await h.gql(`query Invalid { nope }`);
    const deferred = await h.gateway.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'multipart/mixed' },
      body: JSON.stringify({
        query: `query Deferred { users(accountId: "1001", first: 2) {
          nodes { userId ... @defer { vcard { formattedName } } } } }`,
      }),
    });
    expect(await deferred.text()).toContain('formattedName');
    const badJson = await h.gateway.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(badJson.status).toBe(400);

    const samples = await scrape(h);
    const series = Object.fromEntries(
      select(samples, 'graphql_requests_total').map((s) => [
        `${s.labels['operation']} ${s.labels['outcome']}`,
        s.value,
      ]),
    );
    expect(series).toEqual({
      'anonymous ok': 1,
      'Part partial': 1,
      'Ok ok': 2,
      'Bad BAD_USER_INPUT': 1,
      'NotFound NOT_FOUND': 1,
      'Invalid GRAPHQL_VALIDATION_FAILED': 1,
      'Deferred ok': 1,
      'anonymous BAD_REQUEST': 1,
    });
    expect(value(samples, 'graphql_request_duration_seconds_count', { operation: 'Ok' })).toBe(2);
    expect(
      value(samples, 'graphql_request_duration_seconds_count', { operation: 'Deferred' }),
    ).toBe(1);
  });

  it('counts each operation of a batched request on its own', async () => {
    h = await startHarness();
    const res = await h.gateway.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify([
        { query: 'query First { users(accountId: "1002") { totalCount } }' },
        { query: 'query Second { users(accountId: "1001", first: -1) { totalCount } }' },
      ]),
    });
    expect(res.status).toBe(200);
    const samples = await scrape(h);
    expect(value(samples, 'graphql_requests_total', { operation: 'First', outcome: 'ok' })).toBe(1);
    expect(
      value(samples, 'graphql_requests_total', { operation: 'Second', outcome: 'BAD_USER_INPUT' }),
    ).toBe(1);
    expect(select(samples, 'graphql_requests_total')).toHaveLength(2);
  });

  it('caps the operation label: odd or surplus names are "other"', async () => {
    const metrics = new GatewayMetrics({ maxOperationNames: 2 });
    expect(metrics.operationLabel(undefined)).toBe('anonymous');
    expect(metrics.operationLabel('A')).toBe('A');
    expect(metrics.operationLabel('B')).toBe('B');
    expect(metrics.operationLabel('C')).toBe('other');
    expect(metrics.operationLabel('A')).toBe('A');
    expect(metrics.operationLabel('x'.repeat(65))).toBe('other');
    expect(metrics.operationLabel('a b')).toBe('other');
  });

  it('METRICS_ENABLED=false serves no /metrics', async () => {
    h = await startHarness({ env: { METRICS_ENABLED: 'false' } });
    expect((await h.gateway.yoga.fetch('http://localhost/metrics')).status).toBe(404);
  });

  it('two gateways in one process keep separate counts', async () => {
    h = await startHarness();
    const other = await startHarness();
    try {
      await h.gql(`{ users(accountId: "1002") { totalCount } }`);
      expect(upstreamSeries(await scrape(h))).toEqual({ 'users 200 0': 1 });
      expect(upstreamSeries(await scrape(other))).toEqual({});
    } finally {
      await other.close();
    }
  });
});
