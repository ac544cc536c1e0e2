// A minimal typed client: POSTs a typed document, returns typed data, pages through users with the
// cursors. Run it against the sandbox: `npm start`, then `npx tsx examples/frontend/client.ts`.
import { pathToFileURL } from 'node:url';
import type { TypedDocumentString } from './gql/graphql.js';
import { UsersPageQuery } from './documents.js';
import type { UsersPageQuery as UsersPage } from './gql/graphql.js';

export type Fetch = (url: string, init: RequestInit) => Promise<Response> | Response;

export interface ClientOptions {
  endpoint: string;
  /** Sent as-is: `Authorization` goes to the users API, `X-Auth-Token` to the vcard API. */
  headers?: Record<string, string>;
  fetch?: Fetch;
  /** Send only the document's hash (`documentId`): for gateways that run trusted documents only. */
  trusted?: boolean;
}

export async function execute<TResult, TVariables>(
  options: ClientOptions,
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
): Promise<TResult> {
  const response = await (options.fetch ?? fetch)(options.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...options.headers },
    body: JSON.stringify(
      options.trusted
        ? { documentId: document.__meta__?.['hash'], variables }
        : { query: document.toString(), variables },
    ),
  });
  const body = (await response.json()) as { data?: TResult; errors?: { message: string }[] };
  if (body.errors?.length || body.data === undefined) {
    throw new Error(body.errors?.map((e) => e.message).join('; ') ?? `HTTP ${response.status}`);
  }
  return body.data;
}

export type ListedUser = UsersPage['users']['nodes'][number];

/** Every user of an account, page by page, following `endCursor` while `hasNextPage`. */
export async function* allUsers(
  options: ClientOptions,
  accountId: string,
  pageSize = 20,
): AsyncGenerator<ListedUser[]> {
  let after: string | null = null;
  for (;;) {
    const { users }: UsersPage = await execute(options, UsersPageQuery, {
      accountId,
      first: pageSize,
      after,
    });
    yield users.nodes;
    if (!users.pageInfo.hasNextPage || users.pageInfo.endCursor === null) return;
    after = users.pageInfo.endCursor;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const endpoint = process.env['GATEWAY_URL'] ?? 'http://localhost:4000/graphql';
  let page = 0;
  for await (const users of allUsers({ endpoint }, process.env['ACCOUNT_ID'] ?? '1001', 5)) {
    page++;
    for (const u of users) {
      console.log(
        `page ${page}  ${u.userId}  ${[u.firstName, u.lastName].filter(Boolean).join(' ')}`,
      );
    }
  }
}
