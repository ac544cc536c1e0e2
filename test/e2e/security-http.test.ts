// HTTP-level hardening: batching cap, request body cap (declared and streamed), CSRF prevention,
// production switches for GraphiQL and introspection, and masking of unexpected errors.
import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { listenOnLoopback, startHarness } from '../support/harness.js';
import type { Harness } from '../support/harness.js';

const URL_ = 'http://localhost/graphql';
/** Would cost one list call upstream if it ran. */
const LIST = '{ users(accountId: "1002") { totalCount } }';
const NO_CALLS = { list: 0, user: 0, vcard: 0, apiAuth: 0 };

describe('batching (MAX_BATCH_SIZE, default 10)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.resetCalls());

  const batch = (n: number) =>
    h.gateway.yoga.fetch(URL_, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(Array.from({ length: n }, () => ({ query: LIST }))),
    });

  it('runs a batch within the cap, one result per operation', async () => {
    const response = await batch(10);
    expect(response.status).toBe(200);
    const results = (await response.json()) as { data: unknown }[];
    expect(results).toHaveLength(10);
    for (const r of results) expect(r).toEqual({ data: { users: { totalCount: 0 } } });
  });

  it('refuses a batch over the cap as a whole, before any upstream call', async () => {
    const response = await batch(11);
    expect(response.status).toBe(413);
    const body = (await response.json()) as { errors: { message: string }[] };
    expect(body.errors[0]?.message).toBe('Batching is limited to 10 operations per request.');
    expect(h.calls()).toEqual(NO_CALLS);
  });

  it('MAX_BATCH_SIZE=0 turns batching off', async () => {
    const off = await startHarness({ env: { MAX_BATCH_SIZE: '0' } });
    try {
      const response = await off.gateway.yoga.fetch(URL_, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify([{ query: LIST }]),
      });
      const body = (await response.json()) as { errors: { message: string }[] };
      expect(body.errors[0]?.message).toBe('Batching is not supported.');
      expect(off.calls()).toEqual(NO_CALLS);
    } finally {
      await off.close();
    }
  });
});

describe('request body cap (MAX_REQUEST_BYTES, default 100 kB)', () => {
  let h: Harness;
  let server: Awaited<ReturnType<typeof listenOnLoopback>>;
  let port: number;
  beforeAll(async () => {
    h = await startHarness();
    server = await listenOnLoopback(h.gateway);
    port = server.port;
  });
  afterAll(async () => {
    await server.close();
    await h.close();
  });
  beforeEach(() => h.resetCalls());

  /** A JSON body of exactly `size` bytes running LIST (the padding is an unused variable). */
  const bodyOf = (size: number): string => {
    const empty = JSON.stringify({ query: LIST, variables: { pad: '' } });
    return JSON.stringify({ query: LIST, variables: { pad: 'x'.repeat(size - empty.length) } });
  };

  /**
   * Sends `head` and keeps the request open (never ends it): an answer can only come from a
   * server that decided without the rest of the body. Fails if none comes within 5 s.
   */
  const answerWhileOpen = (headers: Record<string, string>, head: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      });
      const timer = setTimeout(() => {
        req.destroy();
        reject(new Error('no answer while the request body was still open'));
      }, 5000);
      req.on('response', (res: IncomingMessage) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => {
          clearTimeout(timer);
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body });
        });
      });
      req.on('error', () => undefined);
      req.write(head);
    });

  it('accepts a body just under the cap', async () => {
    const body = bodyOf(100 * 1024);
    expect(Buffer.byteLength(body)).toBe(102_400);
    const response = await h.gateway.yoga.fetch(URL_, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { users: { totalCount: 0 } } });
  });

  it('refuses a larger Content-Length with 413 before reading the body', async () => {
    const answer = await answerWhileOpen({ 'content-length': String(102_401) }, '{"query":');
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({
      errors: [
        { message: 'Request body too large', extensions: { code: 'REQUEST_ENTITY_TOO_LARGE' } },
      ],
    });
    expect(h.calls()).toEqual(NO_CALLS);
  });

  it('refuses a streamed (chunked) body once it passes the cap, without waiting for its end', async () => {
    // No Content-Length: Node sends the body chunked. 150 kB are sent, the end never is.
    const answer = await answerWhileOpen({}, bodyOf(150 * 1024).slice(0, 150 * 1024));
    expect(answer.status).toBe(413);
    expect(answer.body).toContain('REQUEST_ENTITY_TOO_LARGE');
    expect(h.calls()).toEqual(NO_CALLS);
  });

  it('MAX_REQUEST_BYTES sets the cap', async () => {
    const small = await startHarness({ env: { MAX_REQUEST_BYTES: '1000' } });
    try {
      const send = (size: number) =>
        small.gateway.yoga.fetch(URL_, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: bodyOf(size),
        });
      expect((await send(1000)).status).toBe(200);
      expect((await send(1001)).status).toBe(413);
    } finally {
      await small.close();
    }
  });
});

