// The gateway authenticating to the upstreams on its own behalf (#17), end to end over the
// simulators with real credential checks: each OAuth2 grant, renewal ahead of expiry, one token
// call for many requests, one renewal on a 401, rotation, bad credentials, a token endpoint that
// is down, Kazoo user_auth, and no secret in any log line or response. Calls are counted exactly.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SANDBOX_CREDENTIALS, usersWithVcardFormat } from '../../sandbox/index.js';
import type { GraphQLResponse, Harness } from '../support/harness.js';
import { startHarness } from '../support/harness.js';

const oauthClient = SANDBOX_CREDENTIALS.users.clients[0];
const passwordUser = SANDBOX_CREDENTIALS.users.users[0];
const kazooUser = SANDBOX_CREDENTIALS.vcard.users[0];

const SECRETS = [
  oauthClient.clientSecret,
  passwordUser.password,
  SANDBOX_CREDENTIALS.users.refreshTokens[0],
  kazooUser.password,
];
/** Tokens the simulators issue carry these prefixes; none may leave the gateway. */
const ISSUED = /sim-users-(at|rt)-|sim-vcard-/;

const USERS = '{ users(accountId: "1001", first: 1) { totalCount nodes { userId } } }';

let h: Harness;
const responses: GraphQLResponse[] = [];

afterEach(async () => {
  vi.useRealTimers();
  // Whatever the test did: no secret and no issued token in any log line or response.
  const seen = [...h.logs, ...responses.map((r) => JSON.stringify(r))].join('\n');
  for (const secret of SECRETS) expect(seen).not.toContain(secret);
  expect(seen).not.toMatch(ISSUED);
  responses.length = 0;
  await h.close();
});

async function query(text: string, headers?: Record<string, string>): Promise<GraphQLResponse> {
  const response = await h.gql(text, undefined, headers);
  responses.push(response);
  return response;
}

function oauthEnv(grant: Record<string, string> = {}): Record<string, string> {
  return {
    USERS_API_CLIENT_ID: oauthClient.clientId,
    USERS_API_CLIENT_SECRET: oauthClient.clientSecret,
    ...grant,
  };
}

/** A gateway whose users API checks tokens for real, with the simulator's token endpoint. */
async function startOAuth(
  grant: Record<string, string> = {},
  users: { tokenLifetimeSeconds?: number; refuseBasicAuth?: boolean } = {},
): Promise<Harness> {
  h = await startHarness({
    env: (sandbox) => ({ ...oauthEnv(grant), USERS_API_TOKEN_URL: sandbox.users.tokenUrl }),
    sandbox: { users: { requireAuth: true, ...users } },
  });
  return h;
}

const oauthCalls = () => h.tokenCalls().oauth;
const usersStatuses = () =>
  h.sandbox.users.log.filter((r) => r.api).map((r) => r.status ?? 'pending');

