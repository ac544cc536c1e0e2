// Fault matrix end to end: every fault the simulators can inject, on both upstreams (the users list
// and User.vcard), through the GraphQL gateway. Each gives the contract's error with the exact
// number of upstream attempts, never echoes the upstream body, and the next request (fault cleared)
// is served normally. The last block runs the same matrix over a real socket, so "never a crash"
// also holds at the HTTP server level.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { usersWithVcardFormat } from '../../sandbox/index.js';
import type { Fault } from '../../sandbox/index.js';
import { startHarness } from '../support/harness.js';
import type { GraphQLResponse, Harness } from '../support/harness.js';
import { until } from '../support/until.js';

const TIMEOUT_MS = 300;
const MAX_BODY_BYTES = 64 * 1024;
/** Put into every injected body: it must never reach a client. */
const SECRET = 'SECRET-upstream-internals at /srv/app/handler.js:42';

type Api = 'users API' | 'vcard API';

interface FaultCase {
  name: string;
  fault: Fault;
  /** Default Infinity: the fault answers every attempt, so retries cannot hide it. */
  times?: number;
  /** Absent: the request succeeds. */
  error?: {
    code: 'UPSTREAM_ERROR' | 'UPSTREAM_TIMEOUT';
    /** The upstream status in extensions.status; undefined when no answer was read. */
    status: number | undefined;
    message: (api: Api) => string;
  };
  /** Attempts the upstream saw for the failing call (retries included). */
  attempts: number;
}

// 2 retries of idempotent calls (3 attempts) on 429/502/503/504 and dropped connections; a timeout,
// a 500 and an unreadable body are final at once.
const CASES: FaultCase[] = [
  {
    name: 'latency spike below the timeout',
    fault: { kind: 'delay', ms: 40 },
    times: 1,
    attempts: 1,
  },
  {
    name: 'latency spike above UPSTREAM_TIMEOUT_MS',
    fault: { kind: 'delay', ms: 10_000 },
    times: 1,
    error: { code: 'UPSTREAM_TIMEOUT', status: undefined, message: timedOut },
    attempts: 1,
  },
  {
    name: '500 storm (not retried)',
    fault: { kind: 'status', status: 500, body: JSON.stringify({ error: SECRET }) },
    error: {
      code: 'UPSTREAM_ERROR',
      status: 500,
      message: (api) => `The ${api} answered HTTP 500.`,
    },
    attempts: 1,
  },
  ...[502, 503, 504].map((status): FaultCase => ({
    name: `${status} storm (retried twice)`,
    fault: { kind: 'status', status, body: JSON.stringify({ error: SECRET }) },
    error: {
      code: 'UPSTREAM_ERROR',
      status,
      message: (api) => `The ${api} answered HTTP ${status} after 3 attempts.`,
    },
    attempts: 3,
  })),
  {
    name: '429 storm with Retry-After: 0',
    fault: { kind: 'status', status: 429, retryAfter: '0' },
    error: {
      code: 'UPSTREAM_ERROR',
      status: 429,
      message: (api) => `The ${api} answered HTTP 429 after 3 attempts.`,
    },
    attempts: 3,
  },
  {
    name: 'hang',
    fault: { kind: 'hang' },
    error: { code: 'UPSTREAM_TIMEOUT', status: undefined, message: timedOut },
    attempts: 1,
  },
  {
    name: 'connection reset on every attempt',
    fault: { kind: 'reset' },
    error: {
      code: 'UPSTREAM_ERROR',
      status: undefined,
      message: (api) => `The connection to the ${api} failed after 3 attempts.`,
    },
    attempts: 3,
  },
  {
    name: 'truncated body on every attempt',
    fault: { kind: 'truncate' },
    error: {
      code: 'UPSTREAM_ERROR',
      status: undefined,
      message: (api) => `The connection to the ${api} failed after 3 attempts.`,
    },
    attempts: 3,
  },
  {
    name: 'one connection reset, then the answer',
    fault: { kind: 'reset' },
    times: 1,
    attempts: 2,
  },
  {
    name: 'one truncated body, then the answer',
    fault: { kind: 'truncate' },
    times: 1,
    attempts: 2,
  },
  {
    name: 'malformed JSON',
    fault: { kind: 'malformed' },
    error: { code: 'UPSTREAM_ERROR', status: 200, message: unreadable },
    attempts: 1,
  },
  {
    name: 'wrong content type (a 200 HTML maintenance page)',
    fault: {
      kind: 'status',
      status: 200,
      contentType: 'text/html; charset=utf-8',
      body: `<h1>Maintenance</h1><p>${SECRET}</p>`,
    },
    error: { code: 'UPSTREAM_ERROR', status: 200, message: unreadable },
    attempts: 1,
  },
  {
    name: 'JSON of the wrong shape',
    fault: { kind: 'status', status: 200, body: JSON.stringify({ unexpected: SECRET }) },
    error: { code: 'UPSTREAM_ERROR', status: 200, message: unreadable },
    attempts: 1,
  },
  {
    name: 'huge body over UPSTREAM_MAX_BODY_BYTES (content-length)',
    fault: { kind: 'huge-body', bytes: 4 * MAX_BODY_BYTES },
    error: { code: 'UPSTREAM_ERROR', status: 200, message: tooLarge },
    attempts: 1,
  },
  {
    name: 'huge body over UPSTREAM_MAX_BODY_BYTES (chunked, no content-length)',
    fault: { kind: 'huge-body', bytes: 4 * MAX_BODY_BYTES, chunked: true },
    error: { code: 'UPSTREAM_ERROR', status: 200, message: tooLarge },
    attempts: 1,
  },
];