describe('CSRF prevention', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.resetCalls());

  const get = (headers: Record<string, string> = {}) =>
    h.gateway.yoga.fetch(`${URL_}?query=${encodeURIComponent(LIST)}`, {
      headers: { accept: 'application/json', ...headers },
    });
  const post = (contentType: string, body: string | FormData) =>
    h.gateway.yoga.fetch(URL_, {
      method: 'POST',
      headers:
        contentType === ''
          ? { accept: 'application/json' }
          : { 'content-type': contentType, accept: 'application/json' },
      body,
    });
  const refused = async (response: Response) => {
    expect(response.status).toBe(403);
    const body = (await response.json()) as { errors: { message: string }[] };
    expect(body.errors[0]?.message).toBe('Required CSRF header(s) not present');
  };

  it('refuses requests a browser sends without a preflight, before any upstream call', async () => {
    await refused(await get());
    await refused(
      await post('application/x-www-form-urlencoded', `query=${encodeURIComponent(LIST)}`),
    );
    await refused(await post('text/plain', JSON.stringify({ query: LIST })));
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: LIST }));
    form.set('map', '{}');
    await refused(await post('', form)); // fetch sets multipart/form-data with its boundary
    expect(h.calls()).toEqual(NO_CALLS);
  });

  it('runs GET with a CSRF header, and JSON POSTs (always preflighted) without one', async () => {
    for (const header of [
      'x-graphql-yoga-csrf',
      'apollo-require-preflight',
      'x-apollo-operation-name',
    ]) {
      const response = await get({ [header]: '1' });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ data: { users: { totalCount: 0 } } });
    }
    const res = await h.gql(LIST);
    expect(res.errors).toBeUndefined();
    expect(h.calls().list).toBe(4);
  });
});

describe('GraphiQL and introspection switches', () => {
  const graphiql = (h: Harness) => h.gateway.yoga.fetch(URL_, { headers: { accept: 'text/html' } });
  const INTROSPECTION = '{ __schema { queryType { name } } }';
  const TYPE = '{ __type(name: "User") { name } }';
  const TYPO = '{ usr(accountId: "1001", userId: "1") { userId } }';

  async function expectOn(h: Harness) {
    const page = await graphiql(h);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('Telecom directory gateway');
    expect((await h.gql(INTROSPECTION)).data).toEqual({
      __schema: { queryType: { name: 'Query' } },
    });
    expect((await h.gql(TYPO)).errors?.[0]?.message).toMatch(/Did you mean "user"/);
  }

  async function expectOff(h: Harness) {
    const page = await graphiql(h);
    expect(page.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    expect(await page.text()).not.toContain('<html');
    for (const query of [INTROSPECTION, TYPE]) {
      const res = await h.gql(query);
      expect(res.data ?? null).toBeNull();
      expect(res.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(res.errors?.[0]?.message).toMatch(/^Introspection is disabled on this server/);
    }
    // The schema is not public: no hints at field names either.
    const typo = await h.gql(TYPO);
    expect(typo.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(typo.errors?.[0]?.message).not.toMatch(/Did you mean|"user"/);
    expect((await h.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
  }

  const withEnv = async (env: Record<string, string>, check: (h: Harness) => Promise<void>) => {
    const h = await startHarness({ env });
    try {
      await check(h);
    } finally {
      await h.close();
    }
  };

  it('are on by default (development)', () => withEnv({}, expectOn));
  it('are off with NODE_ENV=production', () => withEnv({ NODE_ENV: 'production' }, expectOff));
  it('GRAPHIQL=true and INTROSPECTION=true turn them on in production', () =>
    withEnv({ NODE_ENV: 'production', GRAPHIQL: 'true', INTROSPECTION: 'true' }, expectOn));
  it('GRAPHIQL=false and INTROSPECTION=false turn them off in development', () =>
    withEnv({ GRAPHIQL: 'false', INTROSPECTION: 'false' }, expectOff));
});

describe('unexpected errors', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  afterEach(() => vi.restoreAllMocks());

  it('are INTERNAL_SERVER_ERROR with no message, stack or path details from the error', async () => {
    vi.spyOn(h.gateway.services.vcards, 'getVcard').mockRejectedValue(
      new Error('password=hunter2 at /srv/gateway/src/secret.ts:12'),
    );
    vi.spyOn(h.gateway.services.users, 'getUser').mockImplementation(() => {
      throw new TypeError("Cannot read properties of undefined (reading 'hunter2')");
    });
    const res = await h.gql(`{
      vcard(accountId: "1001", userId: "869048") { formattedName }
      user(accountId: "1001", userId: "869048") { userId }
    }`);
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ vcard: null, user: null });
    const masked = (field: string) => ({
      message: 'Unexpected error.',
      path: [field],
      locations: expect.any(Array),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(res.errors).toHaveLength(2);
    expect(res.errors).toEqual(expect.arrayContaining([masked('vcard'), masked('user')]));
    expect(JSON.stringify(res)).not.toMatch(/hunter2|secret\.ts|TypeError|stack/);
    // The details stay in the server's log, at error level.
    const errorLines = h.logs.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
    expect(errorLines.some((line) => line.includes('secret.ts:12'))).toBe(true);
  });

  it('are the only errors logged at error level: bad input and upstream failures are routine', async () => {
    h.logs.length = 0;
    h.sandbox.vcard.injectFault({ kind: 'status', status: 500 }, { times: 1 });
    const res = await h.gql(`{
      bad: user(accountId: "../1001", userId: "869048") { userId }
      card: vcard(accountId: "1001", userId: "869048") { formattedName }
    }`);
    expect(res.errors?.map((e) => e.extensions?.['code']).sort()).toEqual([
      'BAD_USER_INPUT',
      'UPSTREAM_ERROR',
    ]);
    const levels = h.logs.map((line) => (JSON.parse(line) as { level: number }).level);
    expect(levels.filter((level) => level >= 50)).toEqual([]);
    // Each is still in the log: the upstream failure at warn (per attempt), both at debug.
    expect(h.logs.some((line) => line.includes('Invalid accountId'))).toBe(true);
    expect(h.logs.some((line) => line.includes('upstream attempt failed'))).toBe(true);
  });
});
