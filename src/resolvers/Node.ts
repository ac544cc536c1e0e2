import type { NodeResolvers } from '../generated/resolvers.js';

export const Node: NodeResolvers = {
  // User is the only Node so far; a second type would be told apart by its global id prefix.
  __resolveType: () => 'User',
};
