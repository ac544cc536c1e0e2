// The OAuth2 token source against the users simulator's token endpoint, below the gateway: which
// grant is sent, how Basic falls back to client_secret_post, rotation, fallback to the starting
// grant, and what each failure becomes. Token calls are counted exactly from the simulator's log.
import { afterEach, describe, expect, it } from 'vitest';
import {
  OAUTH_TOKEN_PATH,
  SANDBOX_CREDENTIALS,
  startUsersSimulator,
} from '../../../sandbox/index.js';
import type { UsersSimulator, UsersSimulatorOptions } from '../../../sandbox/index.js';
import { codeOf, toGraphQLError } from '../../../src/errors.js';
import { oauth2Token } from '../../../src/upstream/token-sources/oauth2.js';
import type { OAuth2Grant } from '../../../src/upstream/token-sources/oauth2.js';
import { TokenCache } from '../../../src/upstream/token-sources/token-cache.js';
import { upstreamErrorOf } from '../../support/upstream-error.js';

const fetchContext = () => ({ signal: AbortSignal.timeout(5_000), requestId: 'test' });
const caller = (ms: number) => ({ requestId: 'test', deadline: { at: Date.now() + ms } });

const { clientId, clientSecret } = SANDBOX_CREDENTIALS.users.clients[0];
const { username, password } = SANDBOX_CREDENTIALS.users.users[0];
const seededRefresh = SANDBOX_CREDENTIALS.users.refreshTokens[0];

let sim: UsersSimulator;
afterEach(async () => {
  await sim.close();
});

async function start(options: UsersSimulatorOptions = {}): Promise<UsersSimulator> {
  sim = await startUsersSimulator({ requireAuth: true, ...options });
  return sim;
}

function source(grant: OAuth2Grant, secret: string = clientSecret) {
  return oauth2Token({ tokenUrl: sim.tokenUrl, clientId, clientSecret: secret, grant });
}

const tokenCalls = () => sim.log.filter((r) => r.path === OAUTH_TOKEN_PATH);
const fetchOnce = (fetchToken: ReturnType<typeof source>) => fetchToken(fetchContext());

/** The users API with this Authorization header value: 200 when the token is good. */
async function usersStatus(authorization: string): Promise<number> {
  const res = await fetch(`${sim.url}/accounts/1001/users?page_size=1`, {
    headers: { authorization },
  });
  await res.body?.cancel();
  return res.status;
}

