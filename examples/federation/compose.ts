// Composes the supergraph from the directory subgraph (this project) and the calls subgraph, with
// Apollo's composition library, and writes examples/federation/supergraph.graphql.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { composeServices } from '@apollo/composition';
import { printSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { buildSchema } from '../../src/server.js';
import { callsTypeDefs } from './calls-subgraph.js';

export function composeSupergraph(urls: { directory: string; calls: string }) {
  return composeServices([
    { name: 'directory', url: urls.directory, typeDefs: parse(printSubgraphSchema(buildSchema())) },
    { name: 'calls', url: urls.calls, typeDefs: callsTypeDefs },
  ]);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = composeSupergraph({
    directory: process.env['DIRECTORY_URL'] ?? 'http://localhost:4000/graphql',
    calls: process.env['CALLS_URL'] ?? 'http://localhost:4001/graphql',
  });
  if (result.errors) {
    for (const e of result.errors) console.error(e.message);
    process.exit(1);
  }
  for (const hint of result.hints) console.warn(`hint: ${hint.toString()}`);
  const out = new URL('./supergraph.graphql', import.meta.url);
  writeFileSync(out, result.supergraphSdl);
  console.log(`wrote ${out.pathname}`);
}
