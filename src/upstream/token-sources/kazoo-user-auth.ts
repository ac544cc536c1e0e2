// The vcard API's service credential from Kazoo user credentials: `PUT {VCARD_API_URL}/user_auth`
// with md5("username:password") and the account name answers an `auth_token`, sent as
// X-Auth-Token. Kazoo does not say when it expires: it is used until the API answers 401. The
// exchange goes through the same chain as api_auth's (observed, its own pool, no breaker).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { UpstreamError } from '../../errors.js';
import { RequestScope, callOf } from '../call.js';
import type { Send } from '../chain.js';
import { decodeJson } from '../decode.js';
import type { FetchToken } from './token-cache.js';

export interface KazooUserAuthSettings {
  username: string;
  password: string;
  accountName: string;
}

const CHECK = ['VCARD_API_USERNAME', 'VCARD_API_PASSWORD', 'VCARD_API_ACCOUNT_NAME'] as const;
const answerSchema = z.object({ auth_token: z.string().min(1) });

export function kazooUserAuth(
  settings: KazooUserAuthSettings,
  /** The exchange chain: PUT under VCARD_API_URL. */
  send: Send,
  /** Budget of one exchange (UPSTREAM_TIMEOUT_MS), whoever started it. */
  timeoutMs: number,
): FetchToken {
  // Kazoo's documented form: the md5 hex of "username:password" (its protocol, not our choice).
  const credentials = createHash('md5')
    .update(`${settings.username}:${settings.password}`)
    .digest('hex');
  const body = JSON.stringify({ data: { credentials, account_name: settings.accountName } });

  return async ({ requestId }) => {
    const now = Date.now();
    // The first caller's request id is sent (logs line up); its deadline and signal are not.
    const scope = new RequestScope(requestId, now, { at: now + timeoutMs });
    const reply = await send(
      {
        method: 'PUT',
        path: '/user_auth',
        route: '/user_auth',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'x-request-id': requestId,
        },
        body,
        decode: (response) => decodeJson('vcard', response, answerSchema).auth_token,
      },
      callOf(scope, undefined),
    );
    if (reply.ok) return { value: reply.value };
    if (reply.status === 401 || reply.status === 403) {
      throw new UpstreamError(
        'vcard',
        { kind: 'credentials-refused', check: CHECK },
        reply.requestId,
      );
    }
    throw new UpstreamError(
      'vcard',
      { kind: 'token-endpoint', problem: 'status', status: reply.status },
      reply.requestId,
    );
  };
}
