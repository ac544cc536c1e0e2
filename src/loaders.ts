// Per-request DataLoaders: every upstream read of a GraphQL request goes through one of these, so
// identical reads are made once and independent ones go out together. Built per request (never at
// module scope), so one caller's results are never seen by another.
import DataLoader from 'dataloader';
import type { User, UserFilter, UsersPage, VCard } from './domain.js';
import type { Call } from './upstream/call.js';
import type { UsersClient } from './upstream/users-client.js';
import type { VcardClient } from './upstream/vcard-client.js';

export interface UserKey {
  accountId: string;
  userId: string;
}

export interface PageKey {
  accountId: string;
  filter: UserFilter;
  page: number;
  pageSize: number;
}

export interface Loaders {
  user: DataLoader<UserKey, User | null, string>;
  vcard: DataLoader<UserKey, VCard | null, string>;
  usersPage: DataLoader<PageKey, UsersPage, string>;
}

export interface LoaderDeps {
  users: UsersClient;
  vcards: VcardClient;
  /** Credentials and deadline of this request, per upstream. */
  usersCall: Call;
  vcardCall: Call;
  /** Sees the size of every batch (metrics: a size of 1 everywhere would mean no batching). */
  onBatch?: (loader: string, size: number) => void;
}

const userKey = (k: UserKey): string => `${k.accountId}/${k.userId}`;
const pageKey = (k: PageKey): string =>
  JSON.stringify([
    k.accountId,
    k.page,
    k.pageSize,
    k.filter.firstName,
    k.filter.lastName,
    k.filter.loginName,
    k.filter.email,
  ]);

/**
 * The upstreams have no batch endpoint: a batch of N keys is N concurrent requests (bounded by the
 * HTTP pool). Each key gets its own result or error, so one failure fails only its own field.
 */
function fanOut<K, V>(
  fetchOne: (key: K) => Promise<V>,
  onBatch?: (size: number) => void,
): (keys: readonly K[]) => Promise<(V | Error)[]> {
  return async (keys) => {
    onBatch?.(keys.length);
    const settled = await Promise.allSettled(keys.map(fetchOne));
    return settled.map((s) =>
      s.status === 'fulfilled'
        ? s.value
        : s.reason instanceof Error
          ? s.reason
          : new Error(String(s.reason)),
    );
  };
}

export function createLoaders(deps: LoaderDeps): Loaders {
  const { onBatch } = deps;
  const batches = (loader: string) => onBatch && ((size: number) => onBatch(loader, size));
  // Users seen in list pages of this request, and list pages still in flight. Root fields run in
  // parallel, so `_entities`/`node` may ask for a user while the page that contains it is on its way.
  const listed = new Map<string, User>();
  const pagesInFlight = new Set<Promise<unknown>>();

  const fetchUser = (k: UserKey): Promise<User | null> =>
    Promise.resolve(
      listed.get(userKey(k)) ?? deps.users.getUser(k.accountId, k.userId, deps.usersCall),
    );
  const fetchUsers = fanOut(fetchUser, batches('user'));
  const user = new DataLoader<UserKey, User | null, string>(
    async (keys) => {
      // Let the other loaders of this tick dispatch first, then wait for their list pages.
      await new Promise((resolve) => setImmediate(resolve));
      if (pagesInFlight.size > 0) await Promise.allSettled(pagesInFlight);
      return fetchUsers(keys);
    },
    { cacheKeyFn: userKey, name: 'user' },
  );
  const vcard = new DataLoader<UserKey, VCard | null, string>(
    fanOut(
      (k: UserKey) => deps.vcards.getVcard(k.accountId, k.userId, deps.vcardCall),
      batches('vcard'),
    ),
    { cacheKeyFn: userKey, name: 'vcard' },
  );
  const usersPage = new DataLoader<PageKey, UsersPage, string>(
    fanOut(async (k: PageKey) => {
      const request = deps.users.listUsers(k, deps.usersCall);
      pagesInFlight.add(request);
      try {
        const page = await request;
        // A listed user needs no single-user call later in this request (user, node, _entities).
        for (const u of page.users) {
          const key = { accountId: u.accountId, userId: u.userId };
          listed.set(userKey(key), u);
          user.prime(key, u);
        }
        return page;
      } finally {
        pagesInFlight.delete(request);
      }
    }, batches('usersPage')),
    { cacheKeyFn: pageKey, name: 'usersPage' },
  );
  return { user, vcard, usersPage };
}
