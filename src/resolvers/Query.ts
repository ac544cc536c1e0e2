import type { GraphQLResolveInfo } from 'graphql';
import type { User as UserModel, UserFilter } from '../domain.js';
import { InputError } from '../errors.js';
import type { QueryResolvers, QueryUsersArgs } from '../generated/resolvers.js';
import { assertFilterValue, assertId, assertUserId, decodeUserGlobalId } from '../ids.js';
import type { GatewayContext } from '../context.js';
import { listFingerprint } from '../pagination/cursor.js';
import { paginate } from '../pagination/connection.js';
import { pageArguments } from './page-arguments.js';

const MAX_NODES = 100;

export const Query: QueryResolvers = {
  users: (_parent, args, ctx, info) => usersConnection(args, ctx, info),

  user: (_parent, { accountId, userId }, ctx) =>
    ctx.loaders.user.load({
      accountId: assertId(accountId, 'accountId'),
      userId: assertUserId(userId, 'userId'),
    }),

  // The vcard API's ids are strings (crossbar ids are hex): only the generic id rule applies.
  vcard: (_parent, { accountId, userId }, ctx) =>
    ctx.loaders.vcard.load({
      accountId: assertId(accountId, 'accountId'),
      userId: assertId(userId, 'userId'),
    }),

  node: (_parent, { id }, ctx) => ctx.loaders.user.load(decodeUserGlobalId(id)),

  nodes: (_parent, { ids }, ctx) => {
    if (ids.length > MAX_NODES) {
      throw new InputError(`Too many ids: at most ${MAX_NODES} per call.`, 'ids');
    }
    // One promise per id: a bad or failing id nulls only its own item, with an error at its index.
    const items = ids.map(async (id, i) =>
      ctx.loaders.user.load(decodeUserGlobalId(id, `ids[${i}]`)),
    );
    // Codegen types list items as `T | Promise<T> | null` with no slot for `Promise<T | null>`;
    // graphql-js completes each nullable item on its own, so a null here is fine.
    return items as Promise<UserModel>[];
  },
};

function usersConnection(args: QueryUsersArgs, ctx: GatewayContext, info: GraphQLResolveInfo) {
  const accountId = assertId(args.accountId, 'accountId');
  const filter = normalizeFilter(args.filter);
  const { config, limits } = ctx.services;
  const fingerprint = listFingerprint({ accountId, filter: { ...filter }, order: 'upstream' });
  const { defaultFirst, ...relay } = pageArguments(args, info);
  return paginate(relay, {
    fetchPage: async ({ page, pageSize }) => {
      const answer = await ctx.loaders.usersPage.load({ accountId, filter, page, pageSize });
      return {
        items: answer.users,
        page: answer.page,
        pageSize: answer.pageSize,
        totalItems: answer.totalItems,
      };
    },
    idOf: (user) => user.userId,
    fingerprint,
    upstreamMaxPageSize: limits.pageMaximum.planningSize(Date.now()),
    minPageSize: limits.pageMaximum.floor,
    knownTotal: limits.totals.get(fingerprint),
    maxFirst: config.maxPageSize,
    defaultFirst,
    secret: config.cursorSecret,
    onAnswer: (request, answer) => {
      limits.pageMaximum.observe(
        { ...answer, asked: request, source: `${fingerprint}:${request.page}:${request.pageSize}` },
        Date.now(),
      );
      limits.totals.note(fingerprint, answer.totalItems);
    },
  });
}

function normalizeFilter(filter: QueryUsersArgs['filter']): UserFilter {
  const out: UserFilter = {};
  if (!filter) return out;
  for (const key of ['firstName', 'lastName', 'loginName', 'email'] as const) {
    const value = filter[key];
    // Empty strings constrain nothing; dropping them keeps cursors valid across `""` and absent.
    if (value !== null && value !== undefined && value !== '') {
      out[key] = assertFilterValue(value, `filter.${key}`);
    }
  }
  return out;
}
