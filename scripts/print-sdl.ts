// Writes the subgraph SDL (federation directives included) for schema registries:
// `npm run print-sdl [-- path]`, default dist/subgraph.graphql.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { printSubgraphSchema } from '@apollo/subgraph';
import { buildSchema } from '../src/server.js';

const out = process.argv[2] ?? 'dist/subgraph.graphql';
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, printSubgraphSchema(buildSchema()));
console.log(`wrote ${out}`);
