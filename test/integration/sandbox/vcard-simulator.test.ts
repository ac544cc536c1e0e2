// The vcard API simulator over real HTTP: JSON and vCard text answers per user, the documented error
// body with X-Request-ID, token checks, PUT /api_auth with revocation, and its OpenAPI description.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataset, usersWithVcardFormat } from '../../../sandbox/data.js';
import type { Dataset, UserRecord } from '../../../sandbox/data.js';
import { startVcardSimulator } from '../../../sandbox/vcard-simulator.js';
import type { VcardSimulator } from '../../../sandbox/vcard-simulator.js';
import { check } from './schema-check.js';

const dataset: Dataset = createDataset();
let sim: VcardSimulator;
beforeAll(async () => {
  sim = await startVcardSimulator({ dataset });
});
afterAll(() => sim.close());

function only(format: UserRecord['vcardFormat']): UserRecord {
  const [user] = usersWithVcardFormat(dataset, '1001', format);
  if (user === undefined) throw new Error(`no ${String(format)} user in 1001`);
  return user;
}

const vcardPath = (user: { id: number }, account = '1001') =>
  `/accounts/${account}/users/${user.id}/vcard`;

describe('GET /accounts/:account_id/users/:user_id/vcard', () => {
  it('answers JSON users with {"data": document}, secrets included', async () => {
    const user = only('application/json');
    const res = await fetch(sim.url + vcardPath(user));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const body = (await res.json()) as { data: Record<string, unknown> };
    expect(body).toEqual({ data: user.document });
    expect(body.data['password']).toBe(`sandbox-secret-${user.id}`);
  });

  it.each(['text/vcard', 'text/x-vcard'] as const)(
    'answers %s users with vCard 3.0 text',
    async (format) => {
      const user = only(format);
      const res = await fetch(sim.url + vcardPath(user));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(new RegExp(`^${format}`));
      const text = await res.text();
      expect(text).toMatch(/^BEGIN:VCARD\r\nVERSION:3\.0\r\n/);
      expect(text).toMatch(/END:VCARD\r?\n?$/);
      expect(text).toContain(`FN:${user.user.first_name}`);
      // Same text twice: answers are cached, and deterministic.
      expect(await (await fetch(sim.url + vcardPath(user))).text()).toBe(text);
    },
  );

  it('answers 404 with {"code","message","request_id"} and X-Request-ID for users without a vcard', async () => {
    const res = await fetch(sim.url + vcardPath(only(null)));
    expect(res.status).toBe(404);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['code', 'message', 'request_id']);
    expect(typeof body['request_id']).toBe('string');
    expect(res.headers.get('x-request-id')).toBe(body['request_id']);
  });

  it('answers 404 for an unknown user, account, or a user of another account', async () => {
    const other = dataset.accounts.get('1003')?.[0];
    for (const path of [
      '/accounts/1001/users/1/vcard',
      `/accounts/9999/users/${only('application/json').id}/vcard`,
      `/accounts/1001/users/${other?.id}/vcard`,
      '/accounts/1001/users',
    ]) {
      const res = await fetch(sim.url + path);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({
        code: expect.any(String),
        request_id: expect.any(String),
      });
    }
  });
});

describe('tokens', () => {
  it('accepts any token when neither requiredToken nor apiKey is set', async () => {
    const res = await fetch(sim.url + vcardPath(only('application/json')), {
      headers: { 'x-auth-token': 'whatever' },
    });
    expect(res.status).toBe(200);
  });

  it('requires the static token in X-Auth-Token when requiredToken is set', async () => {
    const guarded = await startVcardSimulator({ dataset, requiredToken: 'v-token' });
    try {
      const path = guarded.url + vcardPath(only('application/json'));
      const missing = await fetch(path);
      expect(missing.status).toBe(401);
      expect(await missing.json()).toMatchObject({
        code: expect.any(String),
        request_id: expect.any(String),
      });
      expect((await fetch(path, { headers: { 'x-auth-token': 'nope' } })).status).toBe(401);
      expect((await fetch(path, { headers: { 'x-auth-token': 'v-token' } })).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('PUT /api_auth issues tokens for the right key; revokeTokens() expires them', async () => {
    const keyed = await startVcardSimulator({ dataset, apiKey: 'key-1' });
    try {
      const auth = (body: string) =>
        fetch(`${keyed.url}/api_auth`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body,
        });
      expect((await auth(JSON.stringify({ data: { api_key: 'wrong' } }))).status).toBe(401);
      expect((await auth('not json')).status).toBe(400);
      expect((await auth(JSON.stringify({ api_key: 'key-1' }))).status).toBe(400);

      const issued = await auth(JSON.stringify({ data: { api_key: 'key-1' } }));
      expect(issued.status).toBe(201);
      const { auth_token: token, data } = (await issued.json()) as {
        auth_token: string;
        data: object;
      };
      expect(token).toMatch(/^\S{16,}$/);
      expect(data).toMatchObject({ account_id: '1001' });

      const path = keyed.url + vcardPath(only('application/json'));
      expect((await fetch(path)).status).toBe(401);
      expect((await fetch(path, { headers: { 'x-auth-token': token } })).status).toBe(200);
      keyed.revokeTokens();
      expect((await fetch(path, { headers: { 'x-auth-token': token } })).status).toBe(401);

      const again = (await (await auth(JSON.stringify({ data: { api_key: 'key-1' } }))).json()) as {
        auth_token: string;
      };
      expect(again.auth_token).not.toBe(token);
      expect((await fetch(path, { headers: { 'x-auth-token': again.auth_token } })).status).toBe(
        200,
      );
      expect(
        keyed.log.filter((r) => r.path === '/api_auth').map((r) => [r.method, r.status]),
      ).toEqual([
        ['PUT', 401],
        ['PUT', 400],
        ['PUT', 400],
        ['PUT', 201],
        ['PUT', 201],
      ]);
    } finally {
      await keyed.close();
    }
  });
});

describe('openapi.json', () => {
  it('describes getUserVcard, apiAuth and userAuth, its own server, and real answers match its schemas', async () => {
    const doc = (await (await fetch(`${sim.url}/openapi.json`)).json()) as {
      servers: { url: string }[];
      paths: Record<string, Record<string, { operationId: string }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.servers).toEqual([{ url: sim.url }]);
    const operationIds = Object.values(doc.paths).flatMap((p) =>
      Object.values(p).map((o) => o.operationId),
    );
    expect(operationIds.sort()).toEqual(['apiAuth', 'getUserVcard', 'userAuth']);
    const schemas = doc.components.schemas;
    for (const user of usersWithVcardFormat(dataset, '1003', 'application/json').slice(0, 40)) {
      const body = (await (await fetch(sim.url + vcardPath(user, '1003'))).json()) as {
        data: unknown;
      };
      expect(check(body.data, schemas['UserDocument'], doc)).toEqual([]);
    }
    const error = await (await fetch(`${sim.url}/accounts/0/users/0/vcard`)).json();
    expect(check(error, schemas['Error'], doc)).toEqual([]);
  });
});
