// UpstreamCache over the real HTTP layer, against a tiny local server that sends whatever caching
// headers a test wants (the simulators send none, as the upstream docs describe none).
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, OutgoingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/cache/memory.js';
import { UpstreamCache } from '../../src/cache/upstream-cache.js';
import { UpstreamError } from '../../src/errors.js';
import { UpstreamHttp } from '../../src/upstream/http.js';
import type { UpstreamRequest, UpstreamResponse } from '../../src/upstream/http.js';

interface Answer {
  status: number;
  headers?: OutgoingHttpHeaders;
  body?: string;
}

let server: Server;
let baseUrl: string;
let http: UpstreamHttp;
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
  http = new UpstreamHttp('users', baseUrl, {
    maxConcurrency: 4,
    timeoutMs: 5_000,
    maxBodyBytes: 1_000_000,
    maxRetries: 0,
  });
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
  return new UpstreamCache({
    store: new MemoryStore({ maxEntries: 100, maxBytes: 1_000_000 }),
    ttlMs: 60_000,
    baseUrl: url,
  });
}

const deadline = { at: Date.now() + 60_000 };
const decode = (response: UpstreamResponse): unknown => JSON.parse(response.body);

function get(headers: Record<string, string> = { authorization: 'Bearer a' }): UpstreamRequest {
  return { method: 'GET', path: '/things/1', route: '/things/:id', query: { x: 1 }, headers };
}

describe('UpstreamCache', () => {
  it('answers a repeated GET from the cache', async () => {
    expect(await cache.fetch(http, get(), deadline, decode)).toEqual({ n: 1 });
    expect(await cache.fetch(http, get(), deadline, decode)).toEqual({ n: 1 });
    expect(seen).toHaveLength(1);
    expect(cache.stats).toEqual({ hits: 1, misses: 1, revalidated: 0 });
  });

  it('keys by credential (Authorization or X-Auth-Token), query and upstream base URL', async () => {
    await cache.fetch(http, get({ authorization: 'Bearer a' }), deadline, decode);
    await cache.fetch(http, get({ authorization: 'Bearer b' }), deadline, decode);
    await cache.fetch(http, get({ 'x-auth-token': 'a' }), deadline, decode);
    await cache.fetch(http, get({ 'x-auth-token': 'b' }), deadline, decode);
    await cache.fetch(http, { ...get(), query: { x: 2 } }, deadline, decode);
    expect(seen).toHaveLength(5);
    // The same request id does not matter; the same credential does.
    await cache.fetch(http, get({ 'x-auth-token': 'b', 'x-request-id': 'r2' }), deadline, decode);
    expect(seen).toHaveLength(5);
  });

  it('does not share entries between upstreams with the same path over one store', async () => {
    const store = new MemoryStore({ maxEntries: 10, maxBytes: 100_000 });
    const one = new UpstreamCache({ store, ttlMs: 60_000, baseUrl });
    const other = new UpstreamCache({ store, ttlMs: 60_000, baseUrl: `${baseUrl}/v2` });
    await one.fetch(http, get(), deadline, decode);
    await other.fetch(http, get(), deadline, decode);
    expect(seen).toHaveLength(2);
  });

  it('honours Cache-Control: no-store', async () => {
    answer = () => ({ status: 200, headers: { 'cache-control': 'no-store' }, body: '{}' });
    await cache.fetch(http, get(), deadline, decode);
    await cache.fetch(http, get(), deadline, decode);
    expect(seen).toHaveLength(2);
  });

  it('does not keep an answer that is stale at once and has no validator', async () => {
    answer = () => ({ status: 200, headers: { 'cache-control': 'max-age=0' }, body: '{}' });
    await cache.fetch(http, get(), deadline, decode);
    await cache.fetch(http, get(), deadline, decode);
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
    expect(await cache.fetch(http, get(), deadline, decode)).toEqual({ version: 1 });
    expect(await cache.fetch(http, get(), deadline, decode)).toEqual({ version: 1 });
    expect(seen[1]?.['if-none-match']).toBe('"v1"');
    expect(statuses).toEqual([200, 304]);
    expect(cache.stats.revalidated).toBe(1);

    version = 2;
    expect(await cache.fetch(http, get(), deadline, decode)).toEqual({ version: 2 });
    expect(seen[2]?.['if-none-match']).toBe('"v1"');
    expect(await cache.fetch(http, get(), deadline, decode)).toEqual({ version: 2 });
    expect(seen[3]?.['if-none-match']).toBe('"v2"');
    expect(statuses).toEqual([200, 304, 200, 304]);
  });

  it('lets a 304 make the entry fresh again with its own max-age', async () => {
    answer = (headers) =>
      headers['if-none-match'] === '"e"'
        ? { status: 304, headers: { etag: '"e"', 'cache-control': 'max-age=60' } }
        : { status: 200, headers: { etag: '"e"', 'cache-control': 'max-age=0' }, body: '[1]' };
    await cache.fetch(http, get(), deadline, decode);
    await cache.fetch(http, get(), deadline, decode);
    expect(await cache.fetch(http, get(), deadline, decode)).toEqual([1]);
    expect(statuses).toEqual([200, 304]);
  });

  it('gives the upstream’s refusal when a revalidation is refused', async () => {
    answer = (headers) =>
      headers['if-none-match'] === undefined
        ? { status: 200, headers: { etag: '"e"', 'cache-control': 'no-cache' }, body: '[1]' }
        : { status: 401, body: '{}' };
    await cache.fetch(http, get(), deadline, decode);
    const error = await cache.fetch(http, get(), deadline, decode).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).status).toBe(401);
  });

  it('does not keep errors or answers the decoder refused', async () => {
    answer = () => ({ status: 500, body: '{}' });
    await expect(cache.fetch(http, get(), deadline, decode)).rejects.toBeInstanceOf(UpstreamError);
    answer = () => ({ status: 200, body: 'not json' });
    await expect(cache.fetch(http, get(), deadline, decode)).rejects.toThrow();
    answer = () => ({ status: 200, body: '"ok"' });
    expect(await cache.fetch(http, get(), deadline, decode)).toBe('ok');
    expect(await cache.fetch(http, get(), deadline, decode)).toBe('ok');
    expect(seen).toHaveLength(3);
  });

  it('remembers a 404 only where the caller treats it as an answer', async () => {
    answer = () => ({ status: 404, body: '{}' });
    await expect(cache.fetch(http, get(), deadline, decode)).rejects.toBeInstanceOf(UpstreamError);
    await expect(cache.fetch(http, get(), deadline, decode)).rejects.toBeInstanceOf(UpstreamError);
    expect(seen).toHaveLength(2);
    const notFound = { value: null };
    expect(await cache.fetch(http, get(), deadline, decode, notFound)).toBeNull();
    expect(await cache.fetch(http, get(), deadline, decode, notFound)).toBeNull();
    expect(seen).toHaveLength(3);
  });

  it('refuses anything but GET', async () => {
    const put: UpstreamRequest = { ...get(), method: 'PUT', body: '{}' };
    await expect(cache.fetch(http, put, deadline, decode)).rejects.toThrow(/only GET/);
    expect(seen).toHaveLength(0);
  });
});
