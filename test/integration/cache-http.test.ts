// The cache step over the real transport, against a tiny local server that sends whatever caching
// headers a test wants (the simulators send none, as the upstream docs describe none).
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, OutgoingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UpstreamError } from '../../src/errors.js';
import { MemoryStore } from '../../src/upstream/cache/memory.js';
import { RequestScope, callOf } from '../../src/upstream/call.js';
import { compose, valueOf } from '../../src/upstream/chain.js';
import type { RawResponse, UpstreamRequest } from '../../src/upstream/chain.js';
import { UpstreamCache } from '../../src/upstream/steps/cache.js';
import { transport } from '../../src/upstream/steps/transport.js';
import type { Transport } from '../../src/upstream/steps/transport.js';

interface Answer {
  status: number;
  headers?: OutgoingHttpHeaders;
  body?: string;
}

let server: Server;
let baseUrl: string;
let http: Transport;
let answer: (headers: IncomingHttpHeaders) => Answer;
let seen: IncomingHttpHeaders[];
let statuses: number[];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers);
    const a = answer(req.headers);
    statuses.push(a.status);
    res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
    res.end(a.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  http = transport('users', { baseUrl, maxConcurrency: 4, maxBodyBytes: 1_000_000 });
});
afterAll(async () => {
  await http.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

let cache: UpstreamCache;
beforeEach(() => {
  seen = [];
  statuses = [];
  answer = () => ({ status: 200, body: '{"n":1}' });
  cache = newCache();
});

function newCache(url = baseUrl): UpstreamCache {
  return new UpstreamCache('users', {
    store: new MemoryStore({ maxEntries: 100, maxBytes: 1_000_000 }),
    ttlMs: 60_000,
    baseUrl: url,
  });
}

const scope = new RequestScope('r1', Date.now(), { at: Date.now() + 60_000 });
const decode = (response: RawResponse): unknown => JSON.parse(response.body);
const answer404 = { schema: z.unknown(), notFoundIsAnswer: true };
const error404 = { schema: z.unknown(), notFoundIsAnswer: false };

function get(
  headers: Record<string, string> = { authorization: 'Bearer a' },
): UpstreamRequest<unknown> {
  return {
    method: 'GET',
    path: '/things/1',
    route: '/things/:id',
    query: { x: 1 },
    headers,
    decode,
    cache: error404,
  };
}

/** The value through `c` then the transport: a 404 is null where the request says it is an answer. */
async function through(c: UpstreamCache, req: UpstreamRequest<unknown>): Promise<unknown> {
  const reply = await compose([{ name: 'cache', step: c.step }], http.send).send(
    req,
    callOf(scope, undefined),
  );
  if (!reply.ok && reply.status === 404 && req.cache?.notFoundIsAnswer === true) return null;
  return valueOf('users', reply);
}

describe('UpstreamCache', () => {
  it('answers a repeated GET from the cache', async () => {
    expect(await through(cache, get())).toEqual({ n: 1 });
    expect(await through(cache, get())).toEqual({ n: 1 });
    expect(seen).toHaveLength(1);
    expect(cache.stats).toEqual({ hits: 1, misses: 1, revalidated: 0 });
  });

  it('keys by credential (Authorization or X-Auth-Token), query and upstream base URL', async () => {
    await through(cache, get({ authorization: 'Bearer a' }));
    await through(cache, get({ authorization: 'Bearer b' }));
    await through(cache, get({ 'x-auth-token': 'a' }));
    await through(cache, get({ 'x-auth-token': 'b' }));
    await through(cache, { ...get(), query: { x: 2 } });
    expect(seen).toHaveLength(5);
    // The same request id does not matter; the same credential does.
    await through(cache, get({ 'x-auth-token': 'b', 'x-request-id': 'r2' }));
    expect(seen).toHaveLength(5);
  });

  it('does not share entries between upstreams with the same path over one store', async () => {
    const store = new MemoryStore({ maxEntries: 10, maxBytes: 100_000 });
    const one = new UpstreamCache('users', { store, ttlMs: 60_000, baseUrl });
    const other = new UpstreamCache('users', { store, ttlMs: 60_000, baseUrl: `${baseUrl}/v2` });
    await through(one, get());
    await through(other, get());
    expect(seen).toHaveLength(2);
  });

  it('honours Cache-Control: no-store', async () => {
    answer = () => ({ status: 200, headers: { 'cache-control': 'no-store' }, body: '{}' });
    await through(cache, get());
    await through(cache, get());
    expect(seen).toHaveLength(2);
  });

  it('does not keep an answer that is stale at once and has no validator', async () => {
    answer = () => ({ status: 200, headers: { 'cache-control': 'max-age=0' }, body: '{}' });
    await through(cache, get());
    await through(cache, get());
    expect(seen).toHaveLength(2);
    expect(seen[1]?.['if-none-match']).toBeUndefined();
  });

  it('revalidates with If-None-Match and serves the kept value on 304', async () => {
    let version = 1;
    answer = (headers) => {
      const etag = `"v${version}"`;
      if (headers['if-none-match'] === etag) {
        return { status: 304, headers: { etag, 'cache-control': 'no-cache' } };
      }
      return {
        status: 200,
        headers: { etag, 'cache-control': 'no-cache' },
        body: JSON.stringify({ version }),
      };
    };
    expect(await through(cache, get())).toEqual({ version: 1 });
    expect(await through(cache, get())).toEqual({ version: 1 });
    expect(seen[1]?.['if-none-match']).toBe('"v1"');
    expect(statuses).toEqual([200, 304]);
    expect(cache.stats.revalidated).toBe(1);

    version = 2;
    expect(await through(cache, get())).toEqual({ version: 2 });
    expect(seen[2]?.['if-none-match']).toBe('"v1"');
    expect(await through(cache, get())).toEqual({ version: 2 });
    expect(seen[3]?.['if-none-match']).toBe('"v2"');
    expect(statuses).toEqual([200, 304, 200, 304]);
  });

  it('lets a 304 make the entry fresh again with its own max-age', async () => {
    answer = (headers) =>
      headers['if-none-match'] === '"e"'
        ? { status: 304, headers: { etag: '"e"', 'cache-control': 'max-age=60' } }
        : { status: 200, headers: { etag: '"e"', 'cache-control': 'max-age=0' }, body: '[1]' };
    await through(cache, get());
    await through(cache, get());
    expect(await through(cache, get())).toEqual([1]);
    expect(statuses).toEqual([200, 304]);
  });

  it('gives the upstream’s refusal when a revalidation is refused', async () => {
    answer = (headers) =>
      headers['if-none-match'] === undefined
        ? { status: 200, headers: { etag: '"e"', 'cache-control': 'no-cache' }, body: '[1]' }
        : { status: 401, body: '{}' };
    await through(cache, get());
    const error = await through(cache, get()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).status).toBe(401);
  });

  it('does not keep errors or answers the decoder refused', async () => {
    answer = () => ({ status: 500, body: '{}' });
    await expect(through(cache, get())).rejects.toBeInstanceOf(UpstreamError);
    answer = () => ({ status: 200, body: 'not json' });
    await expect(through(cache, get())).rejects.toThrow();
    answer = () => ({ status: 200, body: '"ok"' });
    expect(await through(cache, get())).toBe('ok');
    expect(await through(cache, get())).toBe('ok');
    expect(seen).toHaveLength(3);
  });

  it('remembers a 404 only where the caller treats it as an answer', async () => {
    answer = () => ({ status: 404, body: '{}' });
    await expect(through(cache, get())).rejects.toBeInstanceOf(UpstreamError);
    await expect(through(cache, get())).rejects.toBeInstanceOf(UpstreamError);
    expect(seen).toHaveLength(2);
    expect(await through(cache, { ...get(), cache: answer404 })).toBeNull();
    expect(await through(cache, { ...get(), cache: answer404 })).toBeNull();
    expect(seen).toHaveLength(3);
  });

  it('never keeps anything but GET', async () => {
    const put: UpstreamRequest<unknown> = { ...get(), method: 'PUT', body: '{}' };
    expect(await through(cache, put)).toEqual({ n: 1 });
    expect(await through(cache, put)).toEqual({ n: 1 });
    expect(seen).toHaveLength(2);
    expect(cache.stats).toEqual({ hits: 0, misses: 0, revalidated: 0 });
  });
});
