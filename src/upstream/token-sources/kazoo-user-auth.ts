// The vcard API's service credential from Kazoo user credentials: `PUT {VCARD_API_URL}/user_auth`
// with md5("username:password") and the account name answers an `auth_token`, sent as
// X-Auth-Token. Kazoo does not say when it expires: it is used until the API answers 401.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { UpstreamError } from '../../errors.js';
import type { FetchToken } from './token-cache.js';

export interface KazooUserAuthSettings {
  /** VCARD_API_URL: the crossbar's /v2 base. */
  baseUrl: string;
  username: string;
  password: string;
  accountName: string;
}

const CHECK = ['VCARD_API_USERNAME', 'VCARD_API_PASSWORD', 'VCARD_API_ACCOUNT_NAME'] as const;
const answerSchema = z.object({ auth_token: z.string().min(1) });
/** A token answer is a few hundred bytes; anything much bigger is not one. */
const MAX_ANSWER_BYTES = 64 * 1024;

export function kazooUserAuth(settings: KazooUserAuthSettings): FetchToken {
  // Kazoo's documented form: the md5 hex of "username:password" (its protocol, not our choice).
  const credentials = createHash('md5')
    .update(`${settings.username}:${settings.password}`)
    .digest('hex');
  const body = JSON.stringify({
    data: { credentials, account_name: settings.accountName },
  });
  const url = `${settings.baseUrl.replace(/\/+$/, '')}/user_auth`;

  return async ({ signal }) => {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body,
        signal,
      });
    } catch {
      throw new UpstreamError(
        'vcard',
        signal.aborted ? { kind: 'timeout' } : { kind: 'token-endpoint', problem: 'unreachable' },
      );
    }
    const requestId = response.headers.get('x-request-id') ?? undefined;
    const fail = (failure: ConstructorParameters<typeof UpstreamError>[1]): UpstreamError => {
      void response.body?.cancel().catch(() => undefined);
      return new UpstreamError('vcard', failure, requestId);
    };
    if (response.status === 401 || response.status === 403) {
      throw fail({ kind: 'credentials-refused', check: CHECK });
    }
    if (!response.ok) {
      throw fail({ kind: 'token-endpoint', problem: 'status', status: response.status });
    }
    if (Number(response.headers.get('content-length') ?? 0) > MAX_ANSWER_BYTES) {
      throw fail({ kind: 'token-endpoint', problem: 'malformed' });
    }
    let json: unknown;
    try {
      json = JSON.parse(await response.text());
    } catch {
      throw new UpstreamError(
        'vcard',
        signal.aborted ? { kind: 'timeout' } : { kind: 'token-endpoint', problem: 'malformed' },
        requestId,
      );
    }
    const answer = answerSchema.safeParse(json);
    if (!answer.success) {
      throw new UpstreamError('vcard', { kind: 'token-endpoint', problem: 'malformed' }, requestId);
    }
    return { value: answer.data.auth_token };
  };
}
