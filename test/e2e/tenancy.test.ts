// Tenant policies end to end (issue #18), counted from the simulators' request logs: the per-request
// call cap, 429s that slow one credential without opening the shared breaker, in-flight sharing
// keyed by credential, the rate budget, and their metrics.
import { afterEach, describe, expect, it } from 'vitest';
import { codes, startHarness } from '../support/harness.js';
import type { GraphQLResponse, Harness } from '../support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const LIST_WITH_CARDS = `{ users(accountId: "1003", first: 50) { nodes { userId vcard { formattedName } } } }`;

const as = (token: string): Record<string, string> => ({
  authorization: `Bearer ${token}`,
  'x-auth-token': token,
});

async function metricsText(harness: Harness): Promise<string> {
  return (await harness.gateway.yoga.fetch('http://localhost/metrics')).text();
}

describe('MAX_UPSTREAM_CALLS_PER_REQUEST', () => {
  it('fails the fields beyond the cap with UPSTREAM_CALL_LIMIT and makes no call for them', async () => {
    h = await startHarness({ env: { MAX_UPSTREAM_CALLS_PER_REQUEST: '10' } });
    const res = await h.gql(LIST_WITH_CARDS);
    expect(h.calls()).toEqual({ list: 1, user: 0, vcard: 9, apiAuth: 0 });
    const nodes = (res.data?.['users'] as { nodes: { vcard: unknown }[] }).nodes;
    expect(nodes).toHaveLength(50);
    expect(codes(res)).toEqual(Array.from({ length: 41 }, () => 'UPSTREAM_CALL_LIMIT'));
    expect(res.errors?.[0]?.message).toContain('MAX_UPSTREAM_CALLS_PER_REQUEST');
    expect(res.errors?.[0]?.extensions?.['upstream']).toBe('vcard');
    expect(await metricsText(h)).toContain('upstream_call_cap_refused_total{upstream="vcard"} 41');
  });

  it('counts the operations of a batch together', async () => {
    h = await startHarness({ env: { MAX_UPSTREAM_CALLS_PER_REQUEST: '60' } });
    const response = await h.gateway.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify([{ query: LIST_WITH_CARDS }, { query: LIST_WITH_CARDS }]),
    });
    const results = (await response.json()) as GraphQLResponse[];
    expect(results).toHaveLength(2);
    // Counted as asked, before in-flight sharing: the two operations' identical calls may share.
    const calls = h.calls();
    expect(calls.list + calls.vcard).toBeLessThanOrEqual(60);
    const refused = results.flatMap((r) => codes(r)).filter((c) => c === 'UPSTREAM_CALL_LIMIT');
    expect(refused).toHaveLength(42);
  });
});

