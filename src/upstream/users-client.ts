// The users API (Vonage Business Cloud provisioning User API) as domain calls: build the request,
// send it through the chain, decode. Credentials, caching, retries and the rest are the chain's.
import type { User, UserFilter, UsersPage } from '../domain.js';
import { UpstreamError } from '../errors.js';
import type { Call } from './call.js';
import type { RawResponse, Send } from './chain.js';
import { valueOf } from './chain.js';
import { decodeJson, decodeJsonWith } from './decode.js';
import { userSchema, usersPageSchema } from './domain-schemas.js';
import { decodeUsersPage } from './users-decoder.js';
import { singleUserDto, toUser } from './users-schema.js';

export interface ListUsersRequest {
  accountId: string;
  page: number;
  pageSize: number;
  filter: UserFilter;
}

const HEADERS = { accept: 'application/json' } as const;
const PAGE_CACHE = { schema: usersPageSchema, notFoundIsAnswer: false } as const;
const USER_CACHE = { schema: userSchema, notFoundIsAnswer: true } as const;

export class UsersClient {
  constructor(private readonly send: Send) {}

  async listUsers(request: ListUsersRequest, call: Call): Promise<UsersPage> {
    const { accountId, filter } = request;
    const reply = await this.send(
      {
        method: 'GET',
        path: `/accounts/${encodeURIComponent(accountId)}/users`,
        route: '/accounts/:account_id/users',
        query: {
          page: request.page,
          page_size: request.pageSize,
          first_name: filter.firstName,
          last_name: filter.lastName,
          login_name: filter.loginName,
          email: filter.email,
        },
        headers: { ...HEADERS, 'x-request-id': call.requestId },
        decode: (response): UsersPage => {
          const dto = decodeJsonWith('users', response, decodeUsersPage);
          return {
            users: dto._embedded.map((u) => toUser(accountId, u)),
            page: dto.page,
            pageSize: dto.page_size,
            totalItems: dto.total_items,
          };
        },
        cache: PAGE_CACHE,
      },
      call,
    );
    return valueOf('users', reply);
  }

  /** One user, or null when the upstream does not know it (404). */
  async getUser(accountId: string, userId: string, call: Call): Promise<User | null> {
    const reply = await this.send(
      {
        method: 'GET',
        path: `/accounts/${encodeURIComponent(accountId)}/users/${encodeURIComponent(userId)}`,
        route: '/accounts/:account_id/users/:user_id',
        headers: { ...HEADERS, 'x-request-id': call.requestId },
        decode: (response) => decodeUser(response, accountId, userId),
        cache: USER_CACHE,
      },
      call,
    );
    if (!reply.ok && reply.status === 404) return null;
    return valueOf('users', reply);
  }
}

/** The single-user answer, which must be about the user asked for: its id is not trusted blindly. */
function decodeUser(response: RawResponse, accountId: string, userId: string): User {
  const user = toUser(accountId, decodeJson('users', response, singleUserDto)._embedded.data);
  if (canonicalId(user.userId) !== canonicalId(userId)) {
    throw new UpstreamError(
      'users',
      { kind: 'mismatch', status: response.status },
      response.requestId,
    );
  }
  return user;
}

/** Numeric ids compare as numbers (`0042` is `42`); anything else as given. */
function canonicalId(id: string): string {
  return /^\d+$/.test(id) ? id.replace(/^0+(?=\d)/, '') : id;
}
