import type { ExtensionResolvers } from '../generated/resolvers.js';
import { UpstreamError } from '../errors.js';

export const Extension: ExtensionResolvers = {
  // The owner was loaded (or primed from a list page) in this request, so this costs no call.
  user: async (extension, _args, ctx) => {
    const user = await ctx.loaders.user.load({
      accountId: extension.accountId,
      userId: extension.userId,
    });
    // The owner vanished upstream between two calls of this request: report it, not a crash.
    if (user === null) throw new UpstreamError('users', { kind: 'status', status: 404 });
    return user;
  },
};
