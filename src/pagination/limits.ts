// What a gateway learns about the users API's lists while it runs: one owned object per concern,
// each with its own rules (page-maximum.ts, list-totals.ts), created once per gateway.
import { ListTotals } from './list-totals.js';
import { PageMaximum } from './page-maximum.js';

export interface UsersListLimits {
  /** The users API's page maximum: USERS_API_MAX_PAGE_SIZE until consistent evidence says less. */
  pageMaximum: PageMaximum;
  /** The last total of each list, bounding the offsets cursors may name. */
  totals: ListTotals;
}

export function createUsersListLimits(configuredMaxPageSize: number): UsersListLimits {
  return {
    pageMaximum: new PageMaximum({ configured: configuredMaxPageSize }),
    totals: new ListTotals(),
  };
}
