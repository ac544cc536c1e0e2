// The one schema: the SDL with its resolvers, served standalone and as an Apollo Federation v2
// subgraph, with the `_entities` guard.
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLSchema } from 'graphql';
import { InputError } from './errors.js';
import { resolvers } from './resolvers/index.js';
import { loadTypeDefs } from './sdl.js';

export { loadTypeDefs } from './sdl.js';

export function buildSchema(): GraphQLSchema {
  const schema = buildSubgraphSchema([{ typeDefs: loadTypeDefs(), resolvers: { ...resolvers } }]);
  guardEntityTypenames(schema);
  return schema;
}

/**
 * @apollo/subgraph throws a plain Error for a representation whose `__typename` is missing or not
 * one of our entities, which would reach the caller as INTERNAL_SERVER_ERROR; it is bad input.
 */
function guardEntityTypenames(schema: GraphQLSchema): void {
  const field = schema.getQueryType()?.getFields()['_entities'];
  const resolve = field?.resolve;
  const union = schema.getType('_Entity');
  // Structural: the schema is built by @apollo/subgraph's (CommonJS) copy of graphql.
  if (!field || !resolve || !union || !('getTypes' in union)) return;
  const entities = new Set(union.getTypes().map((t) => t.name));
  const expected = [...entities].join(', ');
  field.resolve = (source, args: { representations?: unknown }, context, info) => {
    const representations = Array.isArray(args.representations) ? args.representations : [];
    for (const representation of representations) {
      const typename: unknown = (representation as { __typename?: unknown } | null)?.__typename;
      if (typeof typename !== 'string' || !entities.has(typename)) {
        throw new InputError(
          `every representation needs a __typename of an entity type (${expected})`,
          'representations',
        );
      }
    }
    return resolve(source, args, context, info);
  };
}
