// The users API (Vonage Business Cloud provisioning User API) as domain calls.
import type { User, UserFilter, UsersPage } from '../domain.js';
import { UpstreamError } from '../errors.js';
import { fetchThrough } from '../cache/upstream-cache.js';
import type { UpstreamCache } from '../cache/upstream-cache.js';
import type { CallContext } from './call.js';
import { decodeJson } from './call.js';
import type { UpstreamHttp } from './http.js';
import { singleUserDto, toUser, usersPageDto } from './users-schema.js';

export interface ListUsersRequest {
  accountId: string;
  page: number;
  pageSize: number;
  filter: UserFilter;
}

export class UsersClient {
  constructor(
    private readonly http: UpstreamHttp,
    /** The cross-request cache, when CACHE_TTL_MS turns it on. */
    private readonly cache?: UpstreamCache,
  ) {}

  async listUsers(request: ListUsersRequest, call: CallContext): Promise<UsersPage> {
    const { accountId, filter } = request;
    return fetchThrough(
      this.cache,
      this.http,
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
        headers: headers(call),
      },
      call.deadline,
      (response): UsersPage => {
        const dto = decodeJson('users', response, usersPageDto);
        return {
          users: dto._embedded.map((u) => toUser(accountId, u)),
          page: dto.page,
          pageSize: dto.page_size,
          totalItems: dto.total_items,
        };
      },
    );
  }

  /** One user, or null when the upstream does not know it (404). */
  async getUser(accountId: string, userId: string, call: CallContext): Promise<User | null> {
    try {
      return await fetchThrough<User | null>(
        this.cache,
        this.http,
        {
          method: 'GET',
          path: `/accounts/${encodeURIComponent(accountId)}/users/${encodeURIComponent(userId)}`,
          route: '/accounts/:account_id/users/:user_id',
          headers: headers(call),
        },
        call.deadline,
        (response) =>
          toUser(accountId, decodeJson('users', response, singleUserDto)._embedded.data),
        { value: null },
      );
    } catch (error) {
      if (error instanceof UpstreamError && error.status === 404) return null;
      throw error;
    }
  }
}

function headers(call: CallContext): Record<string, string> {
  if (call.credential === undefined) {
    throw new UpstreamError('users', { kind: 'missing-credentials' });
  }
  return {
    authorization: call.credential,
    accept: 'application/json',
    'x-request-id': call.requestId,
  };
}
