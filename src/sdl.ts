// The SDL of every domain (schema/*.graphql), read once. Kept apart from src/schema.ts, which binds
// the resolvers, so that the cost model and the resolvers can read the SDL without an import cycle.
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'graphql';
import type { DocumentNode } from 'graphql';

// From src/ and from dist/src/ alike: the build copies schema/ beside src/.
const SCHEMA_DIR = new URL('../schema/', import.meta.url);

let typeDefs: DocumentNode | undefined;

/** The SDL of every domain, in a stable order (the files under schema/). */
export function loadTypeDefs(): DocumentNode {
  if (typeDefs === undefined) {
    const files = readdirSync(SCHEMA_DIR)
      .filter((f) => f.endsWith('.graphql'))
      .sort();
    typeDefs = parse(files.map((f) => readFileSync(new URL(f, SCHEMA_DIR), 'utf8')).join('\n'));
  }
  return typeDefs;
}
