import type { UserConnectionResolvers } from '../generated/resolvers.js';

export const UserConnection: UserConnectionResolvers = {
  nodes: (connection) => connection.edges.map((edge) => edge.node),
};
