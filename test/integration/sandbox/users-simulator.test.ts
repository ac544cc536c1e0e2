// The users API simulator over real HTTP: envelope, paging, clamping, filters, errors, auth and the
// OpenAPI description its answers must match.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataset } from '../../../sandbox/data.js';
import { startUsersSimulator } from '../../../sandbox/users-simulator.js';
import type { UsersSimulator } from '../../../sandbox/users-simulator.js';
import { check } from './schema-check.js';

interface Page {
  page_size: number;
  page: number;
  total_pages: number;
  total_items: number;
  _links: Record<string, { href: string } | undefined>;
  _embedded: { data: { id: number; first_name?: string; email?: string }[] };
}

let sim: UsersSimulator;
beforeAll(async () => {
  sim = await startUsersSimulator({ dataset: createDataset() });
});
afterAll(() => sim.close());

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${sim.url}${path}`, { headers });
  return { status: res.status, headers: res.headers, body: (await res.json()) as unknown };
}

async function page(path: string): Promise<Page> {
  const { status, body } = await get(path);
  expect(status).toBe(200);
  return body as Page;
}

describe('GET /accounts/:account_id/users', () => {
  it('answers the documented envelope with defaults page=1, page_size=10 and HAL links', async () => {
    const body = await page('/accounts/1001/users');
    expect(body).toMatchObject({ page_size: 10, page: 1, total_pages: 2, total_items: 12 });
    expect(body._embedded.data).toHaveLength(10);
    expect(body._embedded.data[0]).toEqual(sim.dataset.accounts.get('1001')?.[0]?.user);
    expect(body._links).toEqual({
      first: { href: `${sim.url}/accounts/1001/users?page=1&page_size=10` },
      self: { href: `${sim.url}/accounts/1001/users?page=1&page_size=10` },
      next: { href: `${sim.url}/accounts/1001/users?page=2&page_size=10` },
    });
    const last = await page('/accounts/1001/users?page=2');
    expect(last._embedded.data.map((u) => u.id)).toEqual(
      sim.dataset.accounts
        .get('1001')
        ?.slice(10)
        .map((u) => u.id),
    );
    expect(last._links['prev']?.href).toBe(`${sim.url}/accounts/1001/users?page=1&page_size=10`);
    expect(last._links['next']).toBeUndefined();
  });

  it('clamps page_size to the maximum and echoes the effective size', async () => {
    const body = await page('/accounts/1003/users?page_size=500&page=2');
    expect(body).toMatchObject({ page_size: 100, page: 2, total_pages: 4, total_items: 350 });
    expect(body._embedded.data.map((u) => u.id)).toEqual(
      sim.dataset.accounts
        .get('1003')
        ?.slice(100, 200)
        .map((u) => u.id),
    );
    expect(body._links['next']?.href).toContain('page=3&page_size=100');
  });

  it('answers a page past the end with an empty array, and an empty account with nothing', async () => {
    const past = await page('/accounts/1003/users?page=99&page_size=100');
    expect(past).toMatchObject({ page: 99, total_pages: 4, total_items: 350 });
    expect(past._embedded.data).toEqual([]);
    expect(past._links['next']).toBeUndefined();
    const empty = await page('/accounts/1002/users');
    expect(empty).toMatchObject({ total_items: 0, total_pages: 0, _embedded: { data: [] } });
  });

  it.each(['page=0', 'page=-1', 'page=abc', 'page_size=0', 'page_size=-5', 'page_size=1.5'])(
    'refuses %s with 400',
    async (query) => {
      const { status, body } = await get(`/accounts/1001/users?${query}`);
      expect(status).toBe(400);
      expect(body).toEqual({ error: expect.any(String) });
    },
  );

  it('filters case-insensitively on exact values, all filters together', async () => {
    const zoe = await page('/accounts/1001/users?email=zoe.akesson%40example.com');
    expect(zoe._embedded.data.map((u) => u.first_name)).toEqual(['Zoë']);
    const smiths = await page('/accounts/1001/users?last_name=SMITH');
    expect(smiths._embedded.data.map((u) => u.first_name)).toEqual(['John']);
    const none = await page('/accounts/1001/users?first_name=john&last_name=Akesson');
    expect(none).toMatchObject({ total_items: 0, _embedded: { data: [] } });
    const login = await page('/accounts/1001/users?login_name=JSMITH&page_size=1');
    expect(login._links['self']?.href).toBe(
      `${sim.url}/accounts/1001/users?page=1&page_size=1&login_name=JSMITH`,
    );
    const users1003 = sim.dataset.accounts.get('1003') ?? [];
    const name = users1003[0]?.user.first_name ?? '';
    const byName = await page(
      `/accounts/1003/users?first_name=${encodeURIComponent(name)}&page_size=100`,
    );
    expect(byName.total_items).toBe(users1003.filter((u) => u.user.first_name === name).length);
  });

  it('answers 404 with an error body for an unknown account', async () => {
    const { status, body } = await get('/accounts/9999/users');
    expect(status).toBe(404);
    expect(body).toEqual({ error: expect.stringContaining('9999') });
  });
});

describe('GET /accounts/:account_id/users/:user_id', () => {
  it('wraps one user object in the same envelope', async () => {
    const record = sim.dataset.accounts.get('1001')?.[1];
    const { status, body } = await get(`/accounts/1001/users/${record?.id}`);
    expect(status).toBe(200);
    expect(body).toEqual({
      page_size: 1,
      page: 1,
      total_pages: 1,
      total_items: 1,
      _links: {
        first: { href: `${sim.url}/accounts/1001/users/${record?.id}` },
        self: { href: `${sim.url}/accounts/1001/users/${record?.id}` },
      },
      _embedded: { data: record?.user },
    });
  });

  it('answers 404 for an unknown user, a user of another account and a non-numeric id', async () => {
    const other = sim.dataset.accounts.get('1003')?.[0]?.id;
    for (const path of [
      '/accounts/1001/users/1',
      `/accounts/1001/users/${other}`,
      '/accounts/1001/users/x',
    ]) {
      const { status, body } = await get(path);
      expect(status).toBe(404);
      expect(body).toEqual({ error: expect.any(String) });
    }
    expect((await get('/nowhere')).status).toBe(404);
  });
});

describe('auth', () => {
  it('401 without the required bearer token, 403 for a forbidden one', async () => {
    const guarded = await startUsersSimulator({
      requiredToken: 'good',
      forbiddenTokens: ['low', 'Bearer lower'],
    });
    try {
      const call = (authorization?: string) =>
        fetch(`${guarded.url}/accounts/1001/users`, {
          headers: authorization === undefined ? {} : { authorization },
        });
      const missing = await call();
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toBe('Bearer');
      expect((await call('Bearer bad')).status).toBe(401);
      expect((await call('good')).status).toBe(401);
      expect((await call('Bearer good')).status).toBe(200);
      expect((await call('Bearer low')).status).toBe(403);
      expect((await call('Bearer lower')).status).toBe(403);
      expect(guarded.log.map((r) => r.status)).toEqual([401, 401, 401, 200, 403, 403]);
      expect(guarded.log[3]?.headers['authorization']).toBe('Bearer good');
    } finally {
      await guarded.close();
    }
  });
});

describe('openapi.json', () => {
  it('describes its operations, its own server, and the real answers match its schemas', async () => {
    const { status, body } = await get('/openapi.json');
    expect(status).toBe(200);
    const doc = body as {
      servers: { url: string }[];
      paths: Record<string, Record<string, { operationId: string }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.servers).toEqual([{ url: sim.url }]);
    expect(
      Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId)),
    ).toEqual(['getAccountUsers', 'getAccountUser', 'oauth2Token']);
    const schemas = doc.components.schemas;
    for (const account of ['1001', '1002', '1003']) {
      const list = await get(`/accounts/${account}/users?page_size=100&page=1`);
      expect(check(list.body, schemas['UsersPage'], doc)).toEqual([]);
    }
    const one = await get(`/accounts/1001/users/${sim.dataset.accounts.get('1001')?.[7]?.id}`);
    expect(check(one.body, schemas['UserEnvelope'], doc)).toEqual([]);
    expect(check((await get('/accounts/0/users')).body, schemas['Error'], doc)).toEqual([]);
    // The checker itself is not vacuous.
    expect(check({ page: 'x' }, schemas['UsersPage'], doc).length).toBeGreaterThan(0);
  });
});
