/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type UsersPageQueryVariables = Exact<{
  accountId: string;
  first: number;
  after?: string | null | undefined;
}>;


export type UsersPageQuery = { users: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, userId: string, firstName: string | null, lastName: string | null, extensions: Array<{ number: string }> }> } };

export type UserCardQueryVariables = Exact<{
  accountId: string;
  userId: string;
}>;


export type UserCardQuery = { vcard: { formattedName: string, emails: Array<string>, phones: Array<{ number: string, types: Array<string> }> } | null };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const UsersPageDocument = new TypedDocumentString(`
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
    `, {"hash":"sha256:b879fe98efc2f96cfbb12c692f4410b4421669056dd718c935ce629b4935ac31"}) as unknown as TypedDocumentString<UsersPageQuery, UsersPageQueryVariables>;
export const UserCardDocument = new TypedDocumentString(`
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
    `, {"hash":"sha256:b10d9d88b3ae41b2e8085cf7738d7a3956348a3beacba6064871e0cfa25407c6"}) as unknown as TypedDocumentString<UserCardQuery, UserCardQueryVariables>;