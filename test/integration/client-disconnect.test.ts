// Clients hanging up mid-query over a real socket: their aborted upstream calls say nothing about
// the upstream's health, so the circuit stays closed and the next caller is served.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Harness } from '../support/harness.js';
import { listenOnLoopback, startHarness } from '../support/harness.js';

let h: Harness;
let server: Awaited<ReturnType<typeof listenOnLoopback>>;
let port: number;

beforeAll(async () => {
  // Six identical queries would share one upstream call (in-flight sharing); this file is about
  // each abandoned call, so each gets its own.
  h = await startHarness({
    sandbox: { latencyMs: 300 },
    hooks: { breakerThreshold: 3 },
    env: { UPSTREAM_DEDUPE: 'false' },
  });
  server = await listenOnLoopback(h.gateway);
  port = server.port;
});
afterAll(async () => {
  await server.close();
  await h.close();
});

const body = JSON.stringify({ query: '{ users(accountId: "1001", first: 2) { totalCount } }' });

/** Sends the query and destroys the socket once the gateway has had time to call upstream. */
function hangUpAfter(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      path: '/graphql',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    req.on('error', () => resolve());
    req.end(body);
    setTimeout(() => {
      req.destroy();
      resolve();
    }, ms);
  });
}

it('six clients hanging up leave the circuit closed; the next query is answered', async () => {
  h.resetCalls();
  await Promise.all(Array.from({ length: 6 }, () => hangUpAfter(100)));
  // The simulator's answers (300 ms) arrive after the hang-ups; let every aborted call settle.
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(h.calls().list).toBe(6);
  expect(h.gateway.services.breakers.users.state).toBe('closed');
  expect(h.logs.filter((l) => l.includes('circuit breaker state changed'))).toEqual([]);
  const abandoned = h.logs.filter((l) => l.includes('the client went away'));
  expect(abandoned).toHaveLength(6);
  expect(h.logs.filter((l) => l.includes('upstream attempt failed'))).toEqual([]);

  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const json = (await res.json()) as { data?: unknown; errors?: unknown };
  expect(json.errors).toBeUndefined();
  expect(json.data).toEqual({ users: { totalCount: 12 } });
});
