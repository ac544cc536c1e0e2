// The gateway as an Apollo Federation v2 subgraph: composition with a second subgraph, a real
// Apollo Gateway executing cross-subgraph queries in process, and `_entities` semantics.
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema, printSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCallsSubgraph } from '../../examples/federation/calls-subgraph.js';
import { composeSupergraph } from '../../examples/federation/compose.js';
import { buildSchema } from '../../src/server.js';
import { codes, startHarness } from '../support/harness.js';
import type { Harness } from '../support/harness.js';

let h: Harness;
let ids: string[];
let apollo: ApolloServer;
const DIRECTORY = 'http://localhost:4000/graphql';
const CALLS = 'http://localhost:4001/graphql';

beforeAll(async () => {
  h = await startHarness();
  const list = await h.gql(`{ users(accountId: "1001", first: 6) { nodes { userId } } }`);
  ids = (list.data?.['users'] as { nodes: { userId: string }[] }).nodes.map((n) => n.userId);
  const calls = createCallsSubgraph({ '1001': ids.slice(0, 4) });
  const composed = composeSupergraph({ directory: DIRECTORY, calls: CALLS });
  if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
  // Both subgraphs are reached in process: the data source's fetcher dispatches on the URL.
  const gateway = new ApolloGateway({
    supergraphSdl: composed.supergraphSdl,
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource({
        url: url ?? DIRECTORY,
        // Both subgraphs are reached in process: the fetcher dispatches on the URL.
        fetcher: async (input, init) => {
          const target = input === DIRECTORY ? h.gateway.yoga : calls;
          return target.fetch(input, {
            method: init?.method ?? 'POST',
            headers: init?.headers ?? {},
            body: typeof init?.body === 'string' ? init.body : null,
          });
        },
      }),
  });
  apollo = new ApolloServer({ gateway });
  await apollo.start();
});
afterAll(async () => {
  await apollo.stop();
  await h.close();
});
beforeEach(() => h.resetCalls());

async function federated(query: string) {
  const res = await apollo.executeOperation({ query });
  if (res.body.kind !== 'single') throw new Error('expected a single result');
  return res.body.singleResult;
}

describe('composition', () => {
  it('composes with the calls subgraph with no errors and no hints', () => {
    const composed = composeSupergraph({ directory: DIRECTORY, calls: CALLS });
    expect(composed.errors).toBeUndefined();
    expect((composed.hints ?? []).map((hint) => hint.toString())).toEqual([]);
  });

  it('_service { sdl } is the subgraph SDL with federation directives', async () => {
    const res = await h.gql('{ _service { sdl } }');
    const sdl = (res.data?.['_service'] as { sdl: string }).sdl;
    // The same subgraph as `npm run print-sdl` writes, whatever the printing details.
    expect(printSubgraphSchema(buildSubgraphSchema(parse(sdl)))).toBe(
      printSubgraphSchema(buildSchema()),
    );
    expect(sdl).toContain('@key(fields: "id")');
    expect(sdl).toContain('@key(fields: "accountId userId")');
    // v2.9: the version that defines @cost and @listSize.
    expect(sdl).toContain('specs.apollo.dev/federation/v2.9');
  });
});

describe('through Apollo Gateway', () => {
  it('a query starting in the calls subgraph fetches users and vCards from ours: one call per distinct user', async () => {
    const result = await federated(`{ recentCallers(accountId: "1001", first: 4) {
      userId callHistory { direction } firstName extensions { number } vcard { formattedName } } }`);
    expect(result.errors).toBeUndefined();
    const callers = (
      result.data as { recentCallers: { userId: string; firstName: string | null }[] }
    ).recentCallers;
    expect(callers.map((c) => c.userId)).toEqual(ids.slice(0, 4));
    expect(h.calls()).toEqual({ list: 0, user: 4, vcard: 4, apiAuth: 0 });
  });

  it('a query starting in ours reaches the calls subgraph; listed users cost no single-user call', async () => {
    const result = await federated(
      `{ users(accountId: "1001", first: 6) { nodes { userId firstName callHistory { durationSeconds } } } }`,
    );
    expect(result.errors).toBeUndefined();
    const nodes = (
      result.data as { users: { nodes: { userId: string; callHistory: unknown[] }[] } }
    ).users.nodes;
    expect(nodes.map((n) => n.userId)).toEqual(ids);
    expect(h.calls()).toEqual({ list: 1, user: 0, vcard: 0, apiAuth: 0 });
  });
});

describe('_entities', () => {
  const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id userId firstName } } }`;

  it('answers in order, null for unknown users, duplicates cost nothing', async () => {
    const globalId = Buffer.from(`User/1001/${ids[2]}`).toString('base64url');
    const res = await h.gql(ENTITIES, {
      r: [
        { __typename: 'User', accountId: '1001', userId: ids[1] },
        { __typename: 'User', accountId: '1001', userId: '1' },
        { __typename: 'User', id: globalId },
        { __typename: 'User', accountId: '1001', userId: ids[1] },
      ],
    });
    expect(res.errors).toBeUndefined();
    const entities = res.data?.['_entities'] as ({ userId: string } | null)[];
    expect(entities.map((e) => e?.userId ?? null)).toEqual([ids[1], null, ids[2], ids[1]]);
    expect(h.calls().user).toBe(3);
  });

  it('users listed earlier in the same request cost no call', async () => {
    const res = await h.gql(
      `query($r: [_Any!]!) { users(accountId: "1001", first: 6) { totalCount }
        _entities(representations: $r) { ... on User { userId } } }`,
      { r: ids.map((userId) => ({ __typename: 'User', accountId: '1001', userId })) },
    );
    expect(res.errors).toBeUndefined();
    expect((res.data?.['_entities'] as { userId: string }[]).map((e) => e.userId)).toEqual(ids);
    // Both root fields run in parallel; the user loader waits for the list page instead of calling.
    expect(h.calls()).toMatchObject({ list: 1, user: 0 });
  });

  it('an invalid representation is BAD_USER_INPUT for that entity only', async () => {
    const res = await h.gql(ENTITIES, {
      r: [
        { __typename: 'User', accountId: '1001', userId: ids[0] },
        { __typename: 'User', id: 'not-a-global-id' },
        { __typename: 'User', accountId: '1001' },
        { __typename: 'User', accountId: '../x', userId: '1' },
      ],
    });
    const entities = res.data?.['_entities'] as ({ userId: string } | null)[];
    expect(entities[0]?.userId).toBe(ids[0]);
    expect(entities.slice(1)).toEqual([null, null, null]);
    expect(codes(res)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect(res.errors?.map((e) => e.path)).toEqual([
      ['_entities', 1],
      ['_entities', 2],
      ['_entities', 3],
    ]);
  });
});

describe('HTTP answers for routers', () => {
  it.each([
    ['application/json'],
    ['*/*'],
    ['application/graphql-response+json, application/json;q=0.9'],
  ])(
    'Accept: %s gets a JSON body that parses, status 200 even with field errors',
    async (accept) => {
      const response = await h.gateway.yoga.fetch(DIRECTORY, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept },
        body: JSON.stringify({ query: '{ user(accountId: "../x", userId: "1") { userId } }' }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(
        /^application\/(graphql-response\+)?json/,
      );
      const body = (await response.json()) as { errors: unknown[] };
      expect(body.errors).toHaveLength(1);
    },
  );
});
