// Batching, bounded fan-out, retries, timeouts, circuit breaking and credentials, counted from the
// simulators' request logs.
import { afterEach, describe, expect, it } from 'vitest';
import { codes, startHarness } from '../support/harness.js';
import type { Harness } from '../support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const LIST_WITH_CARDS = `{ users(accountId: "1003", first: 50) { nodes { userId
  extensions { number dids { phoneNumber } } vcard { formattedName } } } }`;

async function firstUserIds(harness: Harness, n: number): Promise<string[]> {
  const res = await harness.gql(`{ users(accountId: "1003", first: ${n}) { nodes { userId } } }`);
  harness.resetCalls();
  return (res.data?.['users'] as { nodes: { userId: string }[] }).nodes.map((u) => u.userId);
}

describe('batching and deduplication', () => {
  it('50 users with vCards plus aliases of the same users: 1 list call + 1 vCard call per distinct user', async () => {
    h = await startHarness();
    const ids = await firstUserIds(h, 50);
    const res = await h.gql(
      `query($a: ID!, $b: ID!) {
      users(accountId: "1003", first: 50) { nodes { userId extensions { number dids { phoneNumber } user { userId } } vcard { formattedName } } }
      again: users(accountId: "1003", first: 50) { totalCount }
      a: user(accountId: "1003", userId: $a) { vcard { formattedName } }
      b: user(accountId: "1003", userId: $b) { firstName }
      c: vcard(accountId: "1003", userId: $a) { formattedName }
    }`,
      { a: ids[0], b: ids[49] },
    );
    expect(res.errors).toBeUndefined();
    expect(h.calls()).toEqual({ list: 1, user: 0, vcard: 50, apiAuth: 0 });
  });

  // Each call takes 150 ms upstream, long enough for a whole wave to be sent before the first
  // answer on a loaded machine: the exact in-flight maximum is then the limit, not the timing.
  it('fans out at most UPSTREAM_MAX_CONCURRENCY requests at once', async () => {
    h = await startHarness({ env: { UPSTREAM_MAX_CONCURRENCY: '8' } });
    h.sandbox.vcard.latencyMs = 150;
    const res = await h.gql(LIST_WITH_CARDS);
    expect(res.errors).toBeUndefined();
    expect(h.calls().vcard).toBe(50);
    expect(h.sandbox.vcard.maxInFlight).toBe(8);
  });

  it('one request holds at most UPSTREAM_MAX_CONCURRENCY_PER_REQUEST (default 16) of the pool', async () => {
    h = await startHarness();
    h.sandbox.vcard.latencyMs = 150;
    const res = await h.gql(LIST_WITH_CARDS);
    expect(res.errors).toBeUndefined();
    expect(h.calls().vcard).toBe(50);
    expect(h.sandbox.vcard.maxInFlight).toBe(16);
  });

  it('50 calls waiting on one request raise no MaxListenersExceededWarning (one per request before)', async () => {
    h = await startHarness({ env: { UPSTREAM_MAX_CONCURRENCY_PER_REQUEST: '64' } });
    h.sandbox.vcard.latencyMs = 50;
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(`${warning.name}: ${warning.message}`);
    };
    process.on('warning', onWarning);
    try {
      const res = await h.gql(LIST_WITH_CARDS);
      expect(res.errors).toBeUndefined();
      expect(h.sandbox.vcard.maxInFlight).toBeGreaterThan(10);
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.includes('MaxListeners'))).toEqual([]);
  });

  it('sends a page of 50 vCards in one wave when the per-request share allows it', async () => {
    h = await startHarness({ env: { UPSTREAM_MAX_CONCURRENCY_PER_REQUEST: '64' } });
    h.sandbox.vcard.latencyMs = 150;
    await h.gql(LIST_WITH_CARDS);
    expect(h.sandbox.vcard.maxInFlight).toBe(50);
  });
});

describe('retries, timeouts and malformed answers', () => {
  it('retries a 429 after Retry-After, then succeeds', async () => {
    h = await startHarness();
    h.sandbox.users.injectFault({ kind: 'status', status: 429, retryAfter: '1' }, { times: 1 });
    const started = Date.now();
    const res = await h.gql(`{ users(accountId: "1001", first: 1) { totalCount } }`);
    expect(res.errors).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(h.calls().list).toBe(2);
  });

  it('retries 503 twice, then succeeds', async () => {
    h = await startHarness();
    h.sandbox.users.injectFault({ kind: 'status', status: 503 }, { times: 2 });
    const res = await h.gql(`{ users(accountId: "1001", first: 1) { totalCount } }`);
    expect(res.errors).toBeUndefined();
    expect(h.calls().list).toBe(3);
  });

  it('gives up after 2 retries with UPSTREAM_ERROR and the upstream status', async () => {
    h = await startHarness();
    h.sandbox.users.injectFault({ kind: 'status', status: 502 }, { times: 3 });
    const res = await h.gql(`{ users(accountId: "1001", first: 1) { totalCount } }`);
    expect(codes(res)).toEqual(['UPSTREAM_ERROR']);
    expect(res.errors?.[0]?.extensions).toMatchObject({ upstream: 'users', status: 502 });
    expect(h.calls().list).toBe(3);
  });

  it('does not wait for a Retry-After beyond the request deadline', async () => {
    h = await startHarness({ env: { REQUEST_DEADLINE_MS: '5000' } });
    h.sandbox.users.injectFault({ kind: 'status', status: 429, retryAfter: '30' }, { times: 1 });
    const started = Date.now();
    const res = await h.gql(`{ users(accountId: "1001", first: 1) { totalCount } }`);
    expect(codes(res)).toEqual(['UPSTREAM_ERROR']);
    // At once: neither the 30 s asked for nor the 5 s left of the deadline.
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('retries a connection reset', async () => {
    h = await startHarness();
    h.sandbox.users.injectFault({ kind: 'reset' }, { times: 1 });
    const res = await h.gql(`{ users(accountId: "1001", first: 1) { totalCount } }`);
    expect(res.errors).toBeUndefined();
    expect(h.calls().list).toBe(2);
  });

  it('a hang is UPSTREAM_TIMEOUT after UPSTREAM_TIMEOUT_MS, and the next request is served', async () => {
    h = await startHarness({ env: { UPSTREAM_TIMEOUT_MS: '200' } });
    h.sandbox.users.injectFault({ kind: 'hang' }, { times: 1 });
    const res = await h.gql(`{ users(accountId: "1001", first: 1) { totalCount } }`);
    expect(codes(res)).toEqual(['UPSTREAM_TIMEOUT']);
    expect(res.errors?.[0]?.extensions).toMatchObject({ upstream: 'users' });
    const next = await h.gql(`{ users(accountId: "1001", first: 1) { totalCount } }`);
    expect(next.errors).toBeUndefined();
  });

  it('malformed JSON is UPSTREAM_ERROR without the body in the message', async () => {
    h = await startHarness();
    h.sandbox.users.injectFault({ kind: 'malformed' }, { times: 1 });
    const res = await h.gql(`{ users(accountId: "1001", first: 1) { totalCount } }`);
    expect(codes(res)).toEqual(['UPSTREAM_ERROR']);
    expect(res.errors?.[0]?.message).toBe('The users API sent a response the gateway cannot read.');
  });

  it('one failing vCard leaves its siblings intact, with the error at its own path', async () => {
    h = await startHarness();
    const ids = await firstUserIds(h, 3);
    h.sandbox.vcard.injectFault(
      {
        kind: 'status',
        status: 500,
        body: '{"code":"boom","message":"secret internals","request_id":"rq-77"}',
        contentType: 'application/json',
      },
      { times: 3, match: new RegExp(`/users/${ids[1]}/vcard$`) },
    );
    const res = await h.gql(
      `{ users(accountId: "1003", first: 3) { nodes { userId vcard { formattedName } } } }`,
    );
    const nodes = (res.data?.['users'] as { nodes: { vcard: unknown }[] }).nodes;
    expect(nodes[1]?.vcard).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0]?.path).toEqual(['users', 'nodes', 1, 'vcard']);
    expect(res.errors?.[0]?.extensions).toEqual({
      code: 'UPSTREAM_ERROR',
      upstream: 'vcard',
      status: 500,
      requestId: 'rq-77',
    });
    expect(JSON.stringify(res)).not.toContain('secret internals');
  });

  it('the circuit opens after repeated failures, answers at once, and recovers after a probe', async () => {
    h = await startHarness({ hooks: { breakerThreshold: 3, breakerCooldownMs: 300 } });
    h.sandbox.users.injectFault({ kind: 'status', status: 503 }, { times: 3 });
    const failing = await h.gql(`{ users(accountId: "1001", first: 1) { totalCount } }`);
    expect(codes(failing)).toEqual(['UPSTREAM_ERROR']);
    expect(h.gateway.services.breakers.users.state).toBe('open');
    h.resetCalls();
    const refused = await h.gql(`{ users(accountId: "1001", first: 1) { totalCount } }`);
    expect(codes(refused)).toEqual(['UPSTREAM_ERROR']);
    expect(refused.errors?.[0]?.message).toMatch(/stopped calling it/);
    expect(h.calls().list).toBe(0);
    await new Promise((r) => setTimeout(r, 350));
    const recovered = await h.gql(`{ users(accountId: "1001", first: 1) { totalCount } }`);
    expect(recovered.errors).toBeUndefined();
    expect(h.gateway.services.breakers.users.state).toBe('closed');
  });
});

describe('credentials', () => {
  it('forwards Authorization to the users API and X-Auth-Token to the vcard API, nothing else', async () => {
    h = await startHarness({
      sandbox: { users: { requiredToken: 'u-token' }, vcard: { requiredToken: 'v-token' } },
    });
    const res = await h.gql(
      `{ users(accountId: "1001", first: 2) { nodes { vcard { formattedName } } } }`,
      undefined,
      {
        authorization: 'Bearer u-token',
        'x-auth-token': 'v-token',
        cookie: 'session=abc',
      },
    );
    expect(res.errors).toBeUndefined();
    const usersCall = h.sandbox.users.log[0];
    const vcardCall = h.sandbox.vcard.log[0];
    expect(usersCall?.headers['authorization']).toBe('Bearer u-token');
    expect(usersCall?.headers['x-auth-token']).toBeUndefined();
    expect(usersCall?.headers['cookie']).toBeUndefined();
    expect(vcardCall?.headers['x-auth-token']).toBe('v-token');
    expect(vcardCall?.headers['authorization']).toBeUndefined();
  });

  it('uses service tokens when the request has none; missing credentials are UNAUTHENTICATED', async () => {
    h = await startHarness({
      sandbox: { users: { requiredToken: 'svc' } },
      env: { USERS_API_TOKEN: 'svc' },
    });
    const ok = await h.gql(`{ users(accountId: "1001", first: 1) { totalCount } }`);
    expect(ok.errors).toBeUndefined();
    expect(h.sandbox.users.log[0]?.headers['authorization']).toBe('Bearer svc');
    const wrong = await h.gql(`{ users(accountId: "1001", first: 1) { totalCount } }`, undefined, {
      authorization: 'Bearer nope',
    });
    expect(codes(wrong)).toEqual(['UNAUTHENTICATED']);
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ upstream: 'users', status: 401 });
  });

  it('with no credential at all, users is UNAUTHENTICATED before any call', async () => {
    h = await startHarness({
      sandbox: { users: { requiredToken: 'svc' } },
      env: { USERS_API_TOKEN: '' },
    });
    const res = await h.gql(`{ users(accountId: "1001", first: 1) { totalCount } }`);
    expect(codes(res)).toEqual(['UNAUTHENTICATED']);
    expect(h.calls().list).toBe(0);
  });

  it('an upstream 403 is FORBIDDEN', async () => {
    h = await startHarness({ sandbox: { users: { forbiddenTokens: ['Bearer low'] } } });
    const res = await h.gql(`{ users(accountId: "1001", first: 1) { totalCount } }`, undefined, {
      authorization: 'Bearer low',
    });
    expect(codes(res)).toEqual(['FORBIDDEN']);
  });

  it('obtains a vcard token with VCARD_API_KEY and refreshes it once for 20 concurrent requests', async () => {
    h = await startHarness({
      sandbox: { vcard: { apiKey: 'key-1' } },
      env: { VCARD_API_KEY: 'key-1', VCARD_API_TOKEN: '' },
    });
    const ids = await firstUserIds(h, 20);
    const query = `query($id: ID!) { vcard(accountId: "1003", userId: $id) { formattedName } }`;
    const first = await h.gql(query, { id: ids[0] });
    expect(first.errors).toBeUndefined();
    expect(h.calls().apiAuth).toBe(1);
    h.sandbox.vcard.revokeTokens();
    h.resetCalls();
    const results = await Promise.all(ids.map((id) => h!.gql(query, { id })));
    for (const r of results) expect(r.errors).toBeUndefined();
    expect(h.calls().apiAuth).toBe(1);
    const secrets = JSON.stringify(results) + h.logs.join('');
    expect(secrets).not.toContain('key-1');
  });

  it('never writes credentials into logs or errors', async () => {
    h = await startHarness({ sandbox: { users: { requiredToken: 'right' } } });
    const res = await h.gql(`{ users(accountId: "1001", first: 1) { totalCount } }`, undefined, {
      authorization: 'Bearer very-secret-token',
      'x-auth-token': 'another-secret',
    });
    expect(codes(res)).toEqual(['UNAUTHENTICATED']);
    const everything = JSON.stringify(res) + h.logs.join('\n');
    expect(h.logs.length).toBeGreaterThan(0);
    expect(everything).not.toContain('very-secret-token');
    expect(everything).not.toContain('another-secret');
  });
});
