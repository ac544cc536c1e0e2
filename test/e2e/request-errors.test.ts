// What a client and the log see of a refused request: variable coercion errors keep their status,
// message and code; production discloses no schema (no `_service`, no suggestions); logs carry no
// query text; an APQ miss is counted as what it is (#16 defects 2, 10, 11, 12, 14).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from '../support/harness.js';
import type { GraphQLResponse, Harness } from '../support/harness.js';

const NO_CALLS = { list: 0, user: 0, vcard: 0, apiAuth: 0 };

/** A POST as a GraphQL-over-HTTP client sends it (application/graphql-response+json). */
async function post(
  h: Harness,
  body: unknown,
): Promise<GraphQLResponse & { status: number; text: string }> {
  const response = await h.gateway.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { ...(JSON.parse(text) as GraphQLResponse), status: response.status, text };
}

describe('variable coercion errors (#16 defect 2)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const FIRST = 'query($n: Int!) { users(accountId: "1001", first: $n) { totalCount } }';
  const FILTER = 'query($f: UserFilter) { users(accountId: "1001", filter: $f) { totalCount } }';
  const USER = 'query($id: ID!) { user(accountId: "1001", userId: $id) { userId } }';

  it.each([
    [FIRST, { n: 'x' }, /^Variable "\$n" got invalid value "x"; Int cannot represent/],
    [FIRST, { n: 2147483648 }, /^Variable "\$n" got invalid value 2147483648; Int cannot/],
    [USER, { id: { a: 1 } }, /^Variable "\$id" got invalid value \{ a: 1 \}; ID cannot/],
    [
      FILTER,
      { f: { firstName: 7 } },
      /^Variable "\$f" got invalid value 7 at "f\.firstName"; String cannot represent/,
    ],
    [
      FILTER,
      JSON.parse('{"f":{"__proto__":"x"}}') as Record<string, unknown>,
      /^Variable "\$f" got invalid value .*; Field "__proto__" is not defined by type "UserFilter"/,
    ],
  ])(
    '%s with %j: 400, no data, the full message, BAD_USER_INPUT',
    async (query, variables, message) => {
      h.resetCalls();
      const res = await post(h, { query, variables });
      expect(res.status).toBe(400);
      expect('data' in res).toBe(false);
      expect(res.errors).toHaveLength(1);
      expect(res.errors?.[0]?.message).toMatch(message);
      expect(res.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT' });
      expect(h.calls()).toEqual(NO_CALLS);
    },
  );
});

describe('production discloses no schema (#16 defects 10, 11)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { NODE_ENV: 'production' } });
  });
  afterAll(() => h.close());

  it('refuses `_service { sdl }` like `__schema` when introspection is off', async () => {
    const res = await post(h, { query: '{ _service { sdl } }' });
    expect(res.status).toBe(400);
    expect(res.data ?? null).toBeNull();
    expect(res.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors?.[0]?.message).toMatch(/FEDERATION_SDL=true/);
  });

  it('answers `_service { sdl }` with FEDERATION_SDL=true', async () => {
    const allowed = await startHarness({ env: { NODE_ENV: 'production', FEDERATION_SDL: 'true' } });
    try {
      const res = await allowed.gql('{ _service { sdl } }');
      expect(res.errors).toBeUndefined();
      expect(JSON.stringify(res.data)).toContain('type User');
      // Only `_service`: the rest of introspection stays off.
      expect((await post(allowed, { query: '{ __schema { queryType { name } } }' })).status).toBe(
        400,
      );
    } finally {
      await allowed.close();
    }
  });

  it.each([
    ['an enum literal', '{ vcard(accountId: "1001", userId: "869048") { text(version: V5) } }', {}],
    [
      'an enum variable',
      'query($v: VCardVersion) { vcard(accountId: "1001", userId: "869048") { text(version: $v) } }',
      { v: 'V5' },
    ],
    ['a field', '{ usr(accountId: "1001", userId: "1") { userId } }', {}],
    ['an argument', '{ user(accountId: "1001", usrId: "1") { userId } }', {}],
    [
      'an input field',
      'query($f: UserFilter) { users(accountId: "1001", filter: $f) { totalCount } }',
      { f: { firstNam: 'a' } },
    ],
    ['a type', 'query($f: UserFiltr) { users(accountId: "1001") { totalCount } }', {}],
  ])('suggests no name for a misspelt %s', async (_what, query, variables) => {
    const res = await post(h, { query, variables });
    expect(res.errors?.length).toBeGreaterThan(0);
    expect(res.text).not.toMatch(/Did you mean/);
    expect(res.text).not.toMatch(/"V3"|"V4"|"user"|"userId"|"firstName"|"UserFilter"/);
  });
});

describe('logs (#16 defect 12) and metrics (#16 defect 14)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('logs errors with message, code, path and operation, never the query text', async () => {
    h.logs.length = 0;
    h.sandbox.users.injectFault({ kind: 'status', status: 500 }, { times: 10 });
    const res = await h.gql(`query FindAlice {
      users(accountId: "1001", filter: { lastName: "Confidential-Literal" }) { totalCount }
    }`);
    expect(res.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_ERROR');
    // graphql's printError would add the source excerpt: `filter: { lastName: "Confidential…`.
    expect(h.logs.join('\n')).not.toMatch(/lastName: "Confidential-Literal"|\| +users\(/);
    const lines = h.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    const logged = lines.find((l) => l['msg'] === 'request error');
    expect(logged?.['error']).toEqual({
      operation: 'FindAlice',
      message: expect.stringMatching(/^The users API answered HTTP 500/),
      code: 'UPSTREAM_ERROR',
      path: 'users',
    });
  });

  it('counts an APQ miss as PERSISTED_QUERY_NOT_FOUND, not INTERNAL_SERVER_ERROR', async () => {
    h.logs.length = 0;
    const res = await post(h, {
      extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } },
    });
    expect(res.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
    const metrics = await h.gateway.metrics.exposition();
    expect(metrics).toMatch(
      /graphql_requests_total\{[^}]*outcome="PERSISTED_QUERY_NOT_FOUND"[^}]*\} 1/,
    );
    expect(metrics).not.toMatch(/outcome="INTERNAL_SERVER_ERROR"/);
    const line = h.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['msg'] === 'graphql operation');
    expect(line?.['outcome']).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});
