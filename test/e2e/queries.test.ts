// Every query field of the contract, end to end through yoga.fetch against the simulators, with the
// upstream calls each one costs.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { codes, startHarness } from '../support/harness.js';
import type { Harness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => h.resetCalls());

interface UpstreamUser {
  id: number;
  first_name?: string | null;
  extensions?: { extension_number: string; dids?: { phone_number: string }[] }[];
}

async function upstreamUsers(accountId: string, pageSize = 100): Promise<UpstreamUser[]> {
  const res = await fetch(
    `${h.sandbox.users.url}/accounts/${accountId}/users?page_size=${pageSize}`,
  );
  const body = (await res.json()) as { _embedded: { data: UpstreamUser[] } };
  h.resetCalls();
  return body._embedded.data;
}

const USER_FIELDS = `id accountId userId email loginName firstName lastName
  contactNumbers { type value }
  extensions { number dids { phoneNumber customTag } user { userId } }`;

describe('users', () => {
  it('lists the first page with extensions and DIDs in upstream order, in one list call', async () => {
    const expected = await upstreamUsers('1001');
    const res = await h.gql(`{ users(accountId: "1001", first: 5) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { ${USER_FIELDS} } } nodes { userId } } }`);
    expect(res.errors).toBeUndefined();
    const users = res.data?.['users'] as {
      totalCount: number;
      pageInfo: Record<string, unknown>;
      edges: {
        cursor: string;
        node: { userId: string; extensions: { number: string; user: { userId: string } }[] };
      }[];
      nodes: { userId: string }[];
    };
    expect(users.totalCount).toBe(expected.length);
    expect(users.edges.map((e) => e.node.userId)).toEqual(
      expected.slice(0, 5).map((u) => String(u.id)),
    );
    expect(users.nodes.map((n) => n.userId)).toEqual(users.edges.map((e) => e.node.userId));
    expect(users.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(users.pageInfo['startCursor']).toBe(users.edges[0]?.cursor);
    for (const [i, edge] of users.edges.entries()) {
      const upstream = expected[i];
      expect(edge.node.extensions.map((e) => e.number)).toEqual(
        (upstream?.extensions ?? []).map((e) => e.extension_number),
      );
      // Extension.user resolves from the primed loader: no single-user call below.
      for (const ext of edge.node.extensions) expect(ext.user.userId).toBe(edge.node.userId);
    }
    expect(h.calls()).toEqual({ list: 1, user: 0, vcard: 0, apiAuth: 0 });
  });

  it('pages forward with the end cursor to the next users', async () => {
    const expected = await upstreamUsers('1001');
    const first = await h.gql(`{ users(accountId: "1001", first: 4) { pageInfo { endCursor } } }`);
    const after = (first.data?.['users'] as { pageInfo: { endCursor: string } }).pageInfo.endCursor;
    const next = await h.gql(
      `query($after: String) { users(accountId: "1001", first: 4, after: $after) {
        pageInfo { hasPreviousPage } nodes { userId } } }`,
      { after },
    );
    const page = next.data?.['users'] as {
      pageInfo: { hasPreviousPage: boolean };
      nodes: { userId: string }[];
    };
    expect(page.nodes.map((n) => n.userId)).toEqual(expected.slice(4, 8).map((u) => String(u.id)));
    expect(page.pageInfo.hasPreviousPage).toBe(true);
  });

  it('applies the filter upstream', async () => {
    const [someone] = await upstreamUsers('1003');
    const name = someone?.first_name ?? '';
    const res = await h.gql(
      `query($name: String) { users(accountId: "1003", filter: { firstName: $name }) { totalCount nodes { firstName } } }`,
      { name },
    );
    const users = res.data?.['users'] as { totalCount: number; nodes: { firstName: string }[] };
    expect(users.totalCount).toBeGreaterThan(0);
    for (const n of users.nodes) expect(n.firstName.toLowerCase()).toBe(name.toLowerCase());
    expect(h.sandbox.users.log[0]?.query['first_name']).toBe(name);
  });

  it('answers an empty account with an empty page', async () => {
    const res = await h.gql(`{ users(accountId: "1002") { totalCount edges { cursor }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`);
    expect(res.data?.['users']).toEqual({
      totalCount: 0,
      edges: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    });
  });

  it('reports an unknown account as NOT_FOUND', async () => {
    const res = await h.gql(`{ users(accountId: "9999") { totalCount } }`);
    expect(res.data).toBeNull();
    expect(codes(res)).toEqual(['NOT_FOUND']);
    expect(res.errors?.[0]?.extensions).toMatchObject({ upstream: 'users', status: 404 });
  });

  it.each([
    ['both first and last', '{ users(accountId: "1001", first: 1, last: 1) { totalCount } }'],
    ['negative first', '{ users(accountId: "1001", first: -1) { totalCount } }'],
    ['first above MAX_PAGE_SIZE', '{ users(accountId: "1001", first: 101) { totalCount } }'],
    ['a garbage cursor', '{ users(accountId: "1001", after: "nope") { totalCount } }'],
    ['an account id with a slash', '{ users(accountId: "10/../01") { totalCount } }'],
    [
      'a filter with a control character',
      '{ users(accountId: "1001", filter: { email: "a\\u0000b" }) { totalCount } }',
    ],
  ])('refuses %s with BAD_USER_INPUT before any upstream call', async (_name, query) => {
    const res = await h.gql(query);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.data).toBeNull();
    expect(h.calls().list).toBe(0);
  });

  it('refuses a cursor made for another account', async () => {
    const other = await h.gql(`{ users(accountId: "1003", first: 1) { pageInfo { endCursor } } }`);
    const cursor = (other.data?.['users'] as { pageInfo: { endCursor: string } }).pageInfo
      .endCursor;
    const res = await h.gql(
      `query($c: String) { users(accountId: "1001", after: $c) { totalCount } }`,
      {
        c: cursor,
      },
    );
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors?.[0]?.message).toMatch(/after/);
  });
});

