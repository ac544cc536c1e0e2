// The operations of the example frontend. graphql-codegen's client preset turns each into a typed
// document (examples/frontend/gql/) and writes the trusted-documents manifest.
import { graphql } from './gql/index.js';

export const UsersPageQuery = graphql(`
  query UsersPage($accountId: ID!, $first: Int!, $after: String) {
    users(accountId: $accountId, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        userId
        firstName
        lastName
        extensions {
          number
        }
      }
    }
  }
`);

export const UserCardQuery = graphql(`
  query UserCard($accountId: ID!, $userId: ID!) {
    vcard(accountId: $accountId, userId: $userId) {
      formattedName
      emails
      phones {
        number
        types
      }
    }
  }
`);
