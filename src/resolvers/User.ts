import type { UserResolvers } from '../generated/resolvers.js';
import { InputError } from '../errors.js';
import { assertId, assertUserId, decodeUserGlobalId, encodeUserGlobalId } from '../ids.js';

export const User: UserResolvers = {
  id: (user) => encodeUserGlobalId(user),

  vcard: (user, _args, ctx) =>
    ctx.loaders.vcard.load({ accountId: user.accountId, userId: user.userId }),

  // Federation entry point: either key of `User` leads to the same per-request loader, so
  // duplicates and users already listed in this request cost no upstream call. Async, so a bad
  // representation rejects its own entity instead of failing `_entities` as a whole.
  __resolveReference: async (reference, ctx) => {
    if ('id' in reference && typeof reference.id === 'string') {
      return ctx.loaders.user.load(decodeUserGlobalId(reference.id, 'representations.id'));
    }
    if (
      'accountId' in reference &&
      'userId' in reference &&
      typeof reference.accountId === 'string' &&
      typeof reference.userId === 'string'
    ) {
      return ctx.loaders.user.load({
        accountId: assertId(reference.accountId, 'representations.accountId'),
        userId: assertUserId(reference.userId, 'representations.userId'),
      });
    }
    throw new InputError(
      'Invalid User representation: give `id`, or `accountId` and `userId`.',
      'representations',
    );
  },
};
