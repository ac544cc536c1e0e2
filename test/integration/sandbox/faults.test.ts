// The shared simulator machinery, exercised through the users simulator over real HTTP: every fault
// kind, FIFO/times/match, the request log, the concurrency counters, latency and a quick close.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../../sandbox/index.js';
import type { Sandbox } from '../../../sandbox/index.js';
import { until } from '../../support/until.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
afterEach(() => {
  sandbox.users.latencyMs = 0;
  sandbox.vcard.latencyMs = 0;
  sandbox.users.reset();
  sandbox.vcard.reset();
});

const list = (query = '', signal?: AbortSignal) =>
  fetch(`${sandbox.users.url}/accounts/1001/users${query}`, signal ? { signal } : {});

describe('status faults', () => {
  it('answer the status with Retry-After and the upstream error shape, then the real answer', async () => {
    sandbox.users.injectFault({ kind: 'status', status: 429, retryAfter: '2' });
    const limited = await list();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(await limited.json()).toEqual({ error: expect.any(String) });
    expect((await list()).status).toBe(200);
  });

  it('use the vcard error shape with a matching X-Request-ID on the vcard simulator', async () => {
    const user = sandbox.dataset.accounts.get('1001')?.[0];
    sandbox.vcard.injectFault({ kind: 'status', status: 503 });
    const res = await fetch(`${sandbox.vcard.url}/accounts/1001/users/${user?.id}/vcard`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { code: string; message: string; request_id: string };
    expect(body).toEqual({
      code: expect.any(String),
      message: expect.any(String),
      request_id: expect.any(String),
    });
    expect(res.headers.get('x-request-id')).toBe(body.request_id);
  });

  it('send a given body and content type; an injected request_id is also the header', async () => {
    sandbox.vcard.injectFault({
      kind: 'status',
      status: 500,
      body: '{"code":"boom","message":"secret internals","request_id":"rq-77"}',
      contentType: 'application/json',
    });
    const res = await fetch(`${sandbox.vcard.url}/accounts/1001/users/1/vcard`);
    expect(res.status).toBe(500);
    expect(res.headers.get('x-request-id')).toBe('rq-77');
    expect(await res.text()).toContain('secret internals');
  });
});

describe('transport faults', () => {
  it('hang: no answer until the client gives up; the next request is served', async () => {
    sandbox.users.injectFault({ kind: 'hang' });
    const started = Date.now();
    await expect(list('', AbortSignal.timeout(150))).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await until(() => sandbox.users.inFlight === 0);
    expect((await list()).status).toBe(200);
    expect(sandbox.users.log.map((r) => r.status)).toEqual([undefined, 200]);
  });

  it('reset: the connection drops before any answer', async () => {
    sandbox.users.injectFault({ kind: 'reset' });
    await expect(list()).rejects.toThrow(TypeError);
    expect((await list()).status).toBe(200);
  });

  it('malformed: 200 application/json that is not JSON', async () => {
    sandbox.users.injectFault({ kind: 'malformed' });
    const res = await list();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await res.text();
    expect(() => JSON.parse(text) as unknown).toThrow(SyntaxError);
  });

  it('truncate: headers promise more bytes than arrive, then the connection drops', async () => {
    sandbox.users.injectFault({ kind: 'truncate' });
    const res = await list();
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('content-length'))).toBeGreaterThan(0);
    await expect(res.text()).rejects.toThrow();
  });

  it('delayMs: the real answer, late', async () => {
    sandbox.users.injectFault({ kind: 'delay', ms: 120 });
    const started = Date.now();
    const res = await list();
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    expect(((await res.json()) as { total_items: number }).total_items).toBe(12);
  });

  it('until: the real answer, held until the promise settles', async () => {
    let release = (): void => {};
    sandbox.users.injectFault({
      kind: 'until',
      until: new Promise<void>((resolve) => (release = resolve)),
    });
    let answered = false;
    const pending = list().then((res) => {
      answered = true;
      return res;
    });
    await until(() => sandbox.users.inFlight === 1);
    // Other requests are not held behind it.
    expect((await list()).status).toBe(200);
    expect(answered).toBe(false);
    release();
    const res = await pending;
    expect(((await res.json()) as { total_items: number }).total_items).toBe(12);
  });

  it('hugeBody: exactly that many bytes of valid JSON', async () => {
    sandbox.users.injectFault({ kind: 'huge-body', bytes: 3_000_000 });
    const res = await list();
    expect(res.headers.get('content-length')).toBe('3000000');
    const text = await res.text();
    expect(Buffer.byteLength(text)).toBe(3_000_000);
    expect(() => JSON.parse(text) as unknown).not.toThrow();
  });

  it('hugeBody with chunked: the same bytes without content-length', async () => {
    sandbox.users.injectFault({ kind: 'huge-body', bytes: 300_000, chunked: true });
    const res = await list();
    expect(res.headers.get('content-length')).toBeNull();
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const text = await res.text();
    expect(Buffer.byteLength(text)).toBe(300_000);
    expect(() => JSON.parse(text) as unknown).not.toThrow();
  });

  it('contentType + body: a 200 of any type', async () => {
    sandbox.users.injectFault({
      kind: 'status',
      status: 200,
      contentType: 'text/html',
      body: '<h1>maintenance</h1>',
    });
    const res = await list();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toBe('<h1>maintenance</h1>');
  });
});

