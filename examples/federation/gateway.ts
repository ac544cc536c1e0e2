// Apollo Gateway over the composed supergraph (run compose.ts first), on http://localhost:4100/.
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

interface Context {
  headers: IncomingHttpHeaders;
}

/** Passes the caller's credentials on to the subgraphs (the directory forwards them upstream). */
class ForwardingDataSource extends RemoteGraphQLDataSource<Context> {
  override willSendRequest({
    request,
    context,
  }: Parameters<RemoteGraphQLDataSource<Context>['willSendRequest'] & object>[0]) {
    for (const name of ['authorization', 'x-auth-token']) {
      const value = context.headers?.[name];
      if (typeof value === 'string') request.http?.headers.set(name, value);
    }
  }
}

const supergraphSdl = readFileSync(new URL('./supergraph.graphql', import.meta.url), 'utf8');
const gateway = new ApolloGateway({
  supergraphSdl,
  buildService: ({ url }) => new ForwardingDataSource(url === undefined ? {} : { url }),
});
const server = new ApolloServer<Context>({ gateway });
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(process.env['PORT'] ?? 4100) },
  context: async ({ req }) => ({ headers: req.headers }),
});
console.log(`federated gateway at ${url}`);
