// GraphiQL is the documentation: every type, field, argument and enum value of ours has a description.
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/server.js';

// Added by the federation spec or GraphQL itself, not written by us.
const foreign = (name: string): boolean =>
  name.startsWith('__') ||
  name.startsWith('_') ||
  name.startsWith('link__') ||
  name.startsWith('federation__');

describe('schema documentation', () => {
  it('describes every type, field, argument and enum value', () => {
    const missing: string[] = [];
    const schema = buildSchema();
    for (const type of Object.values(schema.getTypeMap())) {
      if (foreign(type.name) || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name))
        continue;
      if (type.name !== 'Query' && !type.description) missing.push(type.name);
      // Structural checks: the schema is built by graphql's CJS build (inside @apollo/subgraph), so
      // the ESM `isObjectType` & co. refuse its types.
      if ('getFields' in type) {
        for (const field of Object.values(type.getFields())) {
          if (foreign(field.name)) continue;
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of 'args' in field ? field.args : []) {
            if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
          }
        }
      }
      if ('getValues' in type) {
        for (const value of type.getValues())
          if (!value.description) missing.push(`${type.name}.${value.name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