describe('OAuth2 token source (users simulator)', () => {
  it('client_credentials: one token call, HTTP Basic, a bearer token the users API accepts', async () => {
    await start();
    const token = await fetchOnce(source({ type: 'client_credentials' }));
    expect(token.value).toMatch(/^Bearer sim-users-at-/);
    expect(token.lifetimeSeconds).toBe(3600);
    expect(tokenCalls()).toHaveLength(1);
    expect(tokenCalls()[0]?.headers['authorization']).toMatch(/^Basic /);
    expect(await usersStatus(token.value)).toBe(200);
  });

  it('password: the next token comes from the refresh token, not the password again', async () => {
    // Our own copy of the users, so the password can be withdrawn after the first grant.
    const users = [{ username, password }];
    await start({ credentials: { ...SANDBOX_CREDENTIALS.users, users } });
    const fetchToken = source({ type: 'password', username, password });
    const first = await fetchOnce(fetchToken);
    expect(await usersStatus(first.value)).toBe(200);
    users.length = 0; // a password grant would now be refused
    const second = await fetchOnce(fetchToken);
    expect(second.value).not.toBe(first.value);
    expect(await usersStatus(second.value)).toBe(200);
    expect(tokenCalls()).toHaveLength(2);
  });

  it('refresh_token: rotated refresh tokens are kept (the seeded one works once)', async () => {
    await start();
    const fetchToken = source({ type: 'refresh_token', refreshToken: seededRefresh });
    const values = [];
    for (let i = 0; i < 3; i++) values.push((await fetchOnce(fetchToken)).value);
    expect(new Set(values).size).toBe(3);
    for (const value of values.slice(-1)) expect(await usersStatus(value)).toBe(200);
    expect(tokenCalls()).toHaveLength(3);
  });

  it('a refused refresh falls back to the grant it started from (password)', async () => {
    await start();
    const fetchToken = source({ type: 'password', username, password });
    await fetchOnce(fetchToken);
    sim.revokeTokens(); // the refresh token issued with it is gone
    const token = await fetchOnce(fetchToken);
    expect(await usersStatus(token.value)).toBe(200);
    // password, then refresh_token (refused) and password again
    expect(tokenCalls().map((r) => r.status)).toEqual([200, 400, 200]);
  });

  it('a server that refuses Basic gets client_secret_post, from then on at once', async () => {
    await start({ refuseBasicAuth: true });
    const fetchToken = source({ type: 'client_credentials' });
    const first = await fetchOnce(fetchToken);
    expect(await usersStatus(first.value)).toBe(200);
    expect(tokenCalls().map((r) => [r.status, r.headers['authorization'] !== undefined])).toEqual([
      [401, true],
      [200, false],
    ]);
    await fetchOnce(fetchToken);
    expect(tokenCalls()).toHaveLength(3);
    expect(tokenCalls()[2]?.headers['authorization']).toBeUndefined();
  });

  it('a wrong client secret: UNAUTHENTICATED naming the client variables, nothing echoed', async () => {
    await start();
    const error = await upstreamErrorOf(
      fetchOnce(source({ type: 'client_credentials' }, 'wrong-secret')),
    );
    expect(error.failure).toEqual({
      kind: 'credentials-refused',
      check: ['USERS_API_CLIENT_ID', 'USERS_API_CLIENT_SECRET'],
    });
    const shown = toGraphQLError(error);
    expect(shown?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', upstream: 'users' });
    expect(shown?.message).toContain('USERS_API_CLIENT_SECRET');
    expect(JSON.stringify(shown)).not.toMatch(/wrong-secret|client authentication failed/);
    // Basic refused, then client_secret_post refused too: the secret is wrong, not the method.
    expect(tokenCalls()).toHaveLength(2);
  });

  it('a wrong password names USERS_API_USERNAME and USERS_API_PASSWORD', async () => {
    await start();
    const error = await upstreamErrorOf(
      fetchOnce(source({ type: 'password', username, password: 'not-the-password' })),
    );
    expect(error.failure).toEqual({
      kind: 'credentials-refused',
      check: ['USERS_API_USERNAME', 'USERS_API_PASSWORD'],
    });
    expect(error.message).not.toContain('not-the-password');
    expect(tokenCalls()).toHaveLength(1);
  });

  it('an unknown refresh token names USERS_API_REFRESH_TOKEN', async () => {
    await start();
    const error = await upstreamErrorOf(
      fetchOnce(source({ type: 'refresh_token', refreshToken: 'never-issued' })),
    );
    expect(error.failure).toEqual({
      kind: 'credentials-refused',
      check: ['USERS_API_REFRESH_TOKEN'],
    });
    expect(codeOf(error)).toBe('UNAUTHENTICATED');
  });

  it('a token endpoint that answers 503 or garbage, or is not there: UPSTREAM_ERROR', async () => {
    await start();
    sim.injectFault({ kind: 'status', status: 503 }, { match: /oauth2/ });
    const unavailable = await upstreamErrorOf(fetchOnce(source({ type: 'client_credentials' })));
    expect(unavailable.failure).toEqual({ kind: 'token-endpoint', problem: 'status', status: 503 });
    expect(codeOf(unavailable)).toBe('UPSTREAM_ERROR');

    sim.injectFault({ kind: 'malformed' }, { match: /oauth2/ });
    const garbled = await upstreamErrorOf(fetchOnce(source({ type: 'client_credentials' })));
    expect(garbled.failure).toEqual({ kind: 'token-endpoint', problem: 'malformed' });

    const page = {
      kind: 'status',
      status: 200,
      contentType: 'text/html',
      body: '<h1>Hi</h1>',
    } as const;
    sim.injectFault(page, { match: /oauth2/ });
    const html = await upstreamErrorOf(fetchOnce(source({ type: 'client_credentials' })));
    expect(html.failure).toEqual({ kind: 'token-endpoint', problem: 'malformed' });

    // A token answer padded past 64 KiB: refused before it is parsed (it would parse as a token).
    const padded = {
      kind: 'status',
      status: 200,
      contentType: 'application/json',
      body: `{"access_token":"at","token_type":"bearer","expires_in":60}${' '.repeat(70_000)}`,
    } as const;
    sim.injectFault(padded, { match: /oauth2/ });
    const huge = await upstreamErrorOf(fetchOnce(source({ type: 'client_credentials' })));
    expect(huge.failure).toEqual({ kind: 'token-endpoint', problem: 'malformed' });

    const tokenUrl = sim.tokenUrl;
    await sim.close();
    const gone = await upstreamErrorOf(
      oauth2Token({ tokenUrl, clientId, clientSecret, grant: { type: 'client_credentials' } })(
        fetchContext(),
      ),
    );
    expect(gone.failure).toEqual({ kind: 'token-endpoint', problem: 'unreachable' });
    expect(codeOf(gone)).toBe('UPSTREAM_ERROR');
    sim = await startUsersSimulator(); // for afterEach
  });

  it('a token endpoint that hangs: the fetch gives up on its own timeout', async () => {
    await start();
    sim.injectFault({ kind: 'hang' }, { match: /oauth2/ });
    const cache = new TokenCache(source({ type: 'client_credentials' }), {
      upstream: 'users',
      timeoutMs: 200,
    });
    const started = Date.now();
    const error = await upstreamErrorOf(cache.token(caller(60_000)));
    expect(error.failure).toEqual({ kind: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('50 concurrent callers at expiry: one token call', async () => {
    await start({ tokenLifetimeSeconds: 1 });
    const cache = new TokenCache(source({ type: 'client_credentials' }), {
      upstream: 'users',
      timeoutMs: 5_000,
    });
    const wait = () => caller(10_000);
    const first = await cache.token(wait());
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await usersStatus(first)).toBe(401); // expired on the server too
    sim.reset();
    const values = await Promise.all(Array.from({ length: 50 }, () => cache.token(wait())));
    expect(new Set(values).size).toBe(1);
    expect(values[0]).not.toBe(first);
    expect(tokenCalls()).toHaveLength(1);
    expect(await usersStatus(values[0] ?? '')).toBe(200);
  });
});
