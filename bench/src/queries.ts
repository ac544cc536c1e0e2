// The four benchmark queries, written for each system, and the check that an answer holds the
// data it should (same users in the same order, same extensions and DIDs, vCards where the vcard
// API has one).
import type { Dataset, UserRecord } from '../../sandbox/index.js';
import {
  BIG_ACCOUNT,
  LIST_ACCOUNT,
  PAGE,
  Q4_OFFSET,
  expectedUsers,
  q3Users,
  type QueryName,
} from './dataset.js';
import type { SystemKind } from './kinds.js';

export interface QueryInfo {
  title: string;
  /** Upstream round trips that must happen one after the other: the floor is this × latency. */
  floorRoundTrips: number;
}

export const QUERY_INFO: Record<QueryName, QueryInfo> = {
  Q1: { title: `users(first: ${PAGE}) with extensions and DIDs`, floorRoundTrips: 1 },
  Q2: { title: 'Q1 plus each user’s vCard', floorRoundTrips: 2 },
  Q3: { title: '_entities with 100 User representations', floorRoundTrips: 1 },
  Q4: {
    title: `${PAGE} users at offset ${Q4_OFFSET} of a 5,000-user list, by cursor (after)`,
    floorRoundTrips: 1,
  },
};

const USER_FIELDS =
  'userId firstName lastName extensions { number dids { phoneNumber customTag } }';
const VCARD_FIELDS = 'vcard { formattedName title emails phones { number types } }';
const MESH_USER_FIELDS =
  'id first_name last_name extensions { extension_number dids { phone_number custom_tag } }';
const MESH_VCARD_FIELDS = `vcard(account_id: "${LIST_ACCOUNT}") { ... on Vcard_getUserVcard_200_response { data { first_name last_name username email caller_id { external { number } internal { number } } profile { title } } } }`;
/** Q4 on Mesh: page-number paging only, so the client asks for both pages the window spans. */
const MESH_Q4_PAGE = Math.floor(Q4_OFFSET / PAGE) + 1;

/**
 * The GraphQL document of each query on each system (Q3's representations are variables); for the
 * raw floor, which speaks no GraphQL, its JSON request.
 */
export function queryText(query: QueryName, system: SystemKind, dataset: Dataset): string {
  if (system === 'mesh') return meshText(query, dataset);
  if (system === 'raw') return rawRequest(query);
  switch (query) {
    case 'Q1':
      return `query Q1 { users(accountId: "${LIST_ACCOUNT}", first: ${PAGE}) { totalCount pageInfo { hasNextPage endCursor } nodes { ${USER_FIELDS} } } }`;
    case 'Q2':
      return `query Q2 { users(accountId: "${LIST_ACCOUNT}", first: ${PAGE}) { totalCount pageInfo { hasNextPage endCursor } nodes { ${USER_FIELDS} ${VCARD_FIELDS} } } }`;
    case 'Q3':
      return `query Q3($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { ${USER_FIELDS} } } }`;
    case 'Q4':
      return `query Q4($after: String) { users(accountId: "${BIG_ACCOUNT}", first: ${PAGE}, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${USER_FIELDS} } } }`;
  }
}

function rawRequest(query: QueryName): string {
  if (query !== 'Q1' && query !== 'Q2') throw new Error(`the raw floor does not serve ${query}`);
  return JSON.stringify({ accountId: LIST_ACCOUNT, first: PAGE, vcard: query === 'Q2' });
}

function meshText(query: QueryName, dataset: Dataset): string {
  const page = (alias: string, account: string, n: number) =>
    `${alias}: getAccountUsers(account_id: "${account}", page: ${n}, page_size: ${PAGE}) { ... on UsersPage { total_items _embedded { data { ${MESH_USER_FIELDS} } } } }`;
  switch (query) {
    case 'Q1':
      return `query Q1 { ${page('users', LIST_ACCOUNT, 1)} }`;
    case 'Q2':
      return `query Q2 { ${page('users', LIST_ACCOUNT, 1).replace(MESH_USER_FIELDS, `${MESH_USER_FIELDS} ${MESH_VCARD_FIELDS}`)} }`;
    case 'Q3': {
      // No _entities on a gateway's public schema: one aliased single-user field per key.
      const fields = q3Users(dataset).map(
        (r, i) =>
          `u${i}: getAccountUser(account_id: "${LIST_ACCOUNT}", user_id: ${r.id}) { ... on UserEnvelope { _embedded { data { ${MESH_USER_FIELDS} } } } }`,
      );
      return `query Q3 { ${fields.join(' ')} }`;
    }
    case 'Q4':
      return `query Q4 { ${page('p1', BIG_ACCOUNT, MESH_Q4_PAGE)} ${page('p2', BIG_ACCOUNT, MESH_Q4_PAGE + 1)} }`;
  }
}

/** Human-readable description of how each system asks for the query, for the results. */
export const QUERY_NOTES: Record<QueryName, Partial<Record<SystemKind, string>>> = {
  Q1: { raw: 'a plain JSON request, answered with the JSON of Q1 built by hand' },
  Q2: {
    raw: 'a plain JSON request, answered with the JSON of Q2 built by hand',
    mesh: '`User.vcard` added with `@resolveTo` (account id passed as an argument); the raw crossbar document’s contact fields',
  },
  Q3: {
    mesh: 'no `_entities` on the gateway’s public schema: 100 aliased `getAccountUser` fields',
  },
  Q4: {
    ours: 'cursor from a prior walk through the list with this gateway',
    naive: 'its own offset cursor (`arrayconnection:<offset>`), from a prior walk',
    mesh: `no cursors: pages ${MESH_Q4_PAGE} and ${MESH_Q4_PAGE + 1} of ${PAGE} (aliased), sliced by the client`,
  },
};

