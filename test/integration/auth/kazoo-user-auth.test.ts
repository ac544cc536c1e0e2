// The Kazoo user_auth token source against the vcard simulator's PUT /user_auth, below the gateway.
import { afterEach, describe, expect, it } from 'vitest';
import {
  SANDBOX_CREDENTIALS,
  createDataset,
  startVcardSimulator,
  usersWithVcardFormat,
} from '../../../sandbox/index.js';
import type { VcardSimulator } from '../../../sandbox/index.js';
import { UpstreamError, codeOf, toGraphQLError } from '../../../src/errors.js';
import { kazooUserAuth } from '../../../src/upstream/token-sources/kazoo-user-auth.js';
import type { KazooUserAuthSettings } from '../../../src/upstream/token-sources/kazoo-user-auth.js';

const fetchContext = () => ({ signal: AbortSignal.timeout(5_000), requestId: 'test' });

const operator = SANDBOX_CREDENTIALS.vcard.users[0];
const dataset = createDataset();
const [carded] = usersWithVcardFormat(dataset, '1001', 'application/json');

let sim: VcardSimulator;
afterEach(async () => {
  await sim.close();
});

function settings(overrides: Partial<KazooUserAuthSettings> = {}): KazooUserAuthSettings {
  return {
    baseUrl: sim.url,
    username: operator.username,
    password: operator.password,
    accountName: operator.accountName,
    ...overrides,
  };
}

const userAuthCalls = () => sim.log.filter((r) => r.path === '/user_auth');

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof UpstreamError))
    throw new Error(`expected an UpstreamError: ${String(error)}`);
  return error;
}

describe('Kazoo user_auth token source (vcard simulator)', () => {
  it('PUT /user_auth with md5("user:pass") and the account name: an X-Auth-Token the API accepts', async () => {
    sim = await startVcardSimulator({ dataset, requireAuth: true });
    const token = await kazooUserAuth(settings())(fetchContext());
    expect(token.lifetimeSeconds).toBeUndefined();
    expect(userAuthCalls().map((r) => [r.method, r.status])).toEqual([['PUT', 201]]);
    const read = (authToken: string) =>
      fetch(`${sim.url}/accounts/1001/users/${carded?.id ?? ''}/vcard`, {
        headers: { 'x-auth-token': authToken },
      }).then(async (res) => {
        await res.body?.cancel();
        return res.status;
      });
    expect(await read(token.value)).toBe(200);
    expect(await read('not-a-token')).toBe(401);
  });

  it('wrong credentials: UNAUTHENTICATED naming the three variables, nothing echoed', async () => {
    sim = await startVcardSimulator({ requireAuth: true });
    const error = await failure(
      kazooUserAuth(settings({ password: 'not-the-password' }))(fetchContext()),
    );
    expect(error.failure).toEqual({
      kind: 'credentials-refused',
      check: ['VCARD_API_USERNAME', 'VCARD_API_PASSWORD', 'VCARD_API_ACCOUNT_NAME'],
    });
    const shown = toGraphQLError(error);
    expect(shown?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', upstream: 'vcard' });
    expect(JSON.stringify(shown)).not.toMatch(/not-the-password|invalid credentials/);
    expect(userAuthCalls()).toHaveLength(1);
  });

  it('an endpoint that answers 503 or cannot be reached: UPSTREAM_ERROR', async () => {
    sim = await startVcardSimulator({ requireAuth: true });
    sim.injectFault({ kind: 'status', status: 503 }, { match: /user_auth/ });
    const unavailable = await failure(kazooUserAuth(settings())(fetchContext()));
    expect(unavailable.failure).toEqual({ kind: 'token-endpoint', problem: 'status', status: 503 });
    expect(codeOf(unavailable)).toBe('UPSTREAM_ERROR');

    const down = settings();
    await sim.close();
    const gone = await failure(kazooUserAuth(down)(fetchContext()));
    expect(gone.failure).toEqual({ kind: 'token-endpoint', problem: 'unreachable' });
    sim = await startVcardSimulator(); // for afterEach
  });
});
