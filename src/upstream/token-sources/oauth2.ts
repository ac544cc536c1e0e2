// The users API's service credential: an OAuth2 access token (RFC 6749) from USERS_API_TOKEN_URL.
// oauth4webapi builds the form posts and checks the answers; this file decides which grant to use
// and what a failure means to the operator. It is a FetchToken: TokenCache shares and renews it.
import * as oauth from 'oauth4webapi';
import { UpstreamError } from '../../errors.js';
import type { UpstreamFailure } from '../../errors.js';
import type { UpstreamHooks } from '../hooks.js';
import { noHooks } from '../hooks.js';
import type { FetchToken, IssuedToken } from './token-cache.js';

export type OAuth2Grant =
  | { type: 'client_credentials' }
  | { type: 'password'; username: string; password: string }
  | { type: 'refresh_token'; refreshToken: string };

export interface OAuth2Settings {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** The grant configured; a refresh token issued later is used first, this one when it fails. */
  grant: OAuth2Grant;
}

type ClientAuth = 'basic' | 'post';

/** What a failed exchange means, before it is told to the client. */
type Problem =
  | { kind: 'refused'; by: 'client' | 'grant' | 'other' }
  | { kind: 'down'; failure: UpstreamFailure };

const CLIENT_VARIABLES = ['USERS_API_CLIENT_ID', 'USERS_API_CLIENT_SECRET'] as const;
const GRANT_VARIABLES: Record<OAuth2Grant['type'], readonly string[]> = {
  client_credentials: CLIENT_VARIABLES,
  password: ['USERS_API_USERNAME', 'USERS_API_PASSWORD'],
  refresh_token: ['USERS_API_REFRESH_TOKEN'],
};

/** The route label of token calls in metrics, logs and spans (the users API's own are templates). */
export const TOKEN_ROUTE = 'oauth2/token';

/**
 * A FetchToken over the configured grant; each HTTP exchange is reported to `hooks` like an
 * upstream attempt. Not safe for concurrent calls: TokenCache serialises them.
 */
export function oauth2Token(settings: OAuth2Settings, hooks: UpstreamHooks = noHooks): FetchToken {
  const client = new OAuth2Client(settings, observedFetch(hooks));
  return ({ signal }) => client.token(signal);
}

type Fetch = (
  url: string,
  init: oauth.CustomFetchOptions<'POST', URLSearchParams>,
) => Promise<Response>;

function observedFetch(hooks: UpstreamHooks): Fetch {
  return async (url, init) => {
    const probe = hooks.attempt({
      upstream: 'users',
      method: 'POST',
      route: TOKEN_ROUTE,
      attempt: 1,
    });
    const headers =
      probe.traceparent === undefined
        ? init.headers
        : { ...init.headers, traceparent: probe.traceparent };
    let response: Response;
    try {
      response = await fetch(url, { ...init, headers });
      probe.end(response.status);
    } catch (error) {
      probe.end(init.signal?.aborted === true ? 'timeout' : 'network');
      throw error;
    }
    return withinBodyCap(response, MAX_TOKEN_ANSWER_BYTES);
  };
}

/** A token answer is a few hundred bytes; the cap keeps a broken endpoint's answer out of memory. */
const MAX_TOKEN_ANSWER_BYTES = 64 * 1024;

export class TooLargeError extends Error {}