describe('OAuth2 service credentials for the users API', () => {
  it('client_credentials: one token call serves every request without Authorization', async () => {
    await startOAuth();
    for (let i = 0; i < 3; i++) expect((await query(USERS)).errors).toBeUndefined();
    expect(oauthCalls()).toBe(1);
    expect(h.calls().list).toBe(3);
    const sent = h.sandbox.users.log.filter((r) => r.api).map((r) => r.headers['authorization']);
    expect(sent.every((a) => a !== undefined && /^Bearer sim-users-at-/.test(a))).toBe(true);
  });

  it('password grant', async () => {
    await startOAuth({
      USERS_API_USERNAME: passwordUser.username,
      USERS_API_PASSWORD: passwordUser.password,
    });
    expect((await query(USERS)).errors).toBeUndefined();
    expect(oauthCalls()).toBe(1);
  });

  it('refresh-token grant, and each rotated refresh token is used for the next renewal', async () => {
    await startOAuth({ USERS_API_REFRESH_TOKEN: SANDBOX_CREDENTIALS.users.refreshTokens[0] });
    for (let round = 0; round < 3; round++) {
      // Every access token issued so far stops working: the gateway must renew on the 401.
      h.sandbox.users.expireTokens();
      expect((await query(USERS)).errors).toBeUndefined();
    }
    // The seeded refresh token works once; rounds 2 and 3 only succeed with the rotated ones.
    expect(oauthCalls()).toBe(3);
    expect(
      h.sandbox.users.log.filter((r) => r.path.endsWith('/token')).map((r) => r.status),
    ).toEqual([200, 200, 200]);
  });

  it("a request's own Authorization wins: the service token is not fetched", async () => {
    await startOAuth();
    const response = await query(USERS, { authorization: 'Bearer not-issued-by-anyone' });
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      upstream: 'users',
    });
    expect(oauthCalls()).toBe(0);
  });

  it('renews ahead of expiry: no request ever meets an expired token', async () => {
    await startOAuth();
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = Date.now();
    expect((await query(USERS)).errors).toBeUndefined();
    // An hour's token: inside its last minute it is still sent, and renewed in the background.
    vi.setSystemTime(t0 + 3_550_000);
    expect((await query(USERS)).errors).toBeUndefined();
    await vi.waitFor(() => expect(oauthCalls()).toBe(2));
    vi.setSystemTime(t0 + 3_650_000); // the first token has expired on the server
    expect((await query(USERS)).errors).toBeUndefined();
    expect(oauthCalls()).toBe(2);
    expect(usersStatuses()).toEqual([200, 200, 200]);
  });

  it('50 concurrent requests at expiry: one token call', async () => {
    await startOAuth();
    vi.useFakeTimers({ toFake: ['Date'] });
    expect((await query(USERS)).errors).toBeUndefined();
    vi.setSystemTime(Date.now() + 3_700_000);
    const all = await Promise.all(Array.from({ length: 50 }, () => query(USERS)));
    expect(all.filter((r) => r.errors !== undefined)).toEqual([]);
    expect(oauthCalls()).toBe(2);
    expect(usersStatuses().filter((s) => s === 401)).toEqual([]);
  });

  it('a 401 from the users API renews the token once and resends, for 50 requests at once', async () => {
    // Each of the 50 requests must meet the 401 itself: without this, in-flight dedupe (#18) would
    // let the identical queries share one call.
    await startOAuth({ UPSTREAM_DEDUPE: 'false' });
    expect((await query(USERS)).errors).toBeUndefined();
    h.sandbox.users.expireTokens();
    h.resetCalls();
    const all = await Promise.all(Array.from({ length: 50 }, () => query(USERS)));
    expect(all.filter((r) => r.errors !== undefined)).toEqual([]);
    expect(oauthCalls()).toBe(1);
    const statuses = usersStatuses();
    expect(statuses.filter((s) => s === 200)).toHaveLength(50);
    // Each request met the expired token at most once.
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(50);
  });

  it('a 401 to a freshly renewed token is the answer: no second renewal', async () => {
    await startOAuth({}, { tokenLifetimeSeconds: 0 });
    const response = await query(USERS);
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      upstream: 'users',
    });
    expect(oauthCalls()).toBe(2);
    expect(usersStatuses()).toEqual([401, 401]);
  });

  it('a server that refuses HTTP Basic: client_secret_post', async () => {
    await startOAuth({}, { refuseBasicAuth: true });
    expect((await query(USERS)).errors).toBeUndefined();
    expect(oauthCalls()).toBe(2); // Basic refused, then client_secret_post
  });

  it('bad credentials: UNAUTHENTICATED naming the variables to check; the users API is not called', async () => {
    h = await startHarness({
      env: (sandbox) => ({
        ...oauthEnv(),
        USERS_API_CLIENT_SECRET: 'wrong-secret',
        USERS_API_TOKEN_URL: sandbox.users.tokenUrl,
      }),
      sandbox: { users: { requireAuth: true } },
    });
    const response = await query(USERS);
    const error = response.errors?.[0];
    expect(error?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', upstream: 'users' });
    expect(error?.message).toMatch(/check USERS_API_CLIENT_ID and USERS_API_CLIENT_SECRET/);
    expect(JSON.stringify(response)).not.toMatch(/wrong-secret|client authentication failed/);
    expect(h.logs.join('\n')).not.toContain('wrong-secret');
    expect(h.calls().list).toBe(0);
  });

  it('a wrong password names USERS_API_USERNAME and USERS_API_PASSWORD', async () => {
    await startOAuth({
      USERS_API_USERNAME: passwordUser.username,
      USERS_API_PASSWORD: 'not-the-password',
    });
    const error = (await query(USERS)).errors?.[0];
    expect(error?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', upstream: 'users' });
    expect(error?.message).toMatch(/USERS_API_USERNAME and USERS_API_PASSWORD/);
    expect(JSON.stringify(responses)).not.toContain('not-the-password');
  });

  it('a token endpoint that is down: UPSTREAM_ERROR, and the users API is not called', async () => {
    await startOAuth();
    h.sandbox.users.injectFault({ kind: 'status', status: 503 }, { match: /oauth2/ });
    const error = (await query(USERS)).errors?.[0];
    expect(error?.extensions).toMatchObject({
      code: 'UPSTREAM_ERROR',
      upstream: 'users',
      status: 503,
    });
    expect(h.calls().list).toBe(0);
  });
});

