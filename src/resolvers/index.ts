import type { Resolvers } from '../generated/resolvers.js';
import { Extension } from './Extension.js';
import { Node } from './Node.js';
import { Query } from './Query.js';
import { User } from './User.js';
import { UserConnection } from './UserConnection.js';
import { VCard } from './VCard.js';

export const resolvers: Resolvers = { Query, User, Extension, VCard, UserConnection, Node };
