// Simulator of the Vonage Business Cloud provisioning User API (users-api.txt): the paged users list
// with filters and the single-user endpoint, both in the documented HAL-style envelope, behind an
// OAuth2 token endpoint (users-oauth.ts) on the same origin.
import type { IncomingMessage } from 'node:http';
import { OAUTH_TOKEN_PATH, SANDBOX_CREDENTIALS } from './credentials.js';
import type { UsersApiCredentials } from './credentials.js';
import { createDataset } from './data.js';
import type { Dataset, UserJson, UserRecord } from './data.js';
import { usersOpenApi } from './openapi-users.js';
import { JSON_TYPE, bearerToken, decodeSegments, json } from './http.js';
import type { SimRequest, SimResponse } from './http.js';
import { Simulator } from './simulator.js';
import type { SimulatorOptions } from './simulator.js';
import { OAuthServer } from './users-oauth.js';

export interface UsersSimulatorOptions extends SimulatorOptions {
  dataset?: Dataset;
  /** Largest page the API serves; bigger page_size values are clamped. Default 100. */
  maxPageSize?: number;
  /**
   * Real credential checks: the API then answers 401 unless the bearer token is one the token
   * endpoint issued (and has not expired) or `requiredToken`. Default false (any token works),
   * true when `requiredToken` is given.
   */
  requireAuth?: boolean;
  /** A static token accepted in `Authorization: Bearer …` (implies requireAuth). */
  requiredToken?: string;
  /**
   * Tokens that authenticate but are not allowed (403). Entries may be the bare token or the whole
   * header value (`Bearer …`).
   */
  forbiddenTokens?: string[];
  /** Who the token endpoint knows. Default SANDBOX_CREDENTIALS.users. */
  credentials?: UsersApiCredentials;
  /** expires_in of issued access tokens. Default 3600. */
  tokenLifetimeSeconds?: number;
  /** The token endpoint refuses HTTP Basic client authentication (401 invalid_client). */
  refuseBasicAuth?: boolean;
}

const DEFAULT_PAGE_SIZE = 10;
const FILTERS = ['first_name', 'last_name', 'login_name', 'email'] as const;
type FilterName = (typeof FILTERS)[number];

// Serialising a user once and splicing the strings into pages keeps big lists cheap. Keyed by the
// user object: a record given a new one gets a new entry (mutate by replacing, not in place).
const userJson = new WeakMap<UserJson, string>();
function serialise(user: UserJson): string {
  let text = userJson.get(user);
  if (text === undefined) {
    text = JSON.stringify(user);
    userJson.set(user, text);
  }
  return text;
}

function usersError(status: number, message: string, wwwAuthenticate = 'Bearer'): SimResponse {
  return {
    ...json(status, { error: message }),
    ...(status === 401 ? { headers: { 'www-authenticate': wwwAuthenticate } } : {}),
  };
}

export class UsersSimulator extends Simulator {
  protected readonly name = 'users';
  readonly dataset: Dataset;
  readonly maxPageSize: number;
  /** See UsersSimulatorOptions.requireAuth; may be changed at any time. */
  requireAuth: boolean;
  /** The token endpoint: its settings (lifetime, Basic refused) may be changed at any time. */
  readonly oauth: OAuthServer;
  private readonly requiredToken: string | undefined;
  private readonly forbidden: Set<string>;

  constructor(options: UsersSimulatorOptions = {}) {
    super(options);
    this.dataset = options.dataset ?? createDataset();
    this.maxPageSize = options.maxPageSize ?? 100;
    this.requiredToken = options.requiredToken;
    this.requireAuth = options.requireAuth ?? options.requiredToken !== undefined;
    this.forbidden = new Set((options.forbiddenTokens ?? []).map((t) => bearerToken(t) ?? t));
    this.oauth = new OAuthServer(options.credentials ?? SANDBOX_CREDENTIALS.users, {
      tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
      refuseBasicAuth: options.refuseBasicAuth ?? false,
    });
  }

  /** The OAuth2 token endpoint, for USERS_API_TOKEN_URL. */
  get tokenUrl(): string {
    return `${this.url}${OAUTH_TOKEN_PATH}`;
  }

  /** Every access token issued so far is expired from now on (refresh tokens still work). */
  expireTokens(): void {
    this.oauth.accessTokens.expireAll();
  }

  /** Every access and refresh token issued or seeded so far stops working. */
  revokeTokens(): void {
    this.oauth.revokeAll();
  }

  protected credentialOf(headers: IncomingMessage['headers']): string | undefined {
    const header = headers.authorization;
    return bearerToken(header) ?? header;
  }

  protected override isTokenEndpoint(path: string): boolean {
    return path === OAUTH_TOKEN_PATH;
  }

  protected error(status: number, message: string): SimResponse {
    return usersError(status, message);
  }

  protected openapi(url: string): object {
    return usersOpenApi(url, this.maxPageSize);
  }

