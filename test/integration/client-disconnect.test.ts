// Clients hanging up mid-query over a real socket: their aborted upstream calls say nothing about
// the upstream's health, so the circuit stays closed and the next caller is served.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Harness } from '../support/harness.js';
import { listenOnLoopback, startHarness } from '../support/harness.js';
import { until } from '../support/until.js';

let h: Harness;
let server: Awaited<ReturnType<typeof listenOnLoopback>>;
let port: number;

beforeAll(async () => {
  // Six identical queries would share one upstream call (in-flight sharing); this file is about
  // each abandoned call, so each gets its own. The upstream answers after 2 s: the clients hang up
  // once every call has reached it, whatever the machine's load.
  h = await startHarness({
    sandbox: { latencyMs: 2_000 },
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

/** Sends the query over a socket of its own; the function returned hangs up. */
function send(): () => void {
  const req = httpRequest({
    host: '127.0.0.1',
    port,
    path: '/graphql',
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  req.on('error', () => undefined);
  req.end(body);
  return () => req.destroy();
}

it('six clients hanging up leave the circuit closed; the next query is answered', async () => {
  h.resetCalls();
  const hangUps = Array.from({ length: 6 }, send);
  await until(() => h.calls().list === 6, 'six upstream calls');
  for (const hangUp of hangUps) hangUp();
  const abandoned = () => h.logs.filter((l) => l.includes('the client went away'));
  await until(() => abandoned().length === 6, 'six abandoned calls');
  expect(h.calls().list).toBe(6);
  expect(h.gateway.services.breakers.users.state).toBe('closed');
  expect(h.logs.filter((l) => l.includes('circuit breaker state changed'))).toEqual([]);
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
