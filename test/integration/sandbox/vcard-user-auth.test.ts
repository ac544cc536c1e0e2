// The vcard simulator's PUT /user_auth (Kazoo crossbar user credentials) over real HTTP: md5 of
// "username:password" plus the account name gives an X-Auth-Token that reads vCards; expiry and
// revocation, so a client's refresh on 401 can be tested.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  SANDBOX_CREDENTIALS,
  createDataset,
  usersWithVcardFormat,
} from '../../../sandbox/index.js';
import { startVcardSimulator } from '../../../sandbox/vcard-simulator.js';
import type { VcardSimulator, VcardSimulatorOptions } from '../../../sandbox/vcard-simulator.js';
import { check } from './schema-check.js';

const { username, password, accountName } = SANDBOX_CREDENTIALS.vcard.users[0];
const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const dataset = createDataset();
const [carded] = usersWithVcardFormat(dataset, '1001', 'application/json');

let sim: VcardSimulator;
async function start(options: VcardSimulatorOptions = {}): Promise<VcardSimulator> {
  sim = await startVcardSimulator({ dataset, requireAuth: true, ...options });
  return sim;
}
afterEach(async () => {
  vi.useRealTimers();
  await sim.close();
});

async function userAuth(data: Record<string, string>) {
  const res = await fetch(`${sim.url}/user_auth`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ data }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as unknown };
}

async function login(): Promise<string> {
  const answer = await userAuth({
    credentials: md5(`${username}:${password}`),
    account_name: accountName,
  });
  expect(answer.status).toBe(201);
  return (answer.body as { auth_token: string }).auth_token;
}

const vcard = (token?: string) =>
  fetch(`${sim.url}/accounts/1001/users/${carded?.id}/vcard`, {
    headers: token === undefined ? {} : { 'x-auth-token': token },
  });

describe('PUT /user_auth', () => {
  it("answers crossbar's envelope with an auth_token that reads vCards", async () => {
    await start();
    const answer = await userAuth({
      credentials: md5(`${username}:${password}`),
      account_name: accountName,
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      auth_token: expect.stringMatching(/^\S{16,}$/),
      data: {
        account_id: '1001',
        owner_id: expect.stringMatching(/^[0-9a-f]{32}$/),
        is_reseller: false,
        language: 'en-US',
      },
      request_id: expect.any(String),
      revision: expect.any(String),
      status: 'success',
    });
    expect(answer.headers.get('x-request-id')).toBe(
      (answer.body as { request_id: string }).request_id,
    );
    const token = (answer.body as { auth_token: string }).auth_token;
    expect((await vcard()).status).toBe(401);
    expect((await vcard('made-up')).status).toBe(401);
    expect((await vcard(token)).status).toBe(200);
  });

  it('accepts sha1 credentials with method "sha", as Kazoo does', async () => {
    await start();
    const sha = createHash('sha1').update(`${username}:${password}`).digest('hex');
    const answer = await userAuth({ credentials: sha, account_name: accountName, method: 'sha' });
    expect(answer.status).toBe(201);
  });

  it('is 401 in the vcard error shape for a wrong password, user or account name', async () => {
    await start();
    for (const data of [
      { credentials: md5(`${username}:wrong`), account_name: accountName },
      { credentials: md5(`nobody:${password}`), account_name: accountName },
      { credentials: md5(`${username}:${password}`), account_name: 'other' },
    ]) {
      const answer = await userAuth(data);
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({
        code: 'unauthorized',
        message: 'invalid credentials',
        request_id: expect.any(String),
      });
    }
  });

  it('is 400 for a body that is not the documented form, 405 for other methods', async () => {
    await start();
    expect(
      (await userAuth({ credentials: `${username}:${password}`, account_name: 'x' })).status,
    ).toBe(400);
    expect((await userAuth({ credentials: md5('a:b') })).status).toBe(400);
    expect((await fetch(`${sim.url}/user_auth`)).status).toBe(405);
  });

  it('issued tokens expire after tokenLifetimeSeconds; a new user_auth gets a working one', async () => {
    await start({ tokenLifetimeSeconds: 30 });
    vi.useFakeTimers({ toFake: ['Date'] });
    const token = await login();
    expect((await vcard(token)).status).toBe(200);
    vi.setSystemTime(Date.now() + 30_000);
    const expired = await vcard(token);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({
      code: 'unauthorized',
      message: 'auth token expired',
    });
    expect((await vcard(await login())).status).toBe(200);
  });

  it('expireTokens() and revokeTokens() end every token issued so far', async () => {
    await start();
    const first = await login();
    sim.expireTokens();
    expect((await vcard(first)).status).toBe(401);
    const second = await login();
    expect((await vcard(second)).status).toBe(200);
    sim.revokeTokens();
    expect((await vcard(second)).status).toBe(401);
    expect(sim.log.filter((r) => r.path === '/user_auth').map((r) => [r.api, r.status])).toEqual([
      [false, 201],
      [false, 201],
    ]);
  });

  it('without requireAuth any token works, except one it issued that expired', async () => {
    await start({ requireAuth: false });
    expect((await vcard()).status).toBe(200);
    expect((await vcard('anything')).status).toBe(200);
    const token = await login();
    expect((await vcard(token)).status).toBe(200);
    sim.expireTokens();
    expect((await vcard(token)).status).toBe(401);
  });

  it('the seeded API key works at /api_auth too', async () => {
    await start();
    const res = await fetch(`${sim.url}/api_auth`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: { api_key: SANDBOX_CREDENTIALS.vcard.apiKeys[0] } }),
    });
    expect(res.status).toBe(201);
    expect((await vcard(((await res.json()) as { auth_token: string }).auth_token)).status).toBe(
      200,
    );
  });

  it('is described in openapi.json, and its answers match the schemas', async () => {
    await start();
    const doc = (await (await fetch(`${sim.url}/openapi.json`)).json()) as {
      paths: Record<string, { put?: { operationId: string } }>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.paths['/user_auth']?.put?.operationId).toBe('userAuth');
    const ok = await userAuth({
      credentials: md5(`${username}:${password}`),
      account_name: accountName,
    });
    expect(check(ok.body, doc.components.schemas['AuthAnswer'], doc)).toEqual([]);
    const refused = await userAuth({ credentials: md5('a:b'), account_name: accountName });
    expect(check(refused.body, doc.components.schemas['Error'], doc)).toEqual([]);
  });
});
