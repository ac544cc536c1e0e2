// The users simulator's OAuth2 token endpoint over real HTTP (RFC 6749): form posts, HTTP Basic and
// client_secret_post, the password, refresh_token and client_credentials grants, rotation, expiry,
// the errors a client must handle, and what the users API does with the tokens.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OAUTH_TOKEN_PATH, SANDBOX_CREDENTIALS } from '../../../sandbox/index.js';
import { startUsersSimulator } from '../../../sandbox/users-simulator.js';
import type { UsersSimulator, UsersSimulatorOptions } from '../../../sandbox/users-simulator.js';
import { check } from './schema-check.js';

const { clientId, clientSecret } = SANDBOX_CREDENTIALS.users.clients[0];
const { username, password } = SANDBOX_CREDENTIALS.users.users[0];
const seededRefresh = SANDBOX_CREDENTIALS.users.refreshTokens[0];

interface TokenAnswer {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token?: string;
  scope?: string;
}

let sim: UsersSimulator;
async function start(options: UsersSimulatorOptions = {}): Promise<UsersSimulator> {
  sim = await startUsersSimulator({ requireAuth: true, ...options });
  return sim;
}
afterEach(async () => {
  vi.useRealTimers();
  await sim.close();
});

const basic = (id: string = clientId, secret: string = clientSecret) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

async function token(
  form: Record<string, string>,
  headers: Record<string, string> = { authorization: basic() },
) {
  const res = await fetch(sim.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as unknown };
}

async function granted(form: Record<string, string>, headers?: Record<string, string>) {
  const answer = await token(form, headers);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body as TokenAnswer;
}

const listUsers = (accessToken?: string) =>
  fetch(`${sim.url}/accounts/1001/users`, {
    headers: accessToken === undefined ? {} : { authorization: `Bearer ${accessToken}` },
  });

