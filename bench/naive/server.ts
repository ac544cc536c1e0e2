// The naive gateway the benchmark compares against: the same SDL, with resolvers that call the REST
// upstreams directly, one fetch per field that needs one. What someone writes in an afternoon:
// - no DataLoader, no per-request dedupe, no cache, Node's default fetch (undici) and its defaults;
// - offset cursors (graphql-relay's `arrayconnection:<offset>`, base64);
// - the naive page mapping of bench/planner.ts: page_size = n, page = floor(o / n) + 1, and the
//   next page too when the window is not aligned (both fetched in parallel);
// - the vCard mapping is the project's own (src/vcard), so both gateways do the same work per card.
// It keeps the contract's shapes so the same queries run on both; errors are plain messages.
//
// Env: PORT, USERS_API_URL, VCARD_API_URL, USERS_API_TOKEN, VCARD_API_TOKEN.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import type { VCard } from '../../src/domain.js';
import { vcardFromDocument } from '../../src/vcard/from-document.js';
import { vcardFromText } from '../../src/vcard/from-text.js';
import { vcardToText } from '../../src/vcard/to-text.js';
import { requiredEnv as required } from '../src/env.js';

const USERS = required('USERS_API_URL');
const VCARD = required('VCARD_API_URL');
const MAX_PAGE = 100;

interface Ctx {
  request: Request;
}

interface UserDto {
  id: number;
  email?: string;
  login_name?: string;
  first_name?: string;
  last_name?: string;
  contact_numbers?: { type: string; value: string }[];
  extensions?: {
    extension_number: string;
    dids?: { phone_number: string; custom_tag?: string }[];
  }[];
}

interface Page {
  page: number;
  page_size: number;
  total_items: number;
  _embedded?: { data?: UserDto[] };
}

type User = ReturnType<typeof toUser>;

function toUser(accountId: string, dto: UserDto) {
  const userId = String(dto.id);
  return {
    accountId,
    userId,
    email: dto.email ?? null,
    loginName: dto.login_name ?? null,
    firstName: dto.first_name ?? null,
    lastName: dto.last_name ?? null,
    contactNumbers: dto.contact_numbers ?? [],
    extensions: (dto.extensions ?? []).map((e) => ({
      accountId,
      userId,
      number: e.extension_number,
      dids: (e.dids ?? []).map((d) => ({
        phoneNumber: d.phone_number,
        customTag: d.custom_tag ?? null,
      })),
    })),
  };
}

async function usersApi(ctx: Ctx, path: string): Promise<unknown> {
  const response = await fetch(`${USERS}${path}`, {
    headers: {
      accept: 'application/json',
      authorization:
        ctx.request.headers.get('authorization') ?? `Bearer ${process.env.USERS_API_TOKEN ?? ''}`,
    },
  });
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`users API answered ${response.status}`);
  return response.json();
}

async function fetchPage(ctx: Ctx, accountId: string, page: number, size: number): Promise<Page> {
  const path = `/accounts/${encodeURIComponent(accountId)}/users?page=${page}&page_size=${size}`;
  const answer = (await usersApi(ctx, path)) as Page | null;
  if (answer === null) throw new Error(`account ${accountId} not found`);
  return answer;
}

async function fetchUser(ctx: Ctx, accountId: string, userId: string): Promise<User | null> {
  const path = `/accounts/${encodeURIComponent(accountId)}/users/${encodeURIComponent(userId)}`;
  const answer = (await usersApi(ctx, path)) as { _embedded: { data: UserDto } } | null;
  return answer === null ? null : toUser(accountId, answer._embedded.data);
}

async function fetchVcard(ctx: Ctx, accountId: string, userId: string): Promise<VCard | null> {
  const url = `${VCARD}/accounts/${encodeURIComponent(accountId)}/users/${encodeURIComponent(userId)}/vcard`;
  const response = await fetch(url, {
    headers: {
      accept: 'application/json, text/vcard;q=0.9',
      'x-auth-token': ctx.request.headers.get('x-auth-token') ?? process.env.VCARD_API_TOKEN ?? '',
    },
  });
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`vcard API answered ${response.status}`);
  if ((response.headers.get('content-type') ?? '').includes('json')) {
    const body = (await response.json()) as { data: Parameters<typeof vcardFromDocument>[0] };
    return vcardFromDocument(body.data);
  }
  return vcardFromText(await response.text());
}

const toCursor = (offset: number) =>
  Buffer.from(`arrayconnection:${offset}`, 'utf8').toString('base64');

function fromCursor(cursor: string): number {
  const offset = Number(Buffer.from(cursor, 'base64').toString('utf8').split(':')[1]);
  if (!Number.isInteger(offset) || offset < 0) throw new Error('invalid cursor');
  return offset;
}

