import { buildSchema, graphqlSync, type GraphQLResolveInfo } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { ConnectionArgs } from '../../../src/pagination/connection.js';
import { pageArguments } from '../../../src/resolvers/page-arguments.js';
import { DEFAULT_PAGE_SIZE } from '../../../src/security.js';

/** What pageArguments makes of an operation, on a schema declaring `first` as given. */
function run(firstDeclaration: string, source: string, variables?: Record<string, unknown>) {
  const schema = buildSchema(
    `type Query { users(${firstDeclaration}, last: Int, after: String, before: String): String }`,
  );
  let seen: unknown;
  const result = graphqlSync({
    schema,
    source,
    ...(variables === undefined ? {} : { variableValues: variables }),
    rootValue: {
      users: (args: ConnectionArgs, _ctx: unknown, info: GraphQLResolveInfo) => {
        seen = pageArguments(args, info);
        return 'ok';
      },
    },
  });
  expect(result.errors).toBeUndefined();
  return seen;
}

describe('pageArguments: the default page size is the SDL argument default', () => {
  it('reads the default from the schema', () => {
    expect(run('first: Int = 7', '{ users }')).toMatchObject({ first: 7, defaultFirst: 7 });
    expect(run('first: Int = 7', '{ users(first: null) }')).toMatchObject({
      first: null,
      defaultFirst: 7,
    });
  });

  it('drops a defaulted first when last is given, keeps a first the client gave', () => {
    expect(run('first: Int = 7', '{ users(last: 3) }')).toMatchObject({ first: null, last: 3 });
    expect(run('first: Int = 7', 'query($n: Int) { users(first: $n, last: 3) }')).toMatchObject({
      first: null,
      last: 3,
    });
    // Given, so the pair is refused downstream as both first and last.
    expect(run('first: Int = 7', '{ users(first: 7, last: 3) }')).toMatchObject({
      first: 7,
      last: 3,
    });
    expect(
      run('first: Int = 7', 'query($n: Int) { users(first: $n, last: 3) }', { n: 5 }),
    ).toMatchObject({ first: 5, last: 3 });
    expect(run('first: Int = 7', 'query($n: Int = 4) { users(first: $n, last: 3) }')).toMatchObject(
      { first: 4, last: 3 },
    );
  });

  it("without an SDL default, the cost rule's constant is the default", () => {
    expect(run('first: Int', '{ users }')).toMatchObject({
      first: undefined,
      defaultFirst: DEFAULT_PAGE_SIZE,
    });
    expect(run('first: Int', '{ users(last: 2) }')).toMatchObject({ last: 2 });
  });
});
