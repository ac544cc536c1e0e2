// The Kazoo user_auth token source against the vcard simulator's PUT /user_auth, below the gateway:
// over the same exchange chain as api_auth (deadline step and transport).
import { afterEach, describe, expect, it } from 'vitest';
import {
  SANDBOX_CREDENTIALS,
  createDataset,
  startVcardSimulator,
  usersWithVcardFormat,
} from '../../../sandbox/index.js';
import type { VcardSimulator } from '../../../sandbox/index.js';
import { codeOf, toGraphQLError } from '../../../src/errors.js';
import { compose } from '../../../src/upstream/chain.js';
import { deadline } from '../../../src/upstream/steps/deadline.js';
import { transport } from '../../../src/upstream/steps/transport.js';
import type { Transport } from '../../../src/upstream/steps/transport.js';
import { kazooUserAuth } from '../../../src/upstream/token-sources/kazoo-user-auth.js';
import type { KazooUserAuthSettings } from '../../../src/upstream/token-sources/kazoo-user-auth.js';
import { upstreamErrorOf } from '../../support/upstream-error.js';

const operator = SANDBOX_CREDENTIALS.vcard.users[0];
const dataset = createDataset();
const [carded] = usersWithVcardFormat(dataset, '1001', 'application/json');
const fetchContext = () => ({ signal: new AbortController().signal, requestId: 'test-1' });

let sim: VcardSimulator;
let wire: Transport;
afterEach(async () => {
  await wire.close();
  await sim.close();
});

async function start(): Promise<void> {
  sim = await startVcardSimulator({ dataset, requireAuth: true });
  wire = transport('vcard', { baseUrl: sim.url, maxConcurrency: 2, maxBodyBytes: 65_536 });
}

function source(overrides: Partial<KazooUserAuthSettings> = {}) {
  const send = compose(
    [{ name: 'deadline', step: deadline('vcard', { timeoutMs: 2_000 }) }],
    wire.send,
  ).send;
  return kazooUserAuth(
    {
      username: operator.username,
      password: operator.password,
      accountName: operator.accountName,
      ...overrides,
    },
    send,
    2_000,
  );
}

const userAuthCalls = () => sim.log.filter((r) => r.path === '/user_auth');

describe('Kazoo user_auth token source (vcard simulator)', () => {
  it('PUT /user_auth with md5("user:pass") and the account name: an X-Auth-Token the API accepts', async () => {
    await start();
    const token = await source()(fetchContext());
    expect(token.lifetimeSeconds).toBeUndefined();
    expect(userAuthCalls().map((r) => [r.method, r.status, r.headers['x-request-id']])).toEqual([
      ['PUT', 201, 'test-1'],
    ]);
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
    await start();
    const error = await upstreamErrorOf(source({ password: 'not-the-password' })(fetchContext()));
    expect(error.failure).toEqual({
      kind: 'credentials-refused',
      check: ['VCARD_API_USERNAME', 'VCARD_API_PASSWORD', 'VCARD_API_ACCOUNT_NAME'],
    });
    const shown = toGraphQLError(error);
    expect(shown?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', upstream: 'vcard' });
    expect(JSON.stringify(shown)).not.toMatch(/not-the-password|invalid credentials/);
    expect(userAuthCalls()).toHaveLength(1);
  });

  it('an endpoint that answers 503, hangs or cannot be reached: UPSTREAM_ERROR / UPSTREAM_TIMEOUT', async () => {
    await start();
    sim.injectFault({ kind: 'status', status: 503 }, { match: /user_auth/ });
    const unavailable = await upstreamErrorOf(source()(fetchContext()));
    expect(unavailable.failure).toEqual({ kind: 'token-endpoint', problem: 'status', status: 503 });
    expect(codeOf(unavailable)).toBe('UPSTREAM_ERROR');

    sim.injectFault({ kind: 'hang' }, { match: /user_auth/ });
    const slow = await upstreamErrorOf(source()(fetchContext()));
    expect(codeOf(slow)).toBe('UPSTREAM_TIMEOUT');

    await sim.close();
    const gone = await upstreamErrorOf(source()(fetchContext()));
    expect(codeOf(gone)).toBe('UPSTREAM_ERROR');
    sim = await startVcardSimulator(); // for afterEach
  });
});
