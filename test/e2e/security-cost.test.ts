// The query cost model read from the SDL's @cost/@listSize (pure, exact figures) and its
// enforcement through the gateway, per HTTP request.
import { parse } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readCostTable } from '../../src/cost/directives.js';
import { operationCost } from '../../src/cost/query-cost.js';
import { createOperationCoster } from '../../src/plugins/cost.js';
import { buildSchema } from '../../src/server.js';
import { startHarness } from '../support/harness.js';
import type { GraphQLResponse, Harness } from '../support/harness.js';

const schema = buildSchema();
const table = readCostTable();
const options = { maxPageSize: 100 };
const cost = (query: string, variables?: Record<string, unknown>, operationName?: string) =>
  operationCost(schema, table, parse(query), options, variables, operationName).cost;

const ALL_USER_FIELDS = `id accountId userId email loginName firstName lastName
  contactNumbers { type value }
  extensions { number dids { phoneNumber customTag } }
  vcard { formattedName firstName lastName nicknames title role birthday note emails
    phones { number types } addresses { address types } timezone language text }`;

describe('queryCost', () => {
  it('multiplies a connection page by first/last: 50 + 100 × (1 + 25)', () => {
    // users: two list calls at most (50), each User 1, each vCard one call (25), scalars 0.
    expect(
      cost('{ users(accountId: "1", first: 100) { nodes { vcard { formattedName } } } }'),
    ).toBe(2650);
    // `last` may cost a third list call: the argument's own @cost.
    expect(cost('{ users(accountId: "1", last: 10) { nodes { userId } } }')).toBe(50 + 25 + 10);
  });

  it('counts totalCount and pageInfo once, edges and nodes per item', () => {
    expect(
      cost(`{ users(accountId: "1", first: 3) {
        totalCount pageInfo { hasNextPage endCursor } edges { cursor node { userId } } } }`),
    ).toBe(50 + 1 + 3 * (1 + 1));
  });

  it('pages by 20 without first/last, clamps to MAX_PAGE_SIZE, and reads variables and defaults', () => {
    const q = 'query($n: Int) { users(accountId: "1", first: $n) { nodes { userId } } }';
    expect(cost(q, { n: 7 })).toBe(50 + 7);
    expect(cost(q, {})).toBe(50 + 20);
    expect(cost(q, { n: 1_000_000 })).toBe(50 + 100);
    expect(cost(q, { n: -5 })).toBe(50);
    expect(
      cost('query($n: Int = 4) { users(accountId: "1", first: $n) { nodes { userId } } }'),
    ).toBe(50 + 4);
  });

  it('counts each id and representation as a possible upstream call', () => {
    expect(cost('{ nodes(ids: ["a", "b", "c"]) { id } }')).toBe(3 * 25);
    const ids = Array.from({ length: 100 }, (_, i) => String(i));
    expect(cost('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids })).toBe(100 * 25);
    // More than `nodes` accepts (refused by its resolver) counts as its assumedSize, 100.
    expect(cost('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: [...ids, 'x'] })).toBe(
      100 * 25,
    );
    const representations = ids.map((userId) => ({ __typename: 'User', accountId: '1', userId }));
    expect(
      cost(
        `query($r: [_Any!]!) { _entities(representations: $r) {
          ... on User { id vcard { formattedName } } } }`,
        { r: representations },
      ),
    ).toBe(100 * (25 + 25));
  });

  it('assumes 5 items in lists the client cannot size (their @listSize(assumedSize: 5))', () => {
    expect(
      cost('{ user(accountId: "1", userId: "2") { extensions { number dids { phoneNumber } } } }'),
    ).toBe(25 + 5 * (1 + 5 * 1));
  });

  it('costs fragments like inline selections, and __typename and introspection nothing', () => {
    expect(
      cost(`query { users(accountId: "1", first: 4) { ...Page } }
        fragment Page on UserConnection { nodes { ...U } } fragment U on User { userId __typename }`),
    ).toBe(50 + 4);
    expect(cost('{ __typename __schema { types { name fields { name } } } }')).toBe(0);
  });

  it('costs the named operation only', () => {
    const doc = `query A { user(accountId: "1", userId: "2") { userId } }
      query B { users(accountId: "1", first: 10) { nodes { userId } } }`;
    expect(cost(doc, {}, 'A')).toBe(25);
    expect(cost(doc, {}, 'B')).toBe(60);
  });

  it('prices a page of 100 users with every field under the default limit of 25,000', () => {
    const full = cost(`{ users(accountId: "1", first: 100) { totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { ${ALL_USER_FIELDS} } } } }`);
    // 50 + pageInfo 1 + 100 × (edge 1 + node 1 + contactNumbers 5 + extensions 5 × (1 + 5)
    //   + vcard (25 + phones 5 + addresses 5))
    expect(full).toBe(7251);
  });

  it('stays linear in nested fragment spreads (a fragment bomb costs a huge number, at once)', () => {
    // Each fragment spreads the next twice: 2^30 leaf fields if walked naively.
    const fragments = Array.from(
      { length: 30 },
      (_, i) =>
        `fragment F${i} on Query { a${i}: user(accountId: "1", userId: "2") { userId } ...F${i + 1} ...F${i + 1} }`,
    ).join('\n');
    const bomb = `query { ...F0 } ${fragments} fragment F30 on Query { __typename }`;
    expect(cost(bomb)).toBeGreaterThan(1e9);
  });
});

describe('MAX_QUERY_COST=2650 through the gateway', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { MAX_QUERY_COST: '2650' } });
  });
  afterAll(() => h.close());
  beforeEach(() => h.resetCalls());

  const PAGE =
    'query($n: Int) { users(accountId: "1001", first: $n) { nodes { vcard { formattedName } } } }';

  describe('per operation', () => {
    it('runs an operation at the limit', async () => {
      const res = await h.gql(PAGE, { n: 100 });
      expect(res.errors).toBeUndefined();
      expect(h.calls()).toEqual({ list: 1, user: 0, vcard: 12, apiAuth: 0 });
    });

    it('refuses one over it before any upstream call, saying what it cost', async () => {
      const res = await h.gql(
        `query($n: Int) { users(accountId: "1001", first: $n) { pageInfo { hasNextPage } nodes { vcard { formattedName } } } }`,
        { n: 100 },
      );
      expect(res.data ?? null).toBeNull();
      expect(res.errors).toHaveLength(1);
      expect(res.errors?.[0]?.extensions).toEqual({
        code: 'GRAPHQL_VALIDATION_FAILED',
        cost: 2651,
        maxCost: 2650,
      });
      expect(res.errors?.[0]?.message).toMatch(/^Query cost 2651 exceeds the limit of 2650/);
      expect(h.calls()).toEqual({ list: 0, user: 0, vcard: 0, apiAuth: 0 });
    });

    it('uses the variables of each request, not of the first one with that document', async () => {
      // With extensions each item costs 31: 100 items are 3,150, 83 are 2,623.
      const WITH_EXTENSIONS = PAGE.replace('nodes {', 'nodes { extensions { number }');
      expect((await h.gql(PAGE, { n: 5 })).errors).toBeUndefined();
      const { errors } = await h.gql(WITH_EXTENSIONS, { n: 100 });
      expect(errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(errors?.[0]?.extensions?.['cost']).toBe(3150);
      expect((await h.gql(WITH_EXTENSIONS, { n: 83 })).errors).toBeUndefined();
    });
  });

  describe('per HTTP request: a batch is summed', () => {
    const batch = async (operations: unknown[]) => {
      const response = await h.gateway.yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(operations),
      });
      return (await response.json()) as GraphQLResponse[];
    };

    it('refuses every operation when their sum is over the limit, before any upstream call', async () => {
      // 1,350 each, under the limit alone; 2,700 together.
      const results = await batch([
        { query: PAGE, variables: { n: 50 } },
        { query: PAGE, variables: { n: 50 } },
      ]);
      expect(results).toHaveLength(2);
      for (const result of results) {
        expect(result.data ?? null).toBeNull();
        expect(result.errors?.[0]?.extensions).toEqual({
          code: 'GRAPHQL_VALIDATION_FAILED',
          cost: 2700,
          maxCost: 2650,
        });
        expect(result.errors?.[0]?.message).toMatch(
          /^Query cost 2700 \(the 2 operations of this request together\) exceeds the limit of 2650/,
        );
      }
      expect(h.calls()).toEqual({ list: 0, user: 0, vcard: 0, apiAuth: 0 });
    });

    it('runs a batch whose sum is within the limit', async () => {
      const results = await batch([
        { query: PAGE, variables: { n: 50 } },
        { query: PAGE, variables: { n: 40 } },
      ]);
      expect(results.map((r) => r.errors)).toEqual([undefined, undefined]);
    });

    it('does not wait for operations that end before execution (bad syntax, APQ miss)', async () => {
      const results = await batch([
        { query: PAGE, variables: { n: 100 } },
        { query: '{ users(' },
        { extensions: { persistedQuery: { version: 1, sha256Hash: 'b'.repeat(64) } } },
      ]);
      expect(results[0]?.errors).toBeUndefined();
      expect(results[1]?.errors?.[0]?.message).toMatch(/^Syntax Error/);
      expect(results[2]?.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
    });
  });
});

