// Regression tests of issue #16's defects on the upstream layer (1, 6, 7, 13, and the start of the
// deadline of 9), each counted from the simulators' request logs. Each failed on the code before
// the fix.
import { afterEach, describe, expect, it } from 'vitest';
import { arrivedAt } from '../../src/context.js';
import { codes, startHarness } from '../support/harness.js';
import type { GraphQLResponse, Harness } from '../support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function userIds(harness: Harness, accountId: string): string[] {
  return (harness.sandbox.dataset.accounts.get(accountId) ?? []).map((r) => String(r.id));
}

/** The users API's single-user envelope around `data`. */
function singleEnvelope(data: unknown): string {
  return JSON.stringify({
    page_size: 1,
    page: 1,
    total_pages: 1,
    total_items: 1,
    _embedded: { data },
  });
}

describe('defect 1: _entities with the in-memory cache', () => {
  it('resolves entities on a miss and on a hit (values handed out are never the stored ones)', async () => {
    h = await startHarness({ env: { CACHE_TTL_MS: '60000' } });
    const [id] = userIds(h, '1001');
    const query = `{ _entities(representations: [{ __typename: "User", accountId: "1001", userId: "${id}" }]) { ... on User { userId } } }`;
    for (const expectedCalls of [1, 1]) {
      const res = await h.gql(query);
      expect(res.errors).toBeUndefined();
      expect(res.data).toEqual({ _entities: [{ userId: id }] });
      expect(h.calls().user).toBe(expectedCalls);
    }
    expect(h.gateway.services.cache?.users.stats.hits).toBe(1);
  });
});

describe('defect 6: redirects are upstream errors, never data', () => {
  it.each([301, 302, 307, 308])(
    'a %i with a well-formed JSON body is UPSTREAM_ERROR with its status',
    async (status) => {
      h = await startHarness();
      const [id] = userIds(h, '1001');
      h.sandbox.users.injectFault({
        kind: 'status',
        status,
        contentType: 'application/json',
        body: singleEnvelope({ id: Number(id), first_name: 'Redirected' }),
      });
      const res = await h.gql(`{ user(accountId: "1001", userId: "${id}") { firstName } }`);
      expect(res.data).toEqual({ user: null });
      expect(codes(res)).toEqual(['UPSTREAM_ERROR']);
      expect(res.errors?.[0]?.extensions).toMatchObject({ upstream: 'users', status });
      expect(JSON.stringify(res)).not.toContain('Redirected');
      expect(h.calls().user).toBe(1);
    },
  );

  it('a 304 the gateway did not ask for is an upstream error too', async () => {
    h = await startHarness();
    h.sandbox.users.injectFault({ kind: 'status', status: 304, body: '' });
    const res = await h.gql(`{ users(accountId: "1001", first: 1) { totalCount } }`);
    expect(codes(res)).toEqual(['UPSTREAM_ERROR']);
    expect(res.errors?.[0]?.extensions).toMatchObject({ upstream: 'users', status: 304 });
  });
});

describe('defect 7: the user id in the answer is checked', () => {
  it('another user’s record is UPSTREAM_ERROR, not cached, and no vCard is fetched for it', async () => {
    h = await startHarness({ env: { CACHE_TTL_MS: '60000' } });
    const [asked, other] = userIds(h, '1001');
    h.sandbox.users.injectFault(
      {
        kind: 'status',
        status: 200,
        contentType: 'application/json',
        body: singleEnvelope({ id: Number(other), first_name: 'Someone else' }),
      },
      { match: new RegExp(`/users/${asked}$`) },
    );
    const query = `{ user(accountId: "1001", userId: "${asked}") { userId firstName vcard { formattedName } } }`;
    const res = await h.gql(query);
    expect(res.data).toEqual({ user: null });
    expect(codes(res)).toEqual(['UPSTREAM_ERROR']);
    expect(res.errors?.[0]?.extensions).toMatchObject({ upstream: 'users', status: 200 });
    expect(JSON.stringify(res)).not.toContain('Someone else');
    expect(h.calls()).toEqual({ list: 0, user: 1, vcard: 0, apiAuth: 0 });
    // Nothing was kept under the asked id: the next request asks the upstream again.
    const again = await h.gql(query);
    expect(again.errors).toBeUndefined();
    expect((again.data?.['user'] as { userId: string }).userId).toBe(asked);
    expect(h.calls()).toEqual({ list: 0, user: 2, vcard: 1, apiAuth: 0 });
  });

  it('the same id with leading zeros is the same user', async () => {
    h = await startHarness();
    const [id] = userIds(h, '1001');
    h.sandbox.users.injectFault({
      kind: 'status',
      status: 200,
      contentType: 'application/json',
      body: singleEnvelope({ id: `000${id}` }),
    });
    const res = await h.gql(`{ user(accountId: "1001", userId: "${id}") { userId } }`);
    expect(res.errors).toBeUndefined();
  });
});

describe('defect 13: the token exchange belongs to no caller', () => {
  it('a first caller that hangs up during the exchange does not fail the others', async () => {
    h = await startHarness({
      sandbox: { vcard: { apiKey: 'key-1' } },
      env: { VCARD_API_KEY: 'key-1', VCARD_API_TOKEN: '' },
    });
    const [id] = userIds(h, '1001');
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    h.sandbox.vcard.injectFault({ kind: 'until', until: held }, { match: /\/api_auth$/ });
    const query = `{ vcard(accountId: "1001", userId: "${id}") { formattedName } }`;
    const { gateway } = h;
    const post = async (signal?: AbortSignal): Promise<Response> =>
      gateway.yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query }),
        ...(signal === undefined ? {} : { signal }),
      });
    const leaving = new AbortController();
    const first = post(leaving.signal).catch((error: unknown) => error);
    const harness = h;
    await waitFor(() => harness.calls().apiAuth === 1);
    const second = post();
    await new Promise((resolve) => setTimeout(resolve, 50));
    leaving.abort();
    await first;
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    const res = (await (await second).json()) as GraphQLResponse;
    expect(res.errors).toBeUndefined();
    expect(res.data?.['vcard']).not.toBeNull();
    expect(h.calls().apiAuth).toBe(1);
  });
});

describe('defect 9 (upstream part): the deadline starts when the request arrives', () => {
  it('time spent before the context is built counts against REQUEST_DEADLINE_MS', async () => {
    h = await startHarness({ env: { REQUEST_DEADLINE_MS: '600', UPSTREAM_TIMEOUT_MS: '5000' } });
    h.sandbox.users.injectFault({ kind: 'delay', ms: 300 });
    const request = new Request('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: `{ users(accountId: "1001", first: 1) { totalCount } }` }),
    });
    // What the server does on arrival; then the body takes 400 ms to come in.
    const arrived = arrivedAt(request);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(arrivedAt(request)).toBe(arrived);
    const res = (await (await h.gateway.yoga.fetch(request)).json()) as GraphQLResponse;
    // 600 ms from arrival leave ~200 ms for an upstream that takes 300 ms.
    expect(codes(res)).toEqual(['UPSTREAM_TIMEOUT']);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  const until = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in 5 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
