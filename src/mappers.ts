// The backing (parent) type of each GraphQL object type that is not a plain copy of its SDL shape.
// codegen.yml points its `mappers` here so resolvers are typed against the domain model.
import type { Connection, Edge } from './pagination/connection.js';
import type { Extension, User, VCard } from './domain.js';

export type UserMapper = User;
export type ExtensionMapper = Extension;
export type VCardMapper = VCard;
export type UserConnectionMapper = Connection<User>;
export type UserEdgeMapper = Edge<User>;