describe('fault queue', () => {
  it('is FIFO, honours times, and only matching paths consume a matched fault', async () => {
    const [a, b] = sandbox.dataset.accounts.get('1001') ?? [];
    sandbox.users.injectFault(
      { kind: 'status', status: 502 },
      { times: 2, match: new RegExp(`/users/${b?.id}$`) },
    );
    sandbox.users.injectFault({ kind: 'status', status: 503 });
    sandbox.users.injectFault({ kind: 'status', status: 504 });
    const one = (id: number | undefined) => fetch(`${sandbox.users.url}/accounts/1001/users/${id}`);
    expect((await one(a?.id)).status).toBe(503);
    expect((await one(b?.id)).status).toBe(502);
    expect((await one(a?.id)).status).toBe(504);
    expect((await one(a?.id)).status).toBe(200);
    expect((await one(b?.id)).status).toBe(502);
    expect((await one(b?.id)).status).toBe(200);
  });

  it('clearFaults and reset drop queued faults', async () => {
    sandbox.users.injectFault({ kind: 'status', status: 500 }, { times: Infinity });
    expect((await list()).status).toBe(500);
    sandbox.users.clearFaults();
    expect((await list()).status).toBe(200);
    sandbox.users.injectFault({ kind: 'status', status: 500 });
    sandbox.users.reset();
    expect((await list()).status).toBe(200);
  });
});

describe('request log and counters', () => {
  it('records method, path, query, headers and status; reset clears it in place', async () => {
    const log = sandbox.users.log;
    await list('?page=2&first_name=Zo%C3%AB');
    await fetch(`${sandbox.users.url}/accounts/9999/users`, {
      headers: { 'x-request-id': 'req-1' },
    });
    expect(log).toHaveLength(2);
    expect(log[0]).toMatchObject({
      method: 'GET',
      path: '/accounts/1001/users',
      query: { page: '2', first_name: 'Zoë' },
      status: 200,
    });
    expect(log[0]?.at).toBeGreaterThan(Date.now() - 5000);
    expect(log[1]).toMatchObject({ status: 404, headers: { 'x-request-id': 'req-1' } });
    sandbox.users.reset();
    expect(log).toHaveLength(0);
    expect(sandbox.users.maxInFlight).toBe(0);
  });

  it('counts requests in flight and their maximum; latencyMs delays every request', async () => {
    // Long enough for 12 fresh connections to arrive while the first is still held, even when a
    // parallel test file keeps the CPU busy (60 ms was seen to be flaky under load).
    sandbox.users.latencyMs = 250;
    const started = Date.now();
    const pending = Array.from({ length: 12 }, () => list());
    await until(() => sandbox.users.inFlight === 12);
    const answers = await Promise.all(pending);
    expect(answers.every((r) => r.status === 200)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    expect(sandbox.users.maxInFlight).toBe(12);
    await until(() => sandbox.users.inFlight === 0);
    expect(sandbox.vcard.maxInFlight).toBe(0);
  });

  it('close() is quick even with hung requests and idle keep-alive sockets', async () => {
    const own = await startSandbox();
    await fetch(`${own.users.url}/accounts/1002/users`).then((r) => r.text());
    own.users.injectFault({ kind: 'hang' }, { times: 3 });
    const hung = Array.from({ length: 3 }, () =>
      fetch(`${own.users.url}/accounts/1001/users`).catch(() => 'dropped'),
    );
    await until(() => own.users.inFlight === 3);
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(500);
    expect(await Promise.all(hung)).toEqual(['dropped', 'dropped', 'dropped']);
  });
});
