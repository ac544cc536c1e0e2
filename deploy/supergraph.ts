// Writes deploy/supergraph.graphql: the supergraph the compose stack's federation router (Hive
// Gateway) serves, composed with Apollo's composition library from this gateway's subgraph SDL, the
// subgraph routed to the load balancer in front of the replicas.
// `npx tsx deploy/supergraph.ts`; test/integration/production-deploy.test.ts fails when it is stale.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { composeServices } from '@apollo/composition';
import { printSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { buildSchema } from '../src/server.js';

/** Where the router reaches the gateways: compose.yaml's load balancer. */
export const DIRECTORY_ROUTING_URL = 'http://lb:8080/graphql';

export function composeDeploySupergraph(): string {
  const result = composeServices([
    {
      name: 'directory',
      url: DIRECTORY_ROUTING_URL,
      typeDefs: parse(printSubgraphSchema(buildSchema())),
    },
  ]);
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.supergraphSdl;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = new URL('./supergraph.graphql', import.meta.url);
  writeFileSync(out, composeDeploySupergraph());
  console.log(`wrote ${out.pathname}`);
}
