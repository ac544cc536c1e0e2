// Service credentials: what an upstream is sent when the GraphQL request brings no credential of
// its own. One TokenSource per upstream, used by the auth step; #17's OAuth2 client (users API) and
// Kazoo user_auth (vcard API) are further implementations of the same interface.
import { z } from 'zod';
import type { Call } from './call.js';
import { RequestScope, callOf } from './call.js';
import type { Send } from './chain.js';
import { valueOf } from './chain.js';
import { decodeJson } from './decode.js';

export interface TokenSource {
  /** The header value to send. Concurrent callers share one renewal (single flight). */
  token(call: Call): Promise<string>;
  /**
   * The upstream refused `stale` (401). Whether asking `token()` again can give another one: a
   * static token cannot, so the auth step does not resend.
   */
  invalidate(stale: string): boolean;
}

/** A configured token (USERS_API_TOKEN as `Bearer …`, VCARD_API_TOKEN). */
export function staticToken(value: string): TokenSource {
  const token = Promise.resolve(value);
  return { token: () => token, invalidate: () => false };
}

const apiAuthAnswer = z.object({ auth_token: z.string().min(1) });

export interface ApiKeyTokenOptions {
  /** The chain of the token exchange (its own pool and no breaker: an open vcard circuit must not block it). */
  send: Send;
  apiKey: string;
  /** Budget of one exchange (UPSTREAM_TIMEOUT_MS), whoever started it. */
  timeoutMs: number;
}

/**
 * The vcard API's token obtained with an account API key (`PUT /api_auth`). Kept until the API
 * refuses it; concurrent callers share one exchange, which runs on its own deadline: it belongs to
 * no caller, so a caller that hangs up (or runs out of time) never fails it for the others.
 */
export class ApiKeyTokens implements TokenSource {
  private current: Promise<string> | undefined;
  /** What `current` resolved to, once it has. */
  private resolved: string | undefined;

  constructor(private readonly options: ApiKeyTokenOptions) {}

  token(call: Call): Promise<string> {
    if (this.current === undefined) {
      const pending: Promise<string> = this.exchange(call.requestId).then(
        (token) => {
          if (this.current === pending) this.resolved = token;
          return token;
        },
        (error: unknown) => {
          if (this.current === pending) this.current = undefined;
          throw error;
        },
      );
      this.current = pending;
      this.resolved = undefined;
    }
    return this.current;
  }

  invalidate(stale: string): boolean {
    // Drop only the token that was refused: a newer one, renewed by another caller, stays.
    if (this.resolved === stale) {
      this.current = undefined;
      this.resolved = undefined;
    }
    return true;
  }

  private async exchange(requestId: string): Promise<string> {
    const now = Date.now();
    // The first caller's request id is sent (logs line up); its deadline and signal are not.
    const scope = new RequestScope(requestId, now, { at: now + this.options.timeoutMs });
    const reply = await this.options.send(
      {
        method: 'PUT',
        path: '/api_auth',
        route: '/api_auth',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'x-request-id': requestId,
        },
        body: JSON.stringify({ data: { api_key: this.options.apiKey } }),
        decode: (response) => decodeJson('vcard', response, apiAuthAnswer).auth_token,
      },
      callOf(scope, undefined),
    );
    return valueOf('vcard', reply);
  }
}
