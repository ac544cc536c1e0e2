/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query UsersPage($accountId: ID!, $first: Int!, $after: String) {\n    users(accountId: $accountId, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        userId\n        firstName\n        lastName\n        extensions {\n          number\n        }\n      }\n    }\n  }\n": typeof types.UsersPageDocument,
    "\n  query UserCard($accountId: ID!, $userId: ID!) {\n    vcard(accountId: $accountId, userId: $userId) {\n      formattedName\n      emails\n      phones {\n        number\n        types\n      }\n    }\n  }\n": typeof types.UserCardDocument,
};
const documents: Documents = {
    "\n  query UsersPage($accountId: ID!, $first: Int!, $after: String) {\n    users(accountId: $accountId, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        userId\n        firstName\n        lastName\n        extensions {\n          number\n        }\n      }\n    }\n  }\n": types.UsersPageDocument,
    "\n  query UserCard($accountId: ID!, $userId: ID!) {\n    vcard(accountId: $accountId, userId: $userId) {\n      formattedName\n      emails\n      phones {\n        number\n        types\n      }\n    }\n  }\n": types.UserCardDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UsersPage($accountId: ID!, $first: Int!, $after: String) {\n    users(accountId: $accountId, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        userId\n        firstName\n        lastName\n        extensions {\n          number\n        }\n      }\n    }\n  }\n"): typeof import('./graphql.js').UsersPageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UserCard($accountId: ID!, $userId: ID!) {\n    vcard(accountId: $accountId, userId: $userId) {\n      formattedName\n      emails\n      phones {\n        number\n        types\n      }\n    }\n  }\n"): typeof import('./graphql.js').UserCardDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