function timedOut(api: Api): string {
  return `The ${api} did not answer in time.`;
}
function unreadable(api: Api): string {
  return `The ${api} sent a response the gateway cannot read.`;
}
function tooLarge(api: Api): string {
  return `The ${api} sent a response larger than the gateway accepts.`;
}

interface Target {
  upstream: 'users' | 'vcard';
  api: Api;
  query: string;
  variables: () => Record<string, unknown>;
  /** Path of the failing field, and what the rest of the answer holds then. */
  path: (string | number)[];
  dataOnError: (baseline: GraphQLResponse['data']) => unknown;
  /** Upstream calls of one successful request, by kind. */
  calls: { list: number; user: number; vcard: number };
  /** The simulator the fault goes to. */
  simulator: (h: Harness) => Harness['sandbox']['users'] | Harness['sandbox']['vcard'];
}

let h: Harness;
let jsonUserId = '';

const TARGETS: Target[] = [
  {
    upstream: 'users',
    api: 'users API',
    query: `{ users(accountId: "1001", first: 3) { totalCount nodes { userId firstName lastName } } }`,
    variables: () => ({}),
    path: ['users'],
    // users is non-null: the error nulls the whole answer.
    dataOnError: () => null,
    calls: { list: 1, user: 0, vcard: 0 },
    simulator: (harness) => harness.sandbox.users,
  },
  {
    upstream: 'vcard',
    api: 'vcard API',
    query: `query($id: ID!) { user(accountId: "1001", userId: $id) { userId firstName vcard { formattedName emails } } }`,
    variables: () => ({ id: jsonUserId }),
    path: ['user', 'vcard'],
    // The user itself is still served; only its card is null.
    dataOnError: (baseline) => {
      const user = baseline?.['user'] as Record<string, unknown>;
      return { user: { ...user, vcard: null } };
    },
    calls: { list: 0, user: 1, vcard: 1 },
    simulator: (harness) => harness.sandbox.vcard,
  },
];

const ENV = {
  UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
  UPSTREAM_MAX_BODY_BYTES: String(MAX_BODY_BYTES),
};

beforeAll(async () => {
  h = await startHarness({ env: ENV });
  const record = usersWithVcardFormat(h.sandbox.dataset, '1001', 'application/json')[0];
  jsonUserId = String(record?.id);
});
afterAll(() => h.close());

/** What one request without any fault answers, and costs. */
async function baselineOf(target: Target): Promise<GraphQLResponse['data']> {
  h.resetCalls();
  const res = await h.gql(target.query, target.variables());
  expect(res.errors).toBeUndefined();
  expect(h.calls()).toEqual({ ...target.calls, apiAuth: 0 });
  h.resetCalls();
  return res.data;
}

