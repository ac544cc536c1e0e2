// A second, tiny subgraph for the federation example: call history keyed by `accountId userId`.
// It knows nothing about users but their keys; names, extensions and vCards come from the directory.
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { createDataset } from '../../sandbox/data.js';

export const callsTypeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

  type Query {
    "Users of an account who called most recently, newest first."
    recentCallers(accountId: ID!, first: Int = 5): [User!]!
  }

  type User @key(fields: "accountId userId") {
    accountId: ID!
    userId: ID!
    "Calls of this user, newest first."
    callHistory: [Call!]!
  }

  "One call."
  type Call {
    "When the call started (ISO 8601)."
    startedAt: String!
    "INBOUND or OUTBOUND."
    direction: String!
    "Length in seconds."
    durationSeconds: Int!
  }
`);

interface UserKey {
  accountId: string;
  userId: string;
}

/** Deterministic fake history derived from the user id, so examples and tests are repeatable. */
function historyOf(userId: string) {
  const n = Number(userId) % 4;
  return Array.from({ length: n }, (_, i) => ({
    startedAt: new Date(Date.UTC(2026, 10, 20 - i, 9 + i)).toISOString(),
    direction: i % 2 === 0 ? 'INBOUND' : 'OUTBOUND',
    durationSeconds: 30 + ((Number(userId) * (i + 1)) % 600),
  }));
}

export function createCallsSubgraph(callers: Record<string, string[]>) {
  return createYoga({
    graphqlEndpoint: '/graphql',
    schema: buildSubgraphSchema([
      {
        typeDefs: callsTypeDefs,
        resolvers: {
          Query: {
            recentCallers: (_: unknown, args: { accountId: string; first: number }): UserKey[] =>
              (callers[args.accountId] ?? [])
                .slice(0, args.first)
                .map((userId) => ({ accountId: args.accountId, userId })),
          },
          User: {
            __resolveReference: (ref: UserKey): UserKey => ref,
            callHistory: (user: UserKey) => historyOf(user.userId),
          },
        },
      },
    ]),
  });
}

/** The sandbox's users as callers, so the example composes with `npm start` out of the box. */
export function sandboxCallers(): Record<string, string[]> {
  const callers: Record<string, string[]> = {};
  for (const [accountId, records] of createDataset().accounts) {
    callers[accountId] = records.slice(0, 10).map((r) => String(r.user.id));
  }
  return callers;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const port = Number(process.env['PORT'] ?? 4001);
  createServer(createCallsSubgraph(sandboxCallers())).listen(port, () => {
    console.log(`calls subgraph at http://localhost:${port}/graphql`);
  });
}
