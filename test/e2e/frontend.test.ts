// The typed client example against the sandbox, trusted documents, CORS and @defer.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allUsers, execute } from '../../examples/frontend/client.js';
import type { ClientOptions } from '../../examples/frontend/client.js';
import { UserCardQuery } from '../../examples/frontend/documents.js';
import { startHarness } from '../support/harness.js';
import type { Harness } from '../support/harness.js';

const MANIFEST = new URL('../../examples/frontend/gql/persisted-documents.json', import.meta.url)
  .pathname;

describe('typed client example', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('pages through all users of an account with the cursors, in order', async () => {
    const upstream = (await (
      await fetch(`${h.sandbox.users.url}/accounts/1001/users?page_size=100`)
    ).json()) as {
      _embedded: { data: { id: number }[] };
    };
    const client: ClientOptions = {
      endpoint: 'http://localhost/graphql',
      fetch: (url, init) => h.gateway.yoga.fetch(url, init),
    };
    const pages: string[][] = [];
    for await (const users of allUsers(client, '1001', 5)) pages.push(users.map((u) => u.userId));
    expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
    expect(pages.flat()).toEqual(upstream._embedded.data.map((u) => String(u.id)));
  });
});

describe('trusted documents (PERSISTED_DOCUMENTS)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { PERSISTED_DOCUMENTS: MANIFEST } });
  });
  afterAll(() => h.close());

  it('runs a known document by hash', async () => {
    const client: ClientOptions = {
      endpoint: 'http://localhost/graphql',
      fetch: (url, init) => h.gateway.yoga.fetch(url, init),
      trusted: true,
    };
    const users = [];
    for await (const page of allUsers(client, '1001', 20)) users.push(...page);
    expect(users).toHaveLength(12);
    const card = await execute(client, UserCardQuery, {
      accountId: '1001',
      userId: users[0]?.userId ?? '',
    });
    expect(card.vcard?.formattedName).toBeTruthy();
  });

  it('refuses an arbitrary document and an unknown hash with clear errors', async () => {
    h.resetCalls();
    const arbitrary = await h.gql('{ users(accountId: "1001") { totalCount } }');
    expect(arbitrary.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_ONLY');
    expect(arbitrary.errors?.[0]?.message).toMatch(/trusted documents/);
    const response = await h.gateway.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ documentId: `sha256:${'0'.repeat(64)}` }),
    });
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(h.calls().list).toBe(0);
  });
});

describe('CORS', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { CORS_ORIGINS: 'https://app.example.com' } });
  });
  afterAll(() => h.close());

  const preflight = (origin: string) =>
    h.gateway.yoga.fetch('http://localhost/graphql', {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization, x-auth-token',
      },
    });

  it('answers the preflight of an allowed origin, with the auth headers and a max age', async () => {
    const res = await preflight('https://app.example.com');
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/x-auth-token/);
    expect(res.headers.get('access-control-max-age')).toBe('600');
  });

  it('does not allow another origin', async () => {
    const res = await preflight('https://evil.example.com');
    expect(res.headers.get('access-control-allow-origin')).not.toBe('https://evil.example.com');
    const actual = await h.gateway.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { origin: 'https://evil.example.com', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ users(accountId: "1002") { totalCount } }' }),
    });
    expect(actual.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('automatic persisted queries (PERSISTED_DOCUMENTS unset)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const query = '{ users(accountId: "1002") { totalCount } }';
  const hash = createHash('sha256').update(query).digest('hex');
  const send = async (body: Record<string, unknown>) => {
    const response = await h.gateway.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    return (await response.json()) as {
      data?: unknown;
      errors?: { extensions?: { code?: string } }[];
    };
  };
  const persisted = (sha256Hash: string) => ({ persistedQuery: { version: 1, sha256Hash } });

  it('asks for the query once, then runs it by hash alone', async () => {
    const unknown = await send({ extensions: persisted(hash) });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await send({ query, extensions: persisted(hash) });
    expect(registered).toEqual({ data: { users: { totalCount: 0 } } });
    const byHash = await send({ extensions: persisted(hash) });
    expect(byHash).toEqual({ data: { users: { totalCount: 0 } } });
  });

  it('refuses a hash that is not the sha256 of the query', async () => {
    const res = await send({ query, extensions: persisted('0'.repeat(64)) });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const after = await send({ extensions: persisted('0'.repeat(64)) });
    expect(after.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});
