// Soak, the load: a weighted mix of operations (reads, cursor pages, node lookups, _entities, bad
// input on purpose), how each answer is classified, and the upstream faults injected meanwhile.
import type { Sandbox } from '../../../sandbox/index.js';

export interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: { extensions?: { code?: unknown } }[];
}

export type Outcome = 'ok' | 'expected-error' | 'upstream-fault' | 'unexpected';

export interface Operation {
  name: string;
  weight: number;
  /** The request, given this worker's state; `expectErrors` means bad input on purpose. */
  build(state: WorkerState): { query: string; variables?: Record<string, unknown> };
  expectErrors?: string[];
  /** Reads state out of a good answer (cursor, global ids). */
  after?(state: WorkerState, answer: GraphQLAnswer): void;
}

export interface WorkerState {
  random: () => number;
  cursor: string | null;
  globalIds: string[];
}

export interface Pool {
  accounts: string[];
  users: { accountId: string; userId: string }[];
}

function pick<T>(items: readonly T[], random: () => number): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('empty choice');
  return item;
}

export function operations(pool: Pool): Operation[] {
  const someUser = (s: WorkerState) => pick(pool.users, s.random);
  return [
    {
      name: 'users list with vCards',
      weight: 25,
      build: (s) => ({
        query: `query($a: ID!, $n: Int) { users(accountId: $a, first: $n) { totalCount
          nodes { id userId firstName lastName extensions { number dids { phoneNumber } }
          vcard { formattedName phones { number types } } } } }`,
        variables: { a: pick(['1001', '1003'], s.random), n: 5 + Math.floor(s.random() * 16) },
      }),
      after: (s, answer) => {
        const nodes = (answer.data?.['users'] as { nodes?: { id: string }[] } | undefined)?.nodes;
        for (const node of nodes ?? []) s.globalIds.push(node.id);
        if (s.globalIds.length > 200) s.globalIds.splice(0, s.globalIds.length - 200);
      },
    },
    {
      name: 'cursor pages (1003, forward)',
      weight: 15,
      build: (s) => ({
        query: `query($after: String) { users(accountId: "1003", first: 25, after: $after) {
          pageInfo { hasNextPage endCursor } edges { cursor node { userId firstName } } } }`,
        variables: { after: s.cursor },
      }),
      after: (s, answer) => {
        const info = (
          answer.data?.['users'] as { pageInfo: { hasNextPage: boolean; endCursor: string | null } }
        ).pageInfo;
        s.cursor = info.hasNextPage ? info.endCursor : null;
      },
    },
    {
      name: 'last page (1003, backward)',
      weight: 5,
      build: () => ({
        query: `{ users(accountId: "1003", last: 7) { totalCount pageInfo { hasPreviousPage startCursor }
          nodes { userId lastName } } }`,
      }),
    },
    {
      name: 'single user with vCard text',
      weight: 15,
      build: (s) => {
        const u = someUser(s);
        return {
          query: `query($a: ID!, $u: ID!) { user(accountId: $a, userId: $u) { id email loginName
            contactNumbers { type value } vcard { formattedName text } } }`,
          variables: { a: u.accountId, u: u.userId },
        };
      },
    },
    {
      name: 'vcard (V3 text)',
      weight: 5,
      build: (s) => {
        const u = someUser(s);
        return {
          query: `query($a: ID!, $u: ID!) { vcard(accountId: $a, userId: $u) { formattedName emails text(version: V3) } }`,
          variables: { a: u.accountId, u: u.userId },
        };
      },
    },
    {
      name: 'node / nodes by global id',
      weight: 10,
      build: (s) => {
        const ids = s.globalIds.length > 0 ? s.globalIds : ['VXNlci8xMDAxLzg2OTA0OA'];
        return {
          query: `query($id: ID!, $ids: [ID!]!) { node(id: $id) { id ... on User { userId lastName } }
            nodes(ids: $ids) { ... on User { firstName } } }`,
          variables: { id: pick(ids, s.random), ids: [pick(ids, s.random), pick(ids, s.random)] },
        };
      },
    },
    {
      name: '_entities',
      weight: 10,
      build: (s) => {
        const [a, b] = [someUser(s), someUser(s)];
        return {
          query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { userId firstName vcard { formattedName } } } }`,
          variables: {
            r: [
              { __typename: 'User', accountId: a.accountId, userId: a.userId },
              { __typename: 'User', accountId: b.accountId, userId: b.userId },
            ],
          },
        };
      },
    },
    {
      name: 'bad input (negative first, bad cursor, unknown account, bad id, syntax)',
      weight: 15,
      expectErrors: ['BAD_USER_INPUT', 'NOT_FOUND', 'GRAPHQL_PARSE_FAILED'],
      build: (s) =>
        pick(
          [
            { query: `{ users(accountId: "1001", first: -1) { totalCount } }` },
            { query: `{ users(accountId: "1001", after: "bm90LWEtY3Vyc29y") { totalCount } }` },
            { query: `{ users(accountId: "9999", first: 3) { totalCount } }` },
            { query: `{ node(id: "not-a-global-id") { id } }` },
            { query: `{ users(accountId: "1001", first: 3) { totalCount ` },
          ],
          s.random,
        ),
    },
  ];
}

export function classify(operation: Operation, status: number, answer: GraphQLAnswer): Outcome {
  const codes = (answer.errors ?? []).map((e) => String(e.extensions?.code ?? 'NO_CODE'));
  // Injected upstream faults surface as the contract's codes; anything else is a bug.
  const upstreamFault = (c: string) => c === 'UPSTREAM_ERROR' || c === 'UPSTREAM_TIMEOUT';
  if (operation.expectErrors) {
    if (codes.length > 0 && codes.every((c) => operation.expectErrors?.includes(c))) {
      return 'expected-error';
    }
    // An unknown account still calls the users API, which may be failing at that moment.
    return codes.length > 0 && codes.every(upstreamFault) ? 'upstream-fault' : 'unexpected';
  }
  if (status !== 200) return 'unexpected';
  if (codes.length === 0) return answer.data ? 'ok' : 'unexpected';
  return codes.every(upstreamFault) ? 'upstream-fault' : 'unexpected';
}

/** A few upstream faults every few seconds, so error paths are soaked too. */
export function startFaults(sandbox: Sandbox, everyMs: number): () => void {
  const kinds = [
    () => sandbox.vcard.injectFault({ kind: 'status', status: 503 }, { times: 3 }),
    () => sandbox.users.injectFault({ kind: 'malformed' }),
    () => sandbox.vcard.injectFault({ kind: 'reset' }, { times: 3 }),
    () => sandbox.users.injectFault({ kind: 'status', status: 500 }),
    () => sandbox.vcard.injectFault({ kind: 'hang' }),
    () => sandbox.vcard.injectFault({ kind: 'huge-body', bytes: 6 * 1024 * 1024 }),
  ];
  let next = 0;
  const timer = setInterval(() => kinds[next++ % kinds.length]?.(), everyMs);
  return () => clearInterval(timer);
}
