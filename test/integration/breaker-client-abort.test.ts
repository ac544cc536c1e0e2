// A client that goes away aborts its upstream calls; that must not count against the upstream.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSandbox } from '../../sandbox/index.js';
import { RequestScope, callOf } from '../../src/upstream/call.js';
import type { Deadline } from '../../src/upstream/call.js';
import { compose } from '../../src/upstream/chain.js';
import type { UpstreamRequest } from '../../src/upstream/chain.js';
import { CircuitBreaker } from '../../src/upstream/circuit-breaker.js';
import { breaker } from '../../src/upstream/steps/breaker.js';
import { deadline } from '../../src/upstream/steps/deadline.js';
import { transport } from '../../src/upstream/steps/transport.js';

let sandbox: Awaited<ReturnType<typeof startSandbox>>;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());

const request: UpstreamRequest<string> = {
  method: 'GET',
  path: '/accounts/1001/users',
  route: '/accounts/:account_id/users',
  headers: { authorization: 'Bearer x' },
  decode: (response) => response.body,
};

it('a client abort leaves the circuit closed; an upstream timeout opens it', async () => {
  const circuit = new CircuitBreaker({ threshold: 1 });
  const pool = transport('users', {
    baseUrl: sandbox.users.url,
    maxConcurrency: 2,
    maxBodyBytes: 1_000_000,
  });
  const { send } = compose(
    [
      { name: 'deadline', step: deadline('users', { timeoutMs: 5_000 }) },
      { name: 'breaker', step: breaker('users', circuit) },
    ],
    pool.send,
  );
  const call = (d: Deadline) => callOf(new RequestScope('r1', Date.now(), d), 'Bearer x');

  sandbox.users.injectFault({ kind: 'hang' }, { times: 1 });
  const aborted = send(request, call({ at: Date.now() + 5_000, signal: AbortSignal.timeout(50) }));
  await expect(aborted).rejects.toMatchObject({ failure: { kind: 'timeout' } });
  expect(circuit.state).toBe('closed');

  sandbox.users.injectFault({ kind: 'hang' }, { times: 1 });
  const timedOut = send(request, call({ at: Date.now() + 50 }));
  await expect(timedOut).rejects.toMatchObject({ failure: { kind: 'timeout' } });
  expect(circuit.state).toBe('open');
  await pool.close();
});