describe('POST /oauth2/token', () => {
  beforeEach(() => start());

  it('is served on the users API origin at /oauth2/token', () => {
    expect(OAUTH_TOKEN_PATH).toBe('/oauth2/token');
    expect(sim.tokenUrl).toBe(`${sim.url}/oauth2/token`);
  });

  it('password grant: a bearer token and a refresh token, not cached; the token reads the API', async () => {
    const res = await token({ grant_type: 'password', username, password, scope: 'users:read' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = res.body as TokenAnswer;
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: expect.any(String),
      scope: 'users:read',
    });
    expect((await listUsers()).status).toBe(401);
    expect((await listUsers('made-up')).status).toBe(401);
    expect((await listUsers(body.access_token)).status).toBe(200);
  });

  it('client_credentials grant: an access token and no refresh token (RFC 6749 §4.4.3)', async () => {
    const body = await granted({ grant_type: 'client_credentials' });
    expect(body.refresh_token).toBeUndefined();
    expect(body.scope).toBeUndefined();
    expect((await listUsers(body.access_token)).status).toBe(200);
  });

  it('client_secret_post authenticates the client as well as HTTP Basic does', async () => {
    const body = await granted(
      { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
      {},
    );
    expect((await listUsers(body.access_token)).status).toBe(200);
  });

  it('refresh_token grant rotates: the new refresh token works, the used one is invalid_grant', async () => {
    const first = await granted({ grant_type: 'password', username, password });
    const second = await granted({
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token ?? '',
    });
    expect(second.refresh_token).toEqual(expect.any(String));
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    const reused = await token({
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token ?? '',
    });
    expect(reused).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const third = await granted({
      grant_type: 'refresh_token',
      refresh_token: second.refresh_token ?? '',
    });
    expect((await listUsers(third.access_token)).status).toBe(200);
  });

  it('the seeded refresh token works once, then is invalid_grant', async () => {
    const body = await granted({ grant_type: 'refresh_token', refresh_token: seededRefresh });
    expect((await listUsers(body.access_token)).status).toBe(200);
    const again = await token({ grant_type: 'refresh_token', refresh_token: seededRefresh });
    expect(again).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('bad resource owner credentials are 400 invalid_grant', async () => {
    const wrong = await token({ grant_type: 'password', username, password: 'nope' });
    expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const nobody = await token({ grant_type: 'password', username: 'x', password });
    expect(nobody).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('a bad client is 401 invalid_client (with WWW-Authenticate when it tried Basic)', async () => {
    const wrongSecret = await token(
      { grant_type: 'client_credentials' },
      { authorization: basic(clientId, 'x') },
    );
    expect(wrongSecret).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(wrongSecret.headers.get('www-authenticate')).toMatch(/^Basic/);
    const posted = await token(
      { grant_type: 'client_credentials', client_id: 'who', client_secret: clientSecret },
      {},
    );
    expect(posted).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const none = await token({ grant_type: 'client_credentials' }, {});
    expect(none).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });

  it('answers the RFC 6749 request errors', async () => {
    expect(await token({ username, password })).toMatchObject({
      status: 400,
      body: { error: 'invalid_request' },
    });
    expect(await token({ grant_type: 'authorization_code', code: 'x' })).toMatchObject({
      status: 400,
      body: { error: 'unsupported_grant_type' },
    });
    const both = await token({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    });
    expect(both).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    const asJson = await fetch(sim.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basic() },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    });
    expect(asJson.status).toBe(400);
    expect((await fetch(sim.tokenUrl)).status).toBe(405);
  });

  it('token calls are logged but are not API requests (no rate limit, no unmatched fault)', async () => {
    sim.injectFault({ kind: 'status', status: 503 });
    const body = await granted({ grant_type: 'client_credentials' });
    expect((await listUsers(body.access_token)).status).toBe(503);
    expect(sim.log.map((r) => [r.path, r.api, r.status])).toEqual([
      ['/oauth2/token', false, 200],
      ['/accounts/1001/users', true, 503],
    ]);
  });

  it('is described in openapi.json, and its answers match the schemas', async () => {
    const doc = (await (await fetch(`${sim.url}/openapi.json`)).json()) as {
      paths: Record<string, { post?: { operationId: string } }>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.paths['/oauth2/token']?.post?.operationId).toBe('oauth2Token');
    const schemas = doc.components.schemas;
    const ok = await granted({ grant_type: 'password', username, password, scope: 's' });
    expect(check(ok, schemas['TokenAnswer'], doc)).toEqual([]);
    const refused = await token({ grant_type: 'password', username, password: 'x' });
    expect(check(refused.body, schemas['OAuthError'], doc)).toEqual([]);
    expect(check({ error: 'nope' }, schemas['OAuthError'], doc)).not.toEqual([]);
  });
});

describe('expiry and revocation', () => {
  it('a token past expires_in is 401 invalid_token; the refresh token still gets a new one', async () => {
    await start({ tokenLifetimeSeconds: 60 });
    vi.useFakeTimers({ toFake: ['Date'] });
    const body = await granted({ grant_type: 'password', username, password });
    expect(body.expires_in).toBe(60);
    expect((await listUsers(body.access_token)).status).toBe(200);
    vi.setSystemTime(Date.now() + 60_000);
    const expired = await listUsers(body.access_token);
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const fresh = await granted({
      grant_type: 'refresh_token',
      refresh_token: body.refresh_token ?? '',
    });
    expect((await listUsers(fresh.access_token)).status).toBe(200);
  });

  it('the lifetime can be changed at run time; expireTokens() ends every token issued so far', async () => {
    await start();
    sim.oauth.settings.tokenLifetimeSeconds = 5;
    const body = await granted({ grant_type: 'password', username, password });
    expect(body.expires_in).toBe(5);
    sim.expireTokens();
    expect((await listUsers(body.access_token)).status).toBe(401);
    const fresh = await granted({
      grant_type: 'refresh_token',
      refresh_token: body.refresh_token ?? '',
    });
    expect((await listUsers(fresh.access_token)).status).toBe(200);
  });

  it('revokeTokens() ends access and refresh tokens alike', async () => {
    await start();
    const body = await granted({ grant_type: 'password', username, password });
    sim.revokeTokens();
    expect((await listUsers(body.access_token)).status).toBe(401);
    const refused = await token({
      grant_type: 'refresh_token',
      refresh_token: body.refresh_token ?? '',
    });
    expect(refused).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('without requireAuth any token works, except one it issued that expired', async () => {
    await start({ requireAuth: false });
    expect((await listUsers()).status).toBe(200);
    expect((await listUsers('anything')).status).toBe(200);
    const body = await granted({ grant_type: 'client_credentials' });
    expect((await listUsers(body.access_token)).status).toBe(200);
    sim.expireTokens();
    expect((await listUsers(body.access_token)).status).toBe(401);
    expect((await listUsers('anything')).status).toBe(200);
  });
});

describe('refuseBasicAuth', () => {
  it('answers HTTP Basic with 401 invalid_client; client_secret_post still works', async () => {
    await start({ refuseBasicAuth: true });
    const refused = await token({ grant_type: 'client_credentials' });
    expect(refused).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const body = await granted(
      { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
      {},
    );
    expect((await listUsers(body.access_token)).status).toBe(200);
    sim.oauth.settings.refuseBasicAuth = false;
    expect((await token({ grant_type: 'client_credentials' })).status).toBe(200);
  });
});