function expectContractError(
  target: Target,
  kase: FaultCase,
  res: GraphQLResponse,
  baseline: GraphQLResponse['data'],
): void {
  const error = kase.error;
  if (error === undefined) throw new Error('expected an error case');
  expect(res.errors).toHaveLength(1);
  const [only] = res.errors ?? [];
  expect(only?.path).toEqual(target.path);
  expect(only?.message).toBe(error.message(target.api));
  const extensions = only?.extensions ?? {};
  expect(extensions['code']).toBe(error.code);
  expect(extensions['upstream']).toBe(target.upstream);
  expect(extensions['status']).toBe(error.status);
  // The vcard API sends X-Request-ID on every answer it completes; it is reported back.
  if (target.upstream === 'vcard' && error.status !== undefined) {
    expect(extensions['requestId']).toMatch(/^vcard-[0-9a-f]{8}$/);
  }
  expect(res.data ?? null).toEqual(target.dataOnError(baseline));
  // Nothing of the upstream's body reaches the client: no secret, no HTML, no half JSON.
  const text = JSON.stringify(res);
  expect(text).not.toContain('SECRET');
  expect(text).not.toContain('Maintenance');
  expect(text).not.toContain('xxxxxxxx');
  expect(text).not.toMatch(/stack|at \//);
}

afterEach(() => {
  // A failed assertion must not leave a fault queued for the next case.
  h.sandbox.users.clearFaults();
  h.sandbox.vcard.clearFaults();
});

for (const target of TARGETS) {
  describe(`${target.upstream} upstream: fault matrix through the gateway`, () => {
    let baseline: GraphQLResponse['data'];
    beforeAll(async () => {
      baseline = await baselineOf(target);
    });

    for (const kase of CASES) it(kase.name, () => faultCase(target, kase, baseline));
  });
}

async function faultCase(
  target: Target,
  kase: FaultCase,
  baseline: GraphQLResponse['data'],
): Promise<void> {
  const simulator = target.simulator(h);
  h.resetCalls();
  simulator.injectFault(kase.fault, { times: kase.times ?? Infinity });

  const res = await h.gql(target.query, target.variables());
  expect(res.status).toBe(200);
  if (kase.error === undefined) {
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual(baseline);
  } else {
    expectContractError(target, kase, res, baseline);
  }
  expect(h.calls()).toEqual({
    ...target.calls,
    [target.upstream === 'users' ? 'list' : 'vcard']: kase.attempts,
    apiAuth: 0,
  });

  // Fault cleared: the next request is served normally, at the normal cost.
  simulator.clearFaults();
  h.resetCalls();
  const next = await h.gql(target.query, target.variables());
  expect(next.errors).toBeUndefined();
  expect(next.data).toEqual(baseline);
  expect(h.calls()).toEqual({ ...target.calls, apiAuth: 0 });
  // Each failure was followed by a success: the breaker never opened on the way.
  expect(h.gateway.services.breakers[target.upstream].state).toBe('closed');
}

describe('the same faults over a real HTTP server', () => {
  let sh: Harness;
  let server: Server;
  let base = '';

  beforeAll(async () => {
    sh = await startHarness({ env: ENV });
    server = createServer(sh.gateway.yoga);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => {
    sh.sandbox.users.clearFaults();
    sh.sandbox.vcard.clearFaults();
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await sh.close();
  });

  const post = async (
    target: Target,
    signal?: AbortSignal,
  ): Promise<GraphQLResponse & { status: number }> => {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: target.query, variables: target.variables() }),
      ...(signal ? { signal } : {}),
    });
    return { ...((await res.json()) as GraphQLResponse), status: res.status };
  };

  for (const target of TARGETS) {
    it(`${target.upstream}: every fault answers over the socket and the server keeps serving`, async () => {
      const simulator = target.simulator(sh);
      const baseline = (await post(target)).data;
      for (const kase of CASES) {
        simulator.injectFault(kase.fault, { times: kase.times ?? Infinity });
        const res = await post(target);
        expect(res.status, kase.name).toBe(200);
        const code = res.errors?.[0]?.extensions?.['code'];
        expect(code, kase.name).toBe(kase.error?.code);
        simulator.clearFaults();

        const health = await fetch(`${base}/health`);
        expect(health.status, kase.name).toBe(200);
        const next = await post(target);
        expect(next.errors, kase.name).toBeUndefined();
        expect(next.data, kase.name).toEqual(baseline);
      }
      expect(server.listening).toBe(true);
    });
  }

  it('a client that gives up while the upstream hangs does not disturb the server', async () => {
    const [users] = TARGETS;
    if (users === undefined) throw new Error('no target');
    sh.sandbox.users.injectFault({ kind: 'hang' });
    const controller = new AbortController();
    const pending = post(users, controller.signal).catch((error: unknown) => error);
    await until(() => sh.sandbox.users.inFlight === 1);
    controller.abort();
    expect(await pending).toBeInstanceOf(Error);
    sh.sandbox.users.clearFaults();
    const next = await post(users);
    expect(next.errors).toBeUndefined();
    expect(sh.gateway.services.breakers.users.state).toBe('closed');
  });
});