describe('user, node and nodes', () => {
  it('user returns one user through the single-user endpoint, null when unknown', async () => {
    const [first] = await upstreamUsers('1001');
    const res = await h.gql(
      `query($id: ID!) { user(accountId: "1001", userId: $id) { ${USER_FIELDS} }
      missing: user(accountId: "1001", userId: "1") { userId } }`,
      { id: String(first?.id) },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.['user']).toMatchObject({ accountId: '1001', userId: String(first?.id) });
    expect(res.data?.['missing']).toBeNull();
    expect(h.calls()).toMatchObject({ list: 0, user: 2 });
  });

  it('node and nodes resolve global ids; a listed user costs no extra call', async () => {
    const list = await h.gql(`{ users(accountId: "1001", first: 3) { nodes { id userId } } }`);
    const nodes = (list.data?.['users'] as { nodes: { id: string; userId: string }[] }).nodes;
    h.resetCalls();
    const ids = nodes.map((n) => n.id);
    const res = await h.gql(
      `query($ids: [ID!]!, $one: ID!) {
        users(accountId: "1001", first: 3) { totalCount }
        node(id: $one) { id ... on User { userId } }
        nodes(ids: $ids) { ... on User { userId } } }`,
      { ids: [...ids, 'garbage'], one: ids[1] },
    );
    expect(res.data?.['node']).toEqual({ id: ids[1], userId: nodes[1]?.userId });
    expect(res.data?.['nodes']).toEqual([...nodes.map((n) => ({ userId: n.userId })), null]);
    // One bad id fails only its own item, at its own path.
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0]?.path).toEqual(['nodes', 3]);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(h.calls()).toMatchObject({ list: 1, user: 0 });
  });

  it('node of an unknown user is null without an error', async () => {
    const id = Buffer.from('User/1001/1').toString('base64url');
    const res = await h.gql(`query($id: ID!) { node(id: $id) { id } }`, { id });
    expect(res).toMatchObject({ data: { node: null } });
    expect(res.errors).toBeUndefined();
  });
});

describe('vcard', () => {
  it('Query.vcard and User.vcard return the card; 50 cards cost 50 vcard calls', async () => {
    const res = await h.gql(`{ users(accountId: "1003", first: 50) { nodes { userId
      vcard { formattedName emails phones { number types } text } } } }`);
    const nodes = (res.data?.['users'] as { nodes: { vcard: { text: string } | null }[] }).nodes;
    expect(nodes).toHaveLength(50);
    expect(nodes.some((n) => n.vcard !== null)).toBe(true);
    for (const n of nodes)
      if (n.vcard) expect(n.vcard.text).toMatch(/^BEGIN:VCARD\r\nVERSION:4.0\r\n/);
    expect(h.calls()).toEqual({ list: 1, user: 0, vcard: 50, apiAuth: 0 });
  });

  it('never exposes the user document secrets', async () => {
    const res = await h.gql(`{ users(accountId: "1001", first: 12) { nodes { vcard {
      formattedName firstName lastName nicknames title role birthday note emails
      phones { number types } addresses { address types } timezone language text v3: text(version: V3) } } } }`);
    const body = JSON.stringify(res);
    expect(body).toContain('BEGIN:VCARD');
    expect(body).not.toMatch(/sandbox-secret|recordings\.example\.com|password/i);
  });
});

describe('HTTP surface', () => {
  it('/health and /ready answer 200; GET /graphql runs a query', async () => {
    expect((await h.gateway.yoga.fetch('http://localhost/health')).status).toBe(200);
    expect((await h.gateway.yoga.fetch('http://localhost/ready')).status).toBe(200);
    const res = await h.gateway.yoga.fetch(
      `http://localhost/graphql?query=${encodeURIComponent('{ users(accountId: "1002") { totalCount } }')}`,
      // GET needs a CSRF header (src/security.ts): it is a request browsers send without preflight.
      { headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' } },
    );
    expect(await res.json()).toEqual({ data: { users: { totalCount: 0 } } });
  });

  it('/ready turns 503 while draining', async () => {
    h.gateway.setReady(false);
    expect((await h.gateway.yoga.fetch('http://localhost/ready')).status).toBe(503);
    h.gateway.setReady(true);
  });

  it('a browser gets GraphiQL whose default query runs against the sandbox', async () => {
    const page = await h.gateway.yoga.fetch('http://localhost/graphql', {
      headers: { accept: 'text/html' },
    });
    const html = await page.text();
    expect(html).toContain('GraphiQL');
    const match = /query UsersWithCards \{[\s\S]*?\n\}\n/.exec(
      JSON.parse(`"${/defaultQuery":"((?:[^"\\]|\\.)*)"/.exec(html)?.[1] ?? ''}"`) as string,
    );
    expect(match).not.toBeNull();
    const res = await h.gql(match?.[0] ?? '');
    expect(res.errors).toBeUndefined();
    const nodes = (res.data?.['users'] as { nodes: { extensions: unknown[]; vcard: unknown }[] })
      .nodes;
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes.some((n) => n.extensions.length > 0 && n.vcard !== null)).toBe(true);
  });

  it('returns the request id and sends it upstream', async () => {
    const res = await h.gql(`{ users(accountId: "1002") { totalCount } }`, undefined, {
      'x-request-id': 'req-123',
    });
    expect(res.headers.get('x-request-id')).toBe('req-123');
    expect(h.sandbox.users.log[0]?.headers['x-request-id']).toBe('req-123');
  });
});