describe('429 is about one credential', () => {
  it("one credential's 429s leave the shared circuit closed for the others (opened it before)", async () => {
    h = await startHarness({ hooks: { breakerThreshold: 10, credentialBackoffMs: 1 } });
    h.sandbox.users.injectFault(
      { kind: 'status', status: 429 },
      { times: Infinity, match: /accounts\/1001\// },
    );
    for (let i = 0; i < 4; i++) {
      const res = await h.gql(`{ users(accountId: "1001", first: 1) { totalCount } }`, {}, as('a'));
      expect(codes(res)).toEqual(['UPSTREAM_ERROR']);
      expect(res.errors?.[0]?.extensions?.['status']).toBe(429);
    }
    expect(h.calls().list).toBe(12);
    const other = await h.gql(`{ users(accountId: "1002", first: 1) { totalCount } }`, {}, as('b'));
    expect(other.errors).toBeUndefined();
    expect(h.gateway.services.breakers.users.state).toBe('closed');
  });

  it('a credential answered 429 with Retry-After waits (or fails at once past its deadline); others do not', async () => {
    h = await startHarness({ env: { REQUEST_DEADLINE_MS: '600' } });
    h.sandbox.users.injectFault(
      { kind: 'status', status: 429, retryAfter: '2' },
      { times: 1, match: /accounts\/1001\// },
    );
    const first = await h.gql(`{ users(accountId: "1001", first: 1) { totalCount } }`, {}, as('a'));
    expect(codes(first)).toEqual(['UPSTREAM_ERROR']);
    expect(h.calls().list).toBe(1);
    h.resetCalls();
    const started = Date.now();
    const again = await h.gql(`{ users(accountId: "1001", first: 1) { totalCount } }`, {}, as('a'));
    expect(Date.now() - started).toBeLessThan(500);
    expect(codes(again)).toEqual(['UPSTREAM_ERROR']);
    expect(again.errors?.[0]?.message).toContain('rate-limiting these credentials');
    expect(again.errors?.[0]?.extensions?.['status']).toBe(429);
    expect(h.calls().list).toBe(0);
    const other = await h.gql(`{ users(accountId: "1001", first: 1) { totalCount } }`, {}, as('b'));
    expect(other.errors).toBeUndefined();
    expect(h.calls().list).toBe(1);
    const text = await metricsText(h);
    expect(text).toContain('upstream_credential_throttled_total{upstream="users"} 1');
    expect(text).toContain(
      'upstream_credential_backoff_seconds_count{upstream="users",outcome="refused"} 1',
    );
  });
});

describe('in-flight sharing across requests', () => {
  const QUERY = `query($id: ID!) { user(accountId: "1001", userId: $id) { firstName vcard { formattedName } } }`;

  async function fifty(harness: Harness, headers: (i: number) => Record<string, string>) {
    const list = await harness.gql(`{ users(accountId: "1001", first: 1) { nodes { userId } } }`);
    const id = (list.data?.['users'] as { nodes: { userId: string }[] }).nodes[0]?.userId;
    harness.resetCalls();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => harness.gql(QUERY, { id }, headers(i))),
    );
    for (const r of results) {
      expect(r.errors).toBeUndefined();
      expect(r.data?.['user']).not.toBeNull();
    }
    return harness.calls();
  }

  it('50 concurrent identical queries with one credential: at most 2 calls per resource', async () => {
    h = await startHarness();
    h.sandbox.users.latencyMs = 150;
    h.sandbox.vcard.latencyMs = 150;
    const calls = await fifty(h, () => as('same'));
    expect(calls.user).toBeGreaterThanOrEqual(1);
    expect(calls.user).toBeLessThanOrEqual(2);
    expect(calls.vcard).toBeGreaterThanOrEqual(1);
    expect(calls.vcard).toBeLessThanOrEqual(2);
    expect(await metricsText(h)).toMatch(/upstream_dedupe_hits_total\{upstream="users"\} 4[89]/);
  });

  it('with 50 credentials, 50 calls: different credentials never share', async () => {
    h = await startHarness();
    h.sandbox.users.latencyMs = 150;
    h.sandbox.vcard.latencyMs = 150;
    const calls = await fifty(h, (i) => as(`t${i}`));
    expect(calls).toMatchObject({ user: 50, vcard: 50 });
  });

  it('UPSTREAM_DEDUPE=false turns it off', async () => {
    h = await startHarness({ env: { UPSTREAM_DEDUPE: 'false' } });
    h.sandbox.users.latencyMs = 150;
    h.sandbox.vcard.latencyMs = 150;
    const calls = await fifty(h, () => as('same'));
    expect(calls).toMatchObject({ user: 50, vcard: 50 });
  });
});

describe('rate budget (one instance, no Redis)', () => {
  it('spaces calls at the budget and fails with UPSTREAM_ERROR naming it when the deadline cannot be met', async () => {
    h = await startHarness({ env: { USERS_API_RATE_LIMIT: '10', REQUEST_DEADLINE_MS: '450' } });
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        h?.gql(`{ users(accountId: "1001", first: ${i + 1}) { totalCount } }`),
      ),
    );
    const ok = results.filter((r) => r?.errors === undefined).length;
    const refused = results.filter((r) =>
      r?.errors?.some((e) => e.message.includes('USERS_API_RATE_LIMIT=10/s')),
    ).length;
    // 10/s: one call every 100 ms; a 450 ms deadline leaves room for the slots at 0..400 ms (the
    // last of which may then run out of time on a loaded machine: UPSTREAM_TIMEOUT).
    const late = results.filter((r) => r !== undefined && codes(r).includes('UPSTREAM_TIMEOUT'));
    expect(ok).toBeGreaterThanOrEqual(3);
    expect(refused).toBeGreaterThanOrEqual(3);
    expect(ok + refused + late.length).toBe(8);
    const times = h.sandbox.users.log.map((r) => r.at).sort((a, b) => a - b);
    expect(times.length).toBeGreaterThanOrEqual(ok);
    expect(times.length).toBeLessThanOrEqual(8 - refused);
    // No call before its slot (a loaded event loop can only make one late).
    times.forEach((t, i) => expect(t - started).toBeGreaterThanOrEqual(i * 100 - 5));
    const text = await metricsText(h);
    expect(text).toContain(`upstream_rate_budget_refused_total{upstream="users"} ${refused}`);
    expect(text).toContain('upstream_rate_budget_wait_seconds_count{upstream="users"}');
  });
});
