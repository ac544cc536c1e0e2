// The benchmark's data: the sandbox dataset (accounts 1001–1003) plus one generated 5,000-user
// account. Built the same way in the simulator process and in the parent, which needs it to know
// what every answer must contain.
import {
  DEFAULT_SEED,
  createDataset,
  createLargeAccount,
  type Dataset,
  type UserRecord,
} from '../../sandbox/index.js';

/** The 350-user sandbox account: Q1, Q2 and Q3 read it. */
export const LIST_ACCOUNT = '1003';
/** Added for Q4, after the sandbox accounts, so their ids and data are unchanged. */
export const BIG_ACCOUNT = '1004';
export const BIG_ACCOUNT_USERS = 5000;
export const PAGE = 50;
/**
 * Q4's window starts at this offset. Not a multiple of 50 on purpose: a client that changed page
 * size, or a list that drifted, lands here; an aligned window costs one request on every system.
 */
export const Q4_OFFSET = 2530;
export const Q3_REPRESENTATIONS = 100;

export function benchDataset(): Dataset {
  return createLargeAccount(BIG_ACCOUNT, BIG_ACCOUNT_USERS, DEFAULT_SEED, createDataset());
}

function accountUsers(dataset: Dataset, accountId: string): UserRecord[] {
  const users = dataset.accounts.get(accountId);
  if (users === undefined) throw new Error(`bench dataset has no account ${accountId}`);
  return users;
}

/** Q3's users: 100 distinct users of account 1003, every third one (not one contiguous page). */
export function q3Users(dataset: Dataset): UserRecord[] {
  const users = accountUsers(dataset, LIST_ACCOUNT).filter((_, i) => i % 3 === 0);
  return users.slice(0, Q3_REPRESENTATIONS);
}

/** The users each query must answer, in order. */
export function expectedUsers(dataset: Dataset): Record<QueryName, UserRecord[]> {
  const list = accountUsers(dataset, LIST_ACCOUNT).slice(0, PAGE);
  return {
    Q1: list,
    Q2: list,
    Q3: q3Users(dataset),
    Q4: accountUsers(dataset, BIG_ACCOUNT).slice(Q4_OFFSET, Q4_OFFSET + PAGE),
  };
}

export type QueryName = 'Q1' | 'Q2' | 'Q3' | 'Q4';
export const QUERY_NAMES: readonly QueryName[] = ['Q1', 'Q2', 'Q3', 'Q4'];