  protected route(request: SimRequest): SimResponse {
    if (request.path === OAUTH_TOKEN_PATH) return this.oauth.token(request);
    const segments = decodeSegments(request.path);
    if (segments === undefined || segments[0] !== 'accounts' || segments[2] !== 'users') {
      return usersError(404, 'not found');
    }
    const [, accountId = '', , userId] = segments;
    if (segments.length > 4) return usersError(404, 'not found');
    // Like an API gateway in front of the real service: credentials are checked before anything.
    const denied = this.authFailure(request);
    if (denied) return denied;
    if (request.method !== 'GET') {
      return { ...usersError(405, 'method not allowed'), headers: { allow: 'GET' } };
    }
    const users = this.dataset.accounts.get(accountId);
    if (users === undefined) return usersError(404, `account ${accountId} not found`);
    const base = `${this.url}${request.path}`;
    if (userId === undefined) return listPage(users, request.query, base, this.maxPageSize);
    return singleUser(users, userId, base);
  }

  private authFailure(request: SimRequest): SimResponse | undefined {
    const token = bearerToken(request.headers.authorization);
    if (token !== undefined && this.forbidden.has(token)) {
      return usersError(403, 'this token is not allowed to read this account');
    }
    const state = token === undefined ? 'unknown' : this.oauth.accessTokens.state(token);
    // A token this API issued and that ran out is refused even when any other token would do.
    if (state === 'expired' || state === 'revoked') {
      return usersError(
        401,
        `the access token ${state === 'expired' ? 'expired' : 'was revoked'}`,
        `Bearer error="invalid_token"`,
      );
    }
    if (
      this.requireAuth &&
      state !== 'valid' &&
      (token === undefined || token !== this.requiredToken)
    ) {
      return usersError(401, 'missing or invalid bearer token');
    }
    return undefined;
  }
}

export function startUsersSimulator(options: UsersSimulatorOptions = {}): Promise<UsersSimulator> {
  return new UsersSimulator(options).listen(options.port ?? 0, options.host ?? '127.0.0.1');
}

function listPage(
  users: UserRecord[],
  query: URLSearchParams,
  base: string,
  maxPageSize: number,
): SimResponse {
  const page = positiveInt(query.get('page'), 1);
  const asked = positiveInt(query.get('page_size'), DEFAULT_PAGE_SIZE);
  if (page === undefined) return usersError(400, 'page must be a positive integer');
  if (asked === undefined) return usersError(400, 'page_size must be a positive integer');
  const pageSize = Math.min(asked, maxPageSize);

  const filters: [FilterName, string][] = [];
  for (const name of FILTERS) {
    const value = query.get(name);
    // An empty filter constrains nothing (as `?first_name=` from a form with an empty field).
    if (value !== null && value !== '') filters.push([name, value.toLowerCase()]);
  }
  const matching =
    filters.length === 0
      ? users
      : users.filter((r) =>
          filters.every(([name, value]) => r.user[name]?.toLowerCase() === value),
        );

  const totalItems = matching.length;
  const totalPages = Math.ceil(totalItems / pageSize);
  const start = (page - 1) * pageSize;
  const slice = start < totalItems ? matching.slice(start, start + pageSize) : [];

  const extra = filters.length === 0 ? '' : filterQuery(query);
  const href = (n: number) => ({ href: `${base}?page=${n}&page_size=${pageSize}${extra}` });
  const links = {
    first: href(1),
    ...(page > 1 ? { prev: href(page - 1) } : {}),
    self: href(page),
    ...(page < totalPages ? { next: href(page + 1) } : {}),
  };
  const head = JSON.stringify({
    page_size: pageSize,
    page,
    total_pages: totalPages,
    total_items: totalItems,
    _links: links,
  });
  // head ends with '}': reopen it to append _embedded with the pre-serialised users.
  const body = `${head.slice(0, -1)},"_embedded":{"data":[${slice.map((r) => serialise(r.user)).join(',')}]}}`;
  return { status: 200, contentType: JSON_TYPE, body };
}

function singleUser(users: UserRecord[], userId: string, base: string): SimResponse {
  const id = /^\d+$/.test(userId) ? Number(userId) : NaN;
  const record = users.find((r) => r.id === id);
  if (record === undefined) return usersError(404, `user ${userId} not found`);
  // The docs show the list envelope around a single object; one user is one page of one.
  const head = JSON.stringify({
    page_size: 1,
    page: 1,
    total_pages: 1,
    total_items: 1,
    _links: { first: { href: base }, self: { href: base } },
  });
  const body = `${head.slice(0, -1)},"_embedded":{"data":${serialise(record.user)}}}`;
  return { status: 200, contentType: JSON_TYPE, body };
}

/** Parses a 1-based integer; a missing value takes the default; anything else is undefined. */
function positiveInt(value: string | null, fallback: number): number | undefined {
  if (value === null) return fallback;
  if (!/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n >= 1 && Number.isSafeInteger(n) ? n : undefined;
}

function filterQuery(query: URLSearchParams): string {
  let out = '';
  for (const name of FILTERS) {
    const value = query.get(name);
    if (value !== null && value !== '') out += `&${name}=${encodeURIComponent(value)}`;
  }
  return out;
}
