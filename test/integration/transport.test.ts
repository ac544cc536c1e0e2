// The end of the chain on a real socket: answers gathered from chunks, the size cap with and
// without Content-Length, and an abort that comes while the call still waits for a connection or
// halfway through the answer.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/errors.js';
import { RequestScope, callOf } from '../../src/upstream/call.js';
import { AttemptStop } from '../../src/upstream/chain.js';
import type { UpstreamRequest } from '../../src/upstream/chain.js';
import { transport } from '../../src/upstream/steps/transport.js';
import { until } from '../support/until.js';

type Route = (req: IncomingMessage, res: ServerResponse) => void;
const routes = new Map<string, Route>();
const open = new Set<ServerResponse>();
let closedEarly = 0;
const server = createServer((req, res) => {
  open.add(res);
  res.on('close', () => {
    open.delete(res);
    if (!res.writableFinished) closedEarly++;
  });
  routes.get(req.url ?? '')?.(req, res);
});
let baseUrl = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/v1`;
});
afterAll(async () => {
  for (const res of open) res.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const get = (path: string, stop?: AttemptStop): UpstreamRequest<string> => ({
  method: 'GET',
  path,
  route: path,
  headers: { accept: 'text/plain' },
  decode: (response) => `${response.contentType}|${response.body}`,
  ...(stop ? { stop } : {}),
});
const call = () => callOf(new RequestScope('r1', Date.now(), { at: Date.now() + 5_000 }), 'x');

describe('transport', () => {
  it('gathers a chunked answer, with its headers, as the decoder sees it', async () => {
    routes.set('/v1/chunks', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-request-id': 'abc' });
      res.write('é'.repeat(10_000));
      setTimeout(() => res.end('end'), 5);
    });
    const wire = transport('users', { baseUrl, maxConcurrency: 2, maxBodyBytes: 100_000 });
    const reply = await wire.send(get('/chunks'), call());
    expect(reply).toMatchObject({ ok: true, status: 200, requestId: 'abc', size: 10_003 });
    expect(reply.ok && reply.value).toBe(`text/plain|${'é'.repeat(10_000)}end`);
    await wire.close();
  });

  it('answers past the size cap are refused, from Content-Length or as they arrive', async () => {
    routes.set('/v1/declared', (_req, res) => {
      res.writeHead(200, { 'content-length': 2_000, 'x-request-id': 'big' });
      res.end('x'.repeat(2_000));
    });
    routes.set('/v1/streamed', (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.write('x'.repeat(900));
      setTimeout(() => res.write('x'.repeat(900)), 5);
      // Never ended: the cap, not the end of the answer, settles the call.
    });
    const wire = transport('users', { baseUrl, maxConcurrency: 2, maxBodyBytes: 1_000 });
    for (const [path, status, requestId] of [
      ['/declared', 200, 'big'],
      ['/streamed', 502, undefined],
    ] as const) {
      const error = await wire.send(get(path), call()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject({ failure: { kind: 'too-large', status }, requestId });
    }
    // The streamed answer's socket was closed, not left to hang.
    await until(() => open.size === 0);
    await wire.close();
  });

  it('an abort while the call waits for a connection settles it at once; it is never sent', async () => {
    let hung = 0;
    let queuedArrived = false;
    routes.set('/v1/hang', () => {
      hung++;
    });
    routes.set('/v1/queued', (_req, res) => {
      queuedArrived = true;
      res.end('late');
    });
    const wire = transport('users', { baseUrl, maxConcurrency: 1, maxBodyBytes: 1_000 });
    const holder = new AttemptStop();
    const holding = wire.send(get('/hang', holder), call()).catch((e: unknown) => e);
    await until(() => hung === 1);
    const waiting = new AttemptStop();
    const queued = wire.send(get('/queued', waiting), call());
    const abortedAt = Date.now();
    waiting.stop('test');
    await expect(queued).rejects.toMatchObject({ failure: { kind: 'timeout' } });
    expect(Date.now() - abortedAt).toBeLessThan(1_000);
    // The connection is still held by the hung call: the aborted one has not gone out.
    expect(queuedArrived).toBe(false);
    holder.stop('test');
    expect(await holding).toMatchObject({ failure: { kind: 'timeout' } });
    // Once the connection is free the aborted call is dropped, not sent.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(queuedArrived).toBe(false);
    await wire.close();
  });

  it('an abort halfway through the answer closes its socket', async () => {
    routes.set('/v1/half', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('half');
    });
    const before = closedEarly;
    const wire = transport('users', { baseUrl, maxConcurrency: 1, maxBodyBytes: 1_000 });
    const attempt = new AttemptStop();
    const pending = wire.send(get('/half', attempt), call());
    await until(() => open.size === 1);
    attempt.stop('test');
    await expect(pending).rejects.toMatchObject({ failure: { kind: 'timeout' } });
    await until(() => closedEarly === before + 1);
    await wire.close();
  });
});