const globalId = (u: { accountId: string; userId: string }) =>
  Buffer.from(`User/${u.accountId}/${u.userId}`, 'utf8').toString('base64url');

function fromGlobalId(id: string): { accountId: string; userId: string } {
  const [type, accountId, userId] = Buffer.from(id, 'base64url').toString('utf8').split('/');
  if (type !== 'User' || !accountId || !userId) throw new Error('invalid id');
  return { accountId, userId };
}

interface UsersArgs {
  accountId: string;
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** The window [offset, offset + count) through the naive page mapping. */
async function usersConnection(ctx: Ctx, args: UsersArgs) {
  let offset: number;
  let count: number;
  let knownTotal: number | undefined;
  if (args.last != null) {
    count = Math.min(args.last, MAX_PAGE);
    let end: number;
    if (args.before != null) {
      end = fromCursor(args.before);
    } else {
      // The end of the list is only known from the upstream's total.
      knownTotal = (await fetchPage(ctx, args.accountId, 1, 1)).total_items;
      end = knownTotal;
    }
    offset = Math.max(0, end - count);
    count = end - offset;
  } else {
    count = Math.min(args.first ?? 20, MAX_PAGE);
    offset = args.after != null ? fromCursor(args.after) + 1 : 0;
  }
  const size = Math.max(1, count);
  const firstPage = Math.floor(offset / size) + 1;
  const pageNumbers = offset % size === 0 ? [firstPage] : [firstPage, firstPage + 1];
  const pages = await Promise.all(pageNumbers.map((p) => fetchPage(ctx, args.accountId, p, size)));
  const rows = pages.flatMap((p) => p._embedded?.data ?? []);
  const start = offset - (firstPage - 1) * size;
  const slice = rows.slice(start, start + count);
  const total = knownTotal ?? pages[0]?.total_items ?? 0;
  const edges = slice.map((dto, i) => ({
    cursor: toCursor(offset + i),
    node: toUser(args.accountId, dto),
  }));
  return {
    edges,
    nodes: edges.map((e) => e.node),
    totalCount: total,
    pageInfo: {
      hasNextPage: offset + slice.length < total,
      hasPreviousPage: offset > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

const resolvers = {
  Query: {
    users: (_: unknown, args: UsersArgs, ctx: Ctx) => usersConnection(ctx, args),
    user: (_: unknown, a: { accountId: string; userId: string }, ctx: Ctx) =>
      fetchUser(ctx, a.accountId, a.userId),
    vcard: (_: unknown, a: { accountId: string; userId: string }, ctx: Ctx) =>
      fetchVcard(ctx, a.accountId, a.userId),
    node: (_: unknown, { id }: { id: string }, ctx: Ctx) => {
      const ref = fromGlobalId(id);
      return fetchUser(ctx, ref.accountId, ref.userId);
    },
    nodes: (_: unknown, { ids }: { ids: string[] }, ctx: Ctx) =>
      ids.map((id) => {
        const ref = fromGlobalId(id);
        return fetchUser(ctx, ref.accountId, ref.userId);
      }),
  },
  Node: { __resolveType: () => 'User' },
  User: {
    id: globalId,
    vcard: (user: User, _: unknown, ctx: Ctx) => fetchVcard(ctx, user.accountId, user.userId),
    __resolveReference: (ref: { id?: string; accountId?: string; userId?: string }, ctx: Ctx) => {
      const key =
        ref.id !== undefined
          ? fromGlobalId(ref.id)
          : { accountId: ref.accountId, userId: ref.userId };
      if (!key.accountId || !key.userId) throw new Error('invalid representation');
      return fetchUser(ctx, key.accountId, key.userId);
    },
  },
  Extension: {
    user: (e: { accountId: string; userId: string }, _: unknown, ctx: Ctx) =>
      fetchUser(ctx, e.accountId, e.userId),
  },
  VCard: {
    text: (card: VCard, { version }: { version: string }) =>
      vcardToText(card, version === 'V3' ? '3.0' : '4.0'),
  },
};

const schemaDir = new URL('../../schema/', import.meta.url);
const typeDefs = parse(
  readdirSync(schemaDir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => readFileSync(new URL(f, schemaDir), 'utf8'))
    .join('\n'),
);

const yoga = createYoga({
  // graphql-tools' resolver map typing does not know __resolveReference; buildSubgraphSchema does.
  schema: buildSubgraphSchema([{ typeDefs, resolvers: resolvers as never }]),
  graphqlEndpoint: '/graphql',
  landingPage: false,
  graphiql: false,
});

const server = createServer(yoga);
server.listen(Number(process.env.PORT ?? 4100), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
