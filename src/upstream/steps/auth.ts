// Puts the credential on the request. The request's own (the client's Authorization or
// X-Auth-Token, forwarded) always wins; without one the upstream's service credential is asked of
// its TokenSource (a static token today; an exchanged one with VCARD_API_KEY; OAuth2 or Kazoo
// user_auth later, #17). A 401 to a token the source can renew renews it and resends once; a 401
// to the client's own credential is the client's answer.
import { UpstreamError } from '../../errors.js';
import type { UpstreamName } from '../../errors.js';
import type { Step } from '../chain.js';
import type { TokenSource } from '../tokens.js';

export interface AuthOptions {
  /** The header the upstream reads: `authorization` (users API) or `x-auth-token` (vcard API). */
  header: 'authorization' | 'x-auth-token';
  /** The service credential, when one is configured. */
  tokens: TokenSource | undefined;
}

export function auth(upstream: UpstreamName, options: AuthOptions): Step {
  const { header, tokens } = options;
  return (next) => async (req, call) => {
    if (call.credential !== undefined) {
      return next({ ...req, headers: { ...req.headers, [header]: call.credential } }, call);
    }
    if (tokens === undefined) throw new UpstreamError(upstream, { kind: 'missing-credentials' });
    const token = await tokens.token(call);
    const reply = await next({ ...req, headers: { ...req.headers, [header]: token } }, call);
    if (reply.status !== 401 || !tokens.invalidate(token)) return reply;
    const renewed = await tokens.token(call);
    return next({ ...req, headers: { ...req.headers, [header]: renewed } }, call);
  };
}