describe('Kazoo user credentials for the vcard API', () => {
  async function startKazoo(): Promise<{ vcard: string }> {
    h = await startHarness({
      env: {
        VCARD_API_USERNAME: kazooUser.username,
        VCARD_API_PASSWORD: kazooUser.password,
        VCARD_API_ACCOUNT_NAME: kazooUser.accountName,
      },
      sandbox: { vcard: { requireAuth: true } },
    });
    const [carded] = usersWithVcardFormat(h.sandbox.dataset, '1001', 'application/json');
    return {
      vcard: `{ vcard(accountId: "1001", userId: "${carded?.id ?? ''}") { formattedName } }`,
    };
  }

  it('PUT /user_auth once; its token reads vCards', async () => {
    const { vcard } = await startKazoo();
    for (let i = 0; i < 3; i++) {
      const response = await query(vcard);
      expect(response.errors).toBeUndefined();
      expect(response.data?.['vcard']).not.toBeNull();
    }
    expect(h.tokenCalls().userAuth).toBe(1);
    expect(h.calls().vcard).toBe(3);
  });

  it('a 401 renews the token once, for 20 requests at once', async () => {
    const { vcard } = await startKazoo();
    expect((await query(vcard)).errors).toBeUndefined();
    h.sandbox.vcard.expireTokens();
    const all = await Promise.all(Array.from({ length: 20 }, () => query(vcard)));
    expect(all.filter((r) => r.errors !== undefined)).toEqual([]);
    expect(h.tokenCalls().userAuth).toBe(2);
  });

  it('wrong credentials: UNAUTHENTICATED naming the three variables', async () => {
    h = await startHarness({
      env: {
        VCARD_API_USERNAME: kazooUser.username,
        VCARD_API_PASSWORD: 'not-the-password',
        VCARD_API_ACCOUNT_NAME: kazooUser.accountName,
      },
      sandbox: { vcard: { requireAuth: true } },
    });
    const [carded] = usersWithVcardFormat(h.sandbox.dataset, '1001', 'application/json');
    const error = (
      await query(`{ vcard(accountId: "1001", userId: "${carded?.id ?? ''}") { formattedName } }`)
    ).errors?.[0];
    expect(error?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', upstream: 'vcard' });
    expect(error?.message).toMatch(
      /check VCARD_API_USERNAME, VCARD_API_PASSWORD and VCARD_API_ACCOUNT_NAME/,
    );
    expect(h.calls().vcard).toBe(0);
  });
});
