// Floor system 2: bare graphql-yoga (its defaults, no plugins) + undici, with a minimal schema of
// exactly what Q1 and Q2 select and resolvers that call the simulators directly (one vCard call per
// user, all in parallel, as Q2's 50 cards need). What GraphQL on this stack costs before any of
// this gateway's own work (validation, DataLoader, breakers, limits, observability).
//
// Env: PORT, USERS_API_URL, VCARD_API_URL, USERS_API_TOKEN, VCARD_API_TOKEN.
import { createServer } from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';
import { listenPort, upstreamsFromEnv, type FloorUser } from './upstream.js';

const upstreams = upstreamsFromEnv();

const typeDefs = /* GraphQL */ `
  type Query {
    users(accountId: ID!, first: Int = 20): UserConnection!
  }
  type UserConnection {
    totalCount: Int!
    pageInfo: PageInfo!
    nodes: [User!]!
  }
  type PageInfo {
    hasNextPage: Boolean!
    endCursor: String
  }
  type User {
    userId: ID!
    firstName: String
    lastName: String
    extensions: [Extension!]!
    vcard: VCard
  }
  type Extension {
    number: String!
    dids: [Did!]!
  }
  type Did {
    phoneNumber: String!
    customTag: String
  }
  type VCard {
    formattedName: String!
    title: String
    emails: [String!]!
    phones: [Phone!]!
  }
  type Phone {
    number: String!
    types: [String!]!
  }
`;

const schema = createSchema({
  typeDefs,
  resolvers: {
    Query: {
      users: (_: unknown, args: { accountId: string; first: number }) =>
        upstreams.firstPage(args.accountId, args.first),
    },
    User: {
      vcard: (user: FloorUser) => upstreams.vcard(user.accountId, user.userId),
    },
  },
});

const yoga = createYoga({ schema, graphiql: false, landingPage: false });
const server = createServer(yoga);
server.keepAliveTimeout = 65_000;
server.listen(listenPort(), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
