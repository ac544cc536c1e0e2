// graphql-jit re-examined (#20), as a reproduction kept as a test. The same documents run through
// graphql-js (the reference) and graphql-jit on our real schema and resolvers over the simulators,
// with failing items in the middle of `nodes` and `_entities`, directly and through Yoga.
//
// Versions when written: graphql 16.15.0; graphql-jit 0.8.9 (direct); @envelop/graphql-jit 11.2.1,
// which pins graphql-jit 0.8.7 (through Yoga). Both jit versions have the same list code.
//
// Findings: jit completes a list item that is a rejected promise with `resultArray.push(null)`
// instead of writing it at the item's index, so the list has too few items when a rejection settles
// before an earlier item, and one too many when it settles after a later one (a failing middle item
// whose neighbours settle in the same DataLoader batch comes out right, which is why an outside
// review saw `[item, null, item]`). Its errors carry `locations` but no `source`/`positions`, which
// error masking rebuilds from, so masked errors lose their locations. It ignores @defer/@stream.
// src/plugins/compiled-executor.ts closes the first two and keeps the third on graphql-js.
import { createRequire } from 'node:module';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import type * as GraphQL from 'graphql';
import type { ExecutionResult, GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { createYoga } from 'graphql-yoga';
import type { YogaServerOptions } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { settleListItems, useCompiledExecutor } from '../../src/plugins/compiled-executor.js';
import { buildSchema } from '../../src/schema.js';
import { startHarness } from '../support/harness.js';
import type { Harness } from '../support/harness.js';

// The schema is built by @apollo/subgraph's (CommonJS) copy of graphql, as graphql-jit uses it: the
// reference executor and the test's schemas must come from that copy too.
const {
  buildSchema: buildSdl,
  execute,
  parse,
} = createRequire(import.meta.url)('graphql') as typeof GraphQL;

let h: Harness;
let ids: string[];
const reference = buildSchema();
const settled = buildSchema();
settleListItems(settled);

beforeAll(async () => {
  h = await startHarness();
  const list = await h.gql(`{ users(accountId: "1001", first: 3) { nodes { userId } } }`);
  ids = (list.data?.['users'] as { nodes: { userId: string }[] }).nodes.map((n) => n.userId);
  // The middle user's single-user call and the first user's vCard always fail (retries included).
  h.sandbox.users.injectFault(
    { kind: 'status', status: 500 },
    { times: Infinity, match: new RegExp(`/users/${ids[1] ?? ''}$`) },
  );
  h.sandbox.vcard.injectFault(
    { kind: 'status', status: 500 },
    { times: Infinity, match: new RegExp(`/users/${ids[0] ?? ''}/vcard$`) },
  );
});
afterAll(async () => {
  await h.close();
});

const globalId = (userId: string) => Buffer.from(`User/1001/${userId}`).toString('base64url');
const user = (userId: string | undefined) => ({ __typename: 'User', accountId: '1001', userId });

interface Case {
  name: string;
  query: string;
  variables: () => Record<string, unknown>;
}
const CASES: Case[] = [
  {
    name: 'nodes with a failing middle item',
    query: `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on User { userId firstName } } }`,
    variables: () => ({ ids: ids.map(globalId) }),
  },
  {
    name: '_entities with a failing middle item',
    query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { userId } } }`,
    variables: () => ({ r: ids.map(user) }),
  },
  {
    name: '_entities with a valid item, then two invalid ones (rejected before it settles)',
    query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { userId } } }`,
    variables: () => ({
      r: [user(ids[0]), { __typename: 'User', id: 'not-a-global-id' }, { __typename: 'User' }],
    }),
  },
  {
    name: 'nodes with a malformed middle id',
    query: `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
    variables: () => ({ ids: [globalId(ids[0] ?? ''), 'not-a-global-id', globalId(ids[2] ?? '')] }),
  },
  {
    name: 'a failing vCard in a list, lists of scalars beside it',
    query: `{ users(accountId: "1001", first: 3) { nodes { userId vcard { formattedName emails
      nicknames phones { number types } addresses { types } } } } }`,
    variables: () => ({}),
  },
];

function context() {
  return createContext(
    new Request('http://localhost/graphql', { method: 'POST' }),
    h.gateway.services,
  );
}

/** As a client reads it: errors through their toJSON, in path order (executors may differ). */
function wire(result: unknown): { data?: unknown; errors?: { path?: unknown }[] } {
  const plain = JSON.parse(JSON.stringify(result)) as { errors?: { path?: unknown }[] };
  const key = (e: { path?: unknown }) => JSON.stringify(e.path ?? null);
  plain.errors?.sort((a, b) => key(a).localeCompare(key(b)));
  return plain;
}

async function graphqlJs(c: Case) {
  const document = parse(c.query);
  return wire(
    await execute({
      schema: reference,
      document,
      contextValue: context(),
      variableValues: c.variables(),
    }),
  );
}

async function jit(schema: GraphQLSchema, c: Case) {
  const compiled = compileQuery(schema, parse(c.query));
  if (!isCompiledQuery(compiled)) throw new Error(JSON.stringify(compiled));
  return wire((await compiled.query(undefined, context(), c.variables())) as ExecutionResult);
}

describe('graphql-jit 0.8.9 directly, against graphql-js', () => {
  it('drops an item when rejected items settle before an earlier one (jit defect; if this fails, jit fixed it)', async () => {
    const c = CASES[2];
    if (c === undefined) throw new Error('no case');
    const expected = await graphqlJs(c);
    expect(expected.data).toEqual({ _entities: [{ userId: ids[0] }, null, null] });
    expect((await jit(reference, c)).data).toEqual({ _entities: [{ userId: ids[0] }, null] });
  });

  it.each(CASES)('$name: the same answer once list items are settled', async (c) => {
    const expected = await graphqlJs(c);
    expect(expected.errors?.length).toBeGreaterThan(0);
    expect(await jit(settled, c)).toEqual(expected);
  });

  it('lists of scalars and objects whose rejected items settle out of order', async () => {
    const sdl = `type Query { s: [String] n: [Int]! o: [O] } type O { v: String }`;
    const later = (value: unknown, ms: number, fail = false) =>
      new Promise((resolve, reject) =>
        setTimeout(() => (fail ? reject(new Error('boom')) : resolve(value)), ms),
      );
    const build = () => {
      const schema = buildSdl(sdl);
      const fields = schema.getQueryType()?.getFields() ?? {};
      // The middle item fails after its neighbours: graphql-jit appends a fourth item.
      for (const [name, [a, b]] of Object.entries({
        s: ['x', 'z'],
        n: [1, 3],
        o: [{ v: 'x' }, { v: 'z' }],
      })) {
        const field = fields[name];
        if (field) field.resolve = () => [later(a, 1), later(null, 10, true), b];
      }
      return schema;
    };
    const document = parse('{ s n o { v } }');
    const expected = wire(await execute({ schema: build(), document }));
    expect(expected.data).toEqual({
      s: ['x', null, 'z'],
      n: [1, null, 3],
      o: [{ v: 'x' }, null, { v: 'z' }],
    });
    const run = async (schema: GraphQLSchema) => {
      const compiled = compileQuery(schema, document);
      if (!isCompiledQuery(compiled)) throw new Error(JSON.stringify(compiled));
      return wire(await compiled.query(undefined, {}, {}));
    };
    expect((await run(build())).data).toEqual({
      s: ['x', null, 'z', null],
      n: [1, null, 3, null],
      o: [{ v: 'x' }, null, { v: 'z' }, null],
    });
    const fixed = build();
    settleListItems(fixed);
    expect(await run(fixed)).toEqual(expected);
  });

  it('answers an @defer document in one payload (no incremental delivery)', async () => {
    const compiled = compileQuery(
      reference,
      parse(
        `{ users(accountId: "1001", first: 2) { nodes { userId ... @defer { vcard { formattedName } } } } }`,
      ),
    );
    if (!isCompiledQuery(compiled)) throw new Error(JSON.stringify(compiled));
    const result = wire(await compiled.query(undefined, context(), {}));
    expect(result.data).toMatchObject({ users: { nodes: [{ vcard: null }, { vcard: {} }] } });
    expect(result).not.toHaveProperty('hasNext');
  });
});

describe('through Yoga', () => {
  function yoga(plugins: NonNullable<YogaServerOptions<object, object>['plugins']>) {
    return createYoga({
      schema: buildSchema(),
      context: ({ request }) => createContext(request, h.gateway.services),
      plugins: [useDeferStream(), ...plugins],
      logging: false,
    });
  }
  const plain = yoga([]);
  const compiled = yoga([useCompiledExecutor()]);
  const envelopJit = yoga([useGraphQlJit()]);

  async function ask(server: typeof plain, c: Case, accept = 'application/json') {
    const res = await server.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept },
      body: JSON.stringify({ query: c.query, variables: c.variables() }),
    });
    return { type: res.headers.get('content-type') ?? '', text: await res.text() };
  }
  const answer = async (server: typeof plain, c: Case) =>
    wire(JSON.parse((await ask(server, c)).text));

  it('@envelop/graphql-jit: masked errors lose their locations', async () => {
    const c = CASES[0];
    if (c === undefined) throw new Error('no case');
    const expected = await answer(plain, c);
    expect(expected.errors?.[0]).toHaveProperty('locations');
    const got = await answer(envelopJit, c);
    expect(got.data).toEqual(expected.data);
    expect(got.errors?.[0]).not.toHaveProperty('locations');
  });

  it.each(CASES)('$name: useCompiledExecutor answers as graphql-js does', async (c) => {
    expect(await answer(compiled, c)).toEqual(await answer(plain, c));
  });

  it('@defer documents run on the standard executor: incremental payloads', async () => {
    const c: Case = {
      name: 'defer',
      query: `{ users(accountId: "1001", first: 3) { nodes { userId ... @defer { vcard { formattedName } } } } }`,
      variables: () => ({}),
    };
    const got = await ask(compiled, c, 'multipart/mixed');
    expect(got.type).toContain('multipart/mixed');
    expect(got.text).toContain('"incremental"');
    expect(got.text).toContain('"hasNext":false');
  });
});