/** The response with its body read, or TooLargeError as soon as it is known to exceed `max`. */
export async function withinBodyCap(response: Response, max: number): Promise<Response> {
  if (Number(response.headers.get('content-length') ?? 0) > max) {
    void response.body?.cancel().catch(() => undefined);
    throw new TooLargeError();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  for (
    let read = await reader?.read();
    read !== undefined && !read.done;
    read = await reader?.read()
  ) {
    size += read.value.byteLength;
    if (size > max) {
      void reader?.cancel().catch(() => undefined);
      throw new TooLargeError();
    }
    chunks.push(read.value);
  }
  const { status, statusText, headers } = response;
  return new Response(size === 0 ? null : Buffer.concat(chunks), {
    status,
    statusText,
    headers,
  });
}

class OAuth2Client {
  private readonly server: oauth.AuthorizationServer;
  private readonly client: oauth.Client;
  /** The latest refresh token: rotation replaces it with each answer that carries a new one. */
  private refreshToken: string | undefined;
  /** RFC 6749 §2.3.1 makes Basic mandatory for servers, but some refuse it; then we post. */
  private clientAuth: ClientAuth = 'basic';

  constructor(
    private readonly settings: OAuth2Settings,
    private readonly fetch: Fetch,
  ) {
    const url = new URL(settings.tokenUrl);
    // No discovery document: the token endpoint is all a service client needs. `issuer` is only
    // checked against ID tokens, which these grants do not carry.
    this.server = { issuer: url.origin, token_endpoint: url.href };
    this.client = { client_id: settings.clientId };
    if (settings.grant.type === 'refresh_token') this.refreshToken = settings.grant.refreshToken;
  }

  async token(signal: AbortSignal): Promise<IssuedToken> {
    const start = this.settings.grant;
    const grant: OAuth2Grant =
      this.refreshToken === undefined
        ? start
        : { type: 'refresh_token', refreshToken: this.refreshToken };
    try {
      return await this.exchange(grant, signal);
    } catch (error) {
      const problem = classify(error, signal);
      const fallback =
        grant.type === 'refresh_token' &&
        start.type !== 'refresh_token' &&
        problem.kind === 'refused' &&
        problem.by === 'grant';
      if (!fallback) throw this.toUpstreamError(problem, grant);
    }
    // The refresh token expired or was revoked; the credentials we started from still hold.
    this.refreshToken = undefined;
    try {
      return await this.exchange(start, signal);
    } catch (error) {
      throw this.toUpstreamError(classify(error, signal), start);
    }
  }

  /** One grant; when Basic is refused, the same grant once more with client_secret_post. */
  private async exchange(grant: OAuth2Grant, signal: AbortSignal): Promise<IssuedToken> {
    if (this.clientAuth === 'post') return this.send(grant, 'post', signal);
    try {
      return await this.send(grant, 'basic', signal);
    } catch (error) {
      const problem = classify(error, signal);
      if (problem.kind !== 'refused' || problem.by !== 'client') throw error;
    }
    const token = await this.send(grant, 'post', signal);
    this.clientAuth = 'post';
    return token;
  }

  private async send(
    grant: OAuth2Grant,
    auth: ClientAuth,
    signal: AbortSignal,
  ): Promise<IssuedToken> {
    const clientAuth =
      auth === 'basic'
        ? oauth.ClientSecretBasic(this.settings.clientSecret)
        : oauth.ClientSecretPost(this.settings.clientSecret);
    const options = {
      signal,
      // Config allows http only for a loopback token endpoint (a local simulator or sidecar).
      [oauth.allowInsecureRequests]: this.server.token_endpoint?.startsWith('http:') === true,
      [oauth.customFetch]: this.fetch,
    };
    let response: Response;
    switch (grant.type) {
      case 'client_credentials':
        response = await oauth.clientCredentialsGrantRequest(
          this.server,
          this.client,
          clientAuth,
          {},
          options,
        );
        break;
      case 'password':
        response = await oauth.genericTokenEndpointRequest(
          this.server,
          this.client,
          clientAuth,
          'password',
          { username: grant.username, password: grant.password },
          options,
        );
        break;
      case 'refresh_token':
        response = await oauth.refreshTokenGrantRequest(
          this.server,
          this.client,
          clientAuth,
          grant.refreshToken,
          options,
        );
        break;
    }
    const answer = await oauth.processGenericTokenEndpointResponse(
      this.server,
      this.client,
      response,
    );
    // DPoP-bound tokens need a proof per request, which this gateway does not make.
    if (answer.token_type !== 'bearer') throw new NotBearerError();
    if (answer.refresh_token !== undefined) this.refreshToken = answer.refresh_token;
    return { value: `Bearer ${answer.access_token}`, lifetimeSeconds: answer.expires_in };
  }

  private toUpstreamError(problem: Problem, grant: OAuth2Grant): UpstreamError {
    if (problem.kind === 'down') return new UpstreamError('users', problem.failure);
    const check =
      problem.by === 'client'
        ? CLIENT_VARIABLES
        : problem.by === 'grant'
          ? GRANT_VARIABLES[grant.type]
          : [...new Set([...CLIENT_VARIABLES, ...GRANT_VARIABLES[this.settings.grant.type]])];
    return new UpstreamError('users', { kind: 'credentials-refused', check });
  }
}

class NotBearerError extends Error {}

/**
 * What went wrong, from oauth4webapi's error classes. Their messages and `cause` carry the
 * endpoint's body (which may echo a credential), so nothing of them is kept beyond the status.
 */
function classify(error: unknown, signal: AbortSignal): Problem {
  if (
    error instanceof oauth.ResponseBodyError ||
    error instanceof oauth.WWWAuthenticateChallengeError
  ) {
    const refusal = error instanceof oauth.ResponseBodyError ? error.error : undefined;
    return byStatus(error.status, refusal);
  }
  if (error instanceof oauth.OperationProcessingError && error.cause instanceof Response) {
    // An answer with an unexpected status and no OAuth error body (say an HTML 502 page).
    void error.cause.body?.cancel().catch(() => undefined);
    return byStatus(error.cause.status, undefined);
  }
  if (
    error instanceof oauth.OperationProcessingError ||
    error instanceof oauth.UnsupportedOperationError ||
    error instanceof NotBearerError ||
    error instanceof TooLargeError
  ) {
    return { kind: 'down', failure: { kind: 'token-endpoint', problem: 'malformed' } };
  }
  if (signal.aborted) return { kind: 'down', failure: { kind: 'timeout' } };
  return { kind: 'down', failure: { kind: 'token-endpoint', problem: 'unreachable' } };
}

function byStatus(status: number, refusal: string | undefined): Problem {
  // A success status with an unreadable answer (a 200 HTML page): not a token.
  if (status < 300) {
    return { kind: 'down', failure: { kind: 'token-endpoint', problem: 'malformed' } };
  }
  if (status >= 500 || status === 429 || status < 400) {
    return { kind: 'down', failure: { kind: 'token-endpoint', problem: 'status', status } };
  }
  // RFC 6749 §5.2: 401 is the answer to failed client authentication, and only to that.
  if (status === 401 || refusal === 'invalid_client') return { kind: 'refused', by: 'client' };
  if (refusal === 'invalid_grant') return { kind: 'refused', by: 'grant' };
  return { kind: 'refused', by: 'other' };
}