describe('the cost counts upstream calls truthfully (25 a call)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.resetCalls());

  it('a vCard under a page of 100 is 100 vCard calls, and the cost says so', async () => {
    const query = '{ users(accountId: "1003", first: 100) { nodes { vcard { formattedName } } } }';
    const res = await h.gql(query);
    expect(res.errors).toBeUndefined();
    expect(h.calls()).toMatchObject({ list: 1, vcard: 100 });
    // 2 list calls at most (50) + 100 × (User 1 + vCard call 25)
    expect(cost(query)).toBe(50 + 100 * (1 + 25));
  });

  it.each([
    '{ users(accountId: "1003", first: 100) { nodes { vcard { formattedName } } } }',
    '{ users(accountId: "1003", first: 70, after: null) { edges { node { userId vcard { title } } } } }',
    '{ users(accountId: "1003", last: 30) { nodes { userId } } }',
    '{ users(accountId: "1003", first: 0) { totalCount } }',
    '{ users(accountId: "1001", first: 12) { nodes { extensions { user { vcard { formattedName } } } } } }',
    '{ a: user(accountId: "1001", userId: "869048") { vcard { formattedName } } b: vcard(accountId: "1001", userId: "869048") { title } }',
  ])('%s makes at most cost / 25 upstream calls', async (query) => {
    const res = await h.gql(query);
    expect(res.errors).toBeUndefined();
    const { list, user, vcard, apiAuth } = h.calls();
    const calls = list + user + vcard + apiAuth;
    expect(calls).toBeGreaterThan(0);
    expect(calls * 25).toBeLessThanOrEqual(cost(query));
  });
});