/** Representations of Q3, for the two systems with `_entities`. */
export function q3Variables(dataset: Dataset): Record<string, unknown> {
  return {
    representations: q3Users(dataset).map((r) => ({
      __typename: 'User',
      accountId: LIST_ACCOUNT,
      userId: String(r.id),
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Answer checks

interface SeenUser {
  userId: string;
  extensions: string[];
  dids: string[];
  /** undefined: not asked for; null: absent; true: present. */
  vcard?: true | null;
}

export interface Parity {
  expectedUsers: number;
  /** Users equal to the expected one at the same position (id, extensions, DIDs). */
  matchingUsers: number;
  expectedVcards: number;
  presentVcards: number;
  /** Entries of the answer's `errors`. */
  errors: number;
  /** A short account of any difference, or "identical data". */
  summary: string;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Where a user's fields are in an answer: this schema's names, or the REST-shaped Mesh ones. */
interface Shape {
  id: string;
  number: string;
  phone: string;
  /** Whether the user's `vcard` value is a card. */
  hasVcard: (vcard: unknown) => boolean;
}

const OUR_SHAPE: Shape = {
  id: 'userId',
  number: 'number',
  phone: 'phoneNumber',
  hasVcard: (v) => v !== null,
};
const MESH_SHAPE: Shape = {
  id: 'id',
  number: 'extension_number',
  phone: 'phone_number',
  // A missing card comes back as an error object, not null.
  hasVcard: (v) => obj(v).data !== undefined,
};

function seenUser(shape: Shape, user: unknown): SeenUser {
  const u = obj(user);
  const extensions = arr(u.extensions).map(obj);
  return {
    userId: String(u[shape.id]),
    extensions: extensions.map((e) => String(e[shape.number])),
    dids: extensions.flatMap((e) => arr(e.dids).map((d) => String(obj(d)[shape.phone]))),
    ...('vcard' in u ? { vcard: shape.hasVcard(u.vcard) ? true : null } : {}),
  };
}

const fromOurs = (node: unknown) => seenUser(OUR_SHAPE, node);
const fromMesh = (user: unknown) => seenUser(MESH_SHAPE, user);

function seenUsers(query: QueryName, system: SystemKind, data: Json): SeenUser[] {
  if (system !== 'mesh') {
    const nodes = query === 'Q3' ? arr(data._entities) : arr(obj(data.users).nodes);
    return nodes.map(fromOurs);
  }
  const pageRows = (alias: string) => arr(obj(obj(data[alias])._embedded).data);
  if (query === 'Q3') {
    return Object.keys(data).map((alias) => fromMesh(obj(obj(data[alias])._embedded).data));
  }
  if (query === 'Q4') {
    const start = Q4_OFFSET - (MESH_Q4_PAGE - 1) * PAGE;
    return [...pageRows('p1'), ...pageRows('p2')].slice(start, start + PAGE).map(fromMesh);
  }
  return pageRows('users').map(fromMesh);
}

function sameUser(seen: SeenUser | undefined, record: UserRecord): boolean {
  if (seen === undefined || seen.userId !== String(record.id)) return false;
  const extensions = record.user.extensions.map((e) => e.extension_number);
  const dids = record.user.extensions.flatMap((e) => e.dids.map((d) => d.phone_number));
  return seen.extensions.join() === extensions.join() && seen.dids.join() === dids.join();
}

export function checkAnswer(
  query: QueryName,
  system: SystemKind,
  dataset: Dataset,
  answer: unknown,
): Parity {
  const expected = expectedUsers(dataset)[query];
  const body = obj(answer);
  const errors = arr(body.errors);
  const seen = seenUsers(query, system, obj(body.data));
  const matchingUsers = expected.filter((r, i) => sameUser(seen[i], r)).length;
  const withVcards = query === 'Q2';
  const expectedVcards = withVcards ? expected.filter((r) => r.vcardFormat !== null).length : 0;
  // Present exactly where the vcard API has a card (not merely the same count).
  const presentVcards = withVcards
    ? expected.filter((r, i) => r.vcardFormat !== null && seen[i]?.vcard === true).length
    : 0;
  const differences: string[] = [];
  if (seen.length !== expected.length) differences.push(`${seen.length} users`);
  if (matchingUsers !== expected.length) {
    differences.push(`${matchingUsers}/${expected.length} users identical`);
  }
  if (withVcards && presentVcards !== expectedVcards) {
    const text = expected.filter((r) => r.vcardFormat?.startsWith('text/')).length;
    differences.push(
      `${presentVcards}/${expectedVcards} vCards` +
        (system === 'mesh' ? ` (the ${text} vCard-text answers are not parsed)` : ''),
    );
  }
  if (errors.length > 0) differences.push(`${errors.length} errors in the answer`);
  return {
    expectedUsers: expected.length,
    matchingUsers,
    expectedVcards,
    presentVcards,
    errors: errors.length,
    summary: differences.length === 0 ? 'identical data' : differences.join('; '),
  };
}
