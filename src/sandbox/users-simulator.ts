// Simulator of the Vonage Business Cloud provisioning User API (users-api.txt): the paged users list
// with filters and the single-user endpoint, both in the documented HAL-style envelope.
import { createDataset } from './data.js';
import type { Dataset, UserDto, UserRecord } from './data.js';
import { usersOpenApi } from './openapi.js';
import { JSON_TYPE, decodeSegments, json, startSimulator } from './simulator.js';
import type { SimRequest, SimResponse, SimulatorHandle, SimulatorOptions } from './simulator.js';

export interface UsersSimulatorOptions extends SimulatorOptions {
  dataset?: Dataset;
  /** Largest page the API serves; bigger page_size values are clamped. Default 100. */
  maxPageSize?: number;
  /** When set, every request needs `Authorization: Bearer <requiredToken>` (else 401). */
  requiredToken?: string;
  /**
   * Tokens that authenticate but are not allowed (403). Entries may be the bare token or the whole
   * header value (`Bearer …`).
   */
  forbiddenTokens?: string[];
}

export interface UsersSimulator extends SimulatorHandle {
  dataset: Dataset;
  maxPageSize: number;
}

const DEFAULT_PAGE_SIZE = 10;
const FILTERS = ['first_name', 'last_name', 'login_name', 'email'] as const;
type FilterName = (typeof FILTERS)[number];

// Serialising a user once and splicing the strings into pages keeps big lists cheap. Keyed by the
// DTO object: a record given a new DTO gets a new entry (mutate by replacing, not in place).
const userJson = new WeakMap<UserDto, string>();
function serialise(dto: UserDto): string {
  let text = userJson.get(dto);
  if (text === undefined) {
    text = JSON.stringify(dto);
    userJson.set(dto, text);
  }
  return text;
}

function usersError(status: number, message: string): SimResponse {
  return {
    ...json(status, { error: message }),
    ...(status === 401 ? { headers: { 'www-authenticate': 'Bearer' } } : {}),
  };
}

export async function startUsersSimulator(
  options: UsersSimulatorOptions = {},
): Promise<UsersSimulator> {
  const dataset = options.dataset ?? createDataset();
  const maxPageSize = options.maxPageSize ?? 100;
  const forbidden = new Set((options.forbiddenTokens ?? []).map(bareToken));

  const authFailure = (request: SimRequest): SimResponse | undefined => {
    const header = request.headers.authorization;
    const token = header === undefined ? undefined : bearerToken(header);
    if (token !== undefined && forbidden.has(token)) {
      return usersError(403, 'this token is not allowed to read this account');
    }
    if (options.requiredToken !== undefined && token !== options.requiredToken) {
      return usersError(401, 'missing or invalid bearer token');
    }
    return undefined;
  };

  const route = (request: SimRequest, self: SimulatorHandle): SimResponse => {
    const segments = decodeSegments(request.path);
    if (segments === undefined || segments[0] !== 'accounts' || segments[2] !== 'users') {
      return usersError(404, 'not found');
    }
    const [, accountId = '', , userId] = segments;
    if (segments.length > 4) return usersError(404, 'not found');
    // Like an API gateway in front of the real service: credentials are checked before anything.
    const denied = authFailure(request);
    if (denied) return denied;
    if (request.method !== 'GET') {
      return { ...usersError(405, 'method not allowed'), headers: { allow: 'GET' } };
    }
    const users = dataset.accounts.get(accountId);
    if (users === undefined) return usersError(404, `account ${accountId} not found`);
    const base = `${self.url}${request.path}`;
    if (userId === undefined) return listPage(users, request.query, base, maxPageSize);
    return singleUser(users, userId, base);
  };

  const handle = await startSimulator(
    {
      name: 'users',
      route,
      error: (status, message) => usersError(status, message),
      openapi: (url) => usersOpenApi(url, maxPageSize),
    },
    options,
  );
  return Object.assign(handle, { dataset, maxPageSize });
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

function bearerToken(header: string): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1];
}

function bareToken(entry: string): string {
  return bearerToken(entry) ?? entry;
}