describe('cost computed once per (document, operation, variables shape)', () => {
  it('reuses a cost for variables that do not size anything', () => {
    const coster = createOperationCoster(table, options);
    const document = parse(
      'query($a: ID!, $n: Int) { users(accountId: $a, first: $n) { nodes { vcard { title } } } }',
    );
    expect(coster.cost(schema, document, { a: '1', n: 10 }, undefined)).toBe(50 + 10 * 26);
    expect(coster.cost(schema, document, { a: '2', n: 10 }, undefined)).toBe(50 + 10 * 26);
    expect(coster.computations).toBe(1);
    expect(coster.cost(schema, document, { a: '2', n: 20 }, undefined)).toBe(50 + 20 * 26);
    expect(coster.cost(schema, document, { a: '3', n: 20 }, undefined)).toBe(50 + 20 * 26);
    expect(coster.computations).toBe(2);
    // A list variable is sized by its length only.
    const nodes = parse('query($ids: [ID!]!) { nodes(ids: $ids) { id } }');
    expect(coster.cost(schema, nodes, { ids: ['a', 'b'] }, undefined)).toBe(50);
    expect(coster.cost(schema, nodes, { ids: ['c', 'd'] }, undefined)).toBe(50);
    expect(coster.computations).toBe(3);
  });
});
