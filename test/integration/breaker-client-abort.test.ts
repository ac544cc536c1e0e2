// A client that goes away aborts its upstream calls; that must not count against the upstream.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSandbox } from '../../sandbox/index.js';
import { CircuitBreaker } from '../../src/upstream/circuit-breaker.js';
import { UpstreamHttp } from '../../src/upstream/http.js';

let sandbox: Awaited<ReturnType<typeof startSandbox>>;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());

const request = {
  method: 'GET' as const,
  path: '/accounts/1001/users',
  route: '/accounts/:account_id/users',
  headers: { authorization: 'Bearer x' },
};

function client(breaker: CircuitBreaker): UpstreamHttp {
  return new UpstreamHttp('users', sandbox.users.url, {
    maxConcurrency: 2,
    timeoutMs: 5_000,
    maxBodyBytes: 1_000_000,
    breaker,
  });
}

it('a client abort leaves the circuit closed; an upstream timeout opens it', async () => {
  const breaker = new CircuitBreaker({ threshold: 1 });
  const http = client(breaker);
  sandbox.users.injectFault({ kind: 'hang' }, { times: 1 });
  const aborted = http.request(request, {
    at: Date.now() + 5_000,
    signal: AbortSignal.timeout(50),
  });
  await expect(aborted).rejects.toMatchObject({ failure: { kind: 'timeout' } });
  expect(breaker.state).toBe('closed');

  sandbox.users.injectFault({ kind: 'hang' }, { times: 1 });
  const timedOut = http.request(request, { at: Date.now() + 50 });
  await expect(timedOut).rejects.toMatchObject({ failure: { kind: 'timeout' } });
  expect(breaker.state).toBe('open');
  await http.close();
});
