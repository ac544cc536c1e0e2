// The query cost model (pure, exact figures) and its enforcement through the gateway.
import { parse } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/server.js';
import { queryCost } from '../../src/security.js';
import { startHarness } from '../support/harness.js';
import type { Harness } from '../support/harness.js';

const schema = buildSchema();
const options = { maxPageSize: 100, defaultPageSize: 20 };
const cost = (query: string, variables?: Record<string, unknown>, operationName?: string) =>
  queryCost(schema, parse(query), options, variables, operationName);

const ALL_USER_FIELDS = `id accountId userId email loginName firstName lastName
  contactNumbers { type value }
  extensions { number dids { phoneNumber customTag } }
  vcard { formattedName firstName lastName nicknames title role birthday note emails
    phones { number types } addresses { address types } timezone language text }`;

describe('queryCost', () => {
  it('multiplies a connection page by first/last: 25 + 100 × (1 + 25 + 1)', () => {
    expect(
      cost('{ users(accountId: "1", first: 100) { nodes { vcard { formattedName } } } }'),
    ).toBe(2725);
    expect(cost('{ users(accountId: "1", last: 10) { nodes { userId } } }')).toBe(25 + 10 * 2);
  });

  it('counts totalCount and pageInfo once, edges and nodes per item', () => {
    expect(
      cost(`{ users(accountId: "1", first: 3) {
        totalCount pageInfo { hasNextPage endCursor } edges { cursor node { userId } } } }`),
    ).toBe(25 + 1 + (1 + 2) + 3 * (1 + 1 + (1 + 1)));
  });

  it('pages by 20 without first/last, clamps to MAX_PAGE_SIZE, and reads variables and defaults', () => {
    const q = 'query($n: Int) { users(accountId: "1", first: $n) { nodes { userId } } }';
    expect(cost(q, { n: 7 })).toBe(25 + 7 * 2);
    expect(cost(q, {})).toBe(25 + 20 * 2);
    expect(cost(q, { n: 1_000_000 })).toBe(25 + 100 * 2);
    expect(cost(q, { n: -5 })).toBe(25);
    expect(
      cost('query($n: Int = 4) { users(accountId: "1", first: $n) { nodes { userId } } }'),
    ).toBe(25 + 4 * 2);
  });

  it('counts each id and representation as a possible upstream call', () => {
    expect(cost('{ nodes(ids: ["a", "b", "c"]) { id } }')).toBe(3 * (25 + 1));
    const ids = Array.from({ length: 100 }, (_, i) => String(i));
    expect(cost('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids })).toBe(100 * 26);
    const representations = ids.map((userId) => ({ __typename: 'User', accountId: '1', userId }));
    expect(
      cost(
        `query($r: [_Any!]!) { _entities(representations: $r) {
          ... on User { id vcard { formattedName } } } }`,
        { r: representations },
      ),
    ).toBe(100 * (25 + 1 + (25 + 1)));
  });

  it('assumes 5 items in lists the client cannot size', () => {
    expect(
      cost('{ user(accountId: "1", userId: "2") { extensions { number dids { phoneNumber } } } }'),
    ).toBe(25 + 5 * (1 + 1 + 5 * (1 + 1)));
  });

  it('costs fragments like inline selections, and __typename and introspection nothing', () => {
    expect(
      cost(`query { users(accountId: "1", first: 4) { ...Page } }
        fragment Page on UserConnection { nodes { ...U } } fragment U on User { userId __typename }`),
    ).toBe(25 + 4 * 2);
    expect(cost('{ __typename __schema { types { name fields { name } } } }')).toBe(0);
  });

  it('costs the named operation only', () => {
    const doc = `query A { user(accountId: "1", userId: "2") { userId } }
      query B { users(accountId: "1", first: 10) { nodes { userId } } }`;
    expect(cost(doc, {}, 'A')).toBe(26);
    expect(cost(doc, {}, 'B')).toBe(45);
  });

  it('prices a page of 100 users with every field under the default limit of 25,000', () => {
    const full = cost(`{ users(accountId: "1", first: 100) { totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { ${ALL_USER_FIELDS} } } } }`);
    expect(full).toBe(22_531);
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

describe('MAX_QUERY_COST through the gateway', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { MAX_QUERY_COST: '2725' } });
  });
  afterAll(() => h.close());
  beforeEach(() => h.resetCalls());

  const PAGE =
    'query($n: Int) { users(accountId: "1001", first: $n) { nodes { vcard { formattedName } } } }';

  it('runs an operation at the limit', async () => {
    const res = await h.gql(PAGE, { n: 100 });
    expect(res.errors).toBeUndefined();
    expect(h.calls()).toEqual({ list: 1, user: 0, vcard: 12, apiAuth: 0 });
  });

  it('refuses one over it before any upstream call, saying what it cost', async () => {
    const res = await h.gql(
      `query($n: Int) { users(accountId: "1001", first: $n) { totalCount nodes { vcard { formattedName } } } }`,
      { n: 100 },
    );
    expect(res.data ?? null).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0]?.extensions).toEqual({
      code: 'GRAPHQL_VALIDATION_FAILED',
      cost: 2726,
      maxCost: 2725,
    });
    expect(res.errors?.[0]?.message).toMatch(/^Query cost 2726 exceeds the limit of 2725/);
    expect(h.calls()).toEqual({ list: 0, user: 0, vcard: 0, apiAuth: 0 });
  });

  it('uses the variables of each request, not of the first one with that document', async () => {
    // With userId each item costs 28: 100 items are 2,825, 96 are 2,713.
    expect((await h.gql(PAGE, { n: 5 })).errors).toBeUndefined();
    const { errors } = await h.gql(PAGE.replace('nodes {', 'nodes { userId'), { n: 100 });
    expect(errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(
      (await h.gql(PAGE.replace('nodes {', 'nodes { userId'), { n: 96 })).errors,
    ).toBeUndefined();
  });
});
