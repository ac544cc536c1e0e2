// How the vcard simulator hands out X-Auth-Tokens, as Kazoo's crossbar does: PUT /api_auth (an
// account API key) and PUT /user_auth (md5 or sha1 of "username:password" plus the account name).
// Both answer crossbar's envelope {auth_token, data, request_id, revision, status}; failures use
// the vcard API's documented error body (vcard-api.txt).
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { VcardApiCredentials } from './credentials.js';
import { json, parseJson } from './http.js';
import type { SimRequest, SimResponse } from './http.js';
import { TokenStore } from './tokens.js';

export const API_AUTH_PATH = '/api_auth';
export const USER_AUTH_PATH = '/user_auth';

const apiAuthBody = z.object({ data: z.object({ api_key: z.string() }) });
const userAuthBody = z.object({
  data: z.object({
    credentials: z.string().regex(/^[0-9a-f]{32}$|^[0-9a-f]{40}$/i),
    account_name: z.string().min(1),
    method: z.enum(['md5', 'sha']).optional(),
  }),
});

type ErrorAnswer = (status: number, message: string, request: SimRequest) => SimResponse;

export interface KazooAuthSettings {
  /** How long an issued token is honoured. */
  tokenLifetimeSeconds: number;
}

export class KazooAuth {
  readonly tokens = new TokenStore('sim-vcard-');

  constructor(
    private readonly credentials: VcardApiCredentials,
    readonly settings: KazooAuthSettings,
    private readonly accountId: () => string,
    private readonly error: ErrorAnswer,
  ) {}

  apiAuth(request: SimRequest): SimResponse {
    const parsed = this.body(request, apiAuthBody, '{"data":{"api_key":"…"}}');
    if ('refused' in parsed) return parsed.refused;
    if (!this.credentials.apiKeys.includes(parsed.body.data.api_key)) {
      return this.error(401, 'invalid api key', request);
    }
    return this.issue(request, {});
  }

  userAuth(request: SimRequest): SimResponse {
    const parsed = this.body(
      request,
      userAuthBody,
      '{"data":{"credentials":"<md5 of username:password>","account_name":"…"}}',
    );
    if ('refused' in parsed) return parsed.refused;
    const { credentials, account_name: accountName, method = 'md5' } = parsed.body.data;
    const hash = method === 'sha' ? 'sha1' : 'md5';
    const user = this.credentials.users.find(
      (u) =>
        u.accountName === accountName &&
        createHash(hash).update(`${u.username}:${u.password}`).digest('hex') ===
          credentials.toLowerCase(),
    );
    if (user === undefined) return this.error(401, 'invalid credentials', request);
    // Kazoo's owner id is the user document's 32-hex id; derived so it is stable per user.
    const ownerId = createHash('md5').update(`owner:${user.username}`).digest('hex');
    return this.issue(request, { owner_id: ownerId });
  }

  private body<T>(
    request: SimRequest,
    schema: z.ZodType<T>,
    expected: string,
  ): { body: T } | { refused: SimResponse } {
    if (request.method !== 'PUT') {
      return {
        refused: { ...this.error(405, 'method not allowed', request), headers: { allow: 'PUT' } },
      };
    }
    const parsed = parseJson(request.body);
    if (parsed === undefined) return { refused: this.error(400, 'body must be JSON', request) };
    const body = schema.safeParse(parsed);
    if (!body.success) return { refused: this.error(400, `expected ${expected}`, request) };
    return { body: body.data };
  }

  private issue(request: SimRequest, extra: Record<string, string>): SimResponse {
    return json(201, {
      auth_token: this.tokens.issue(this.settings.tokenLifetimeSeconds),
      data: {
        account_id: this.accountId(),
        ...extra,
        is_reseller: false,
        language: 'en-US',
      },
      request_id: request.requestId,
      revision: `1-${randomBytes(16).toString('hex')}`,
      status: 'success',
    });
  }
}
