// The users simulator's OAuth2 token endpoint (RFC 6749): form posts, client authentication by
// HTTP Basic (§2.3.1) or client_secret_post, and the grants a service uses: password (§4.3),
// refresh_token (§6, with rotation: a refresh token works once) and client_credentials (§4.4).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { OAuthClient, UsersApiCredentials } from './credentials.js';
import { json } from './http.js';
import type { SimRequest, SimResponse } from './http.js';
import { TokenStore } from './tokens.js';

export interface OAuthSettings {
  /** expires_in of every access token issued from now on. */
  tokenLifetimeSeconds: number;
  /** Answer 401 invalid_client to HTTP Basic, so a client's client_secret_post fallback shows. */
  refuseBasicAuth: boolean;
}

interface Grant {
  clientId: string;
  scope: string | undefined;
}

type ClientCheck = { client: OAuthClient } | { refused: SimResponse };

export class OAuthServer {
  readonly accessTokens = new TokenStore('sim-users-at-');
  private readonly refreshTokens = new Map<string, Grant>();

  constructor(
    private readonly credentials: UsersApiCredentials,
    readonly settings: OAuthSettings,
  ) {
    const first = credentials.clients[0];
    if (first !== undefined) {
      for (const token of credentials.refreshTokens) {
        this.refreshTokens.set(token, { clientId: first.clientId, scope: undefined });
      }
    }
  }

  /** Forgets every access and refresh token issued or seeded so far. */
  revokeAll(): void {
    this.accessTokens.revokeAll();
    this.refreshTokens.clear();
  }

  token(request: SimRequest): SimResponse {
    if (request.method !== 'POST') {
      return { ...oauthError(405, 'invalid_request', 'use POST'), headers: { allow: 'POST' } };
    }
    const type = request.headers['content-type'] ?? '';
    if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
      return oauthError(400, 'invalid_request', 'expected application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams(request.body);
    for (const name of new Set(form.keys())) {
      if (form.getAll(name).length > 1) {
        return oauthError(400, 'invalid_request', `parameter ${name} repeated`);
      }
    }
    const checked = this.authenticate(request, form);
    if ('refused' in checked) return checked.refused;
    const { client } = checked;
    const scope = form.get('scope') ?? undefined;

    switch (form.get('grant_type')) {
      case null:
        return oauthError(400, 'invalid_request', 'grant_type is required');
      case 'client_credentials':
        // §4.4.3: no refresh token for this grant.
        return this.issue(client, scope, false);
      case 'password': {
        const username = form.get('username');
        const password = form.get('password');
        if (username === null || password === null) {
          return oauthError(400, 'invalid_request', 'username and password are required');
        }
        const known = this.credentials.users.some(
          (u) => same(u.username, username) && same(u.password, password),
        );
        if (!known) return oauthError(400, 'invalid_grant', 'bad resource owner credentials');
        return this.issue(client, scope, true);
      }
      case 'refresh_token': {
        const token = form.get('refresh_token');
        if (token === null) return oauthError(400, 'invalid_request', 'refresh_token is required');
        const grant = this.refreshTokens.get(token);
        if (grant === undefined || grant.clientId !== client.clientId) {
          return oauthError(400, 'invalid_grant', 'unknown, used or revoked refresh token');
        }
        // Rotation: the refresh token just presented never works again.
        this.refreshTokens.delete(token);
        return this.issue(client, scope ?? grant.scope, true);
      }
      default:
        return oauthError(
          400,
          'unsupported_grant_type',
          'use password, refresh_token or client_credentials',
        );
    }
  }

  private authenticate(request: SimRequest, form: URLSearchParams): ClientCheck {
    const header = request.headers.authorization;
    const basic = header === undefined ? undefined : /^Basic\s+(\S+)$/i.exec(header.trim())?.[1];
    const postedId = form.get('client_id');
    const postedSecret = form.get('client_secret');
    if (basic !== undefined && postedSecret !== null) {
      return { refused: oauthError(400, 'invalid_request', 'more than one client authentication') };
    }
    let id: string | undefined;
    let secret: string | undefined;
    if (basic !== undefined) {
      if (this.settings.refuseBasicAuth) {
        return {
          refused: oauthError(
            401,
            'invalid_client',
            'HTTP Basic is not supported: use client_secret_post',
          ),
        };
      }
      [id, secret] = decodeBasic(basic) ?? [];
    } else if (postedId !== null && postedSecret !== null) {
      [id, secret] = [postedId, postedSecret];
    }
    const client = this.credentials.clients.find(
      (c) =>
        id !== undefined &&
        secret !== undefined &&
        same(c.clientId, id) &&
        same(c.clientSecret, secret),
    );
    if (client !== undefined) return { client };
    const refused = oauthError(401, 'invalid_client', 'client authentication failed');
    // §5.2: a client that tried the Authorization header is told the scheme in WWW-Authenticate.
    return basic === undefined
      ? { refused }
      : { refused: { ...refused, headers: { 'www-authenticate': 'Basic realm="oauth2"' } } };
  }

  private issue(client: OAuthClient, scope: string | undefined, withRefresh: boolean): SimResponse {
    const lifetime = this.settings.tokenLifetimeSeconds;
    const refresh = withRefresh
      ? `sim-users-rt-${randomBytes(18).toString('base64url')}`
      : undefined;
    if (refresh !== undefined)
      this.refreshTokens.set(refresh, { clientId: client.clientId, scope });
    return {
      ...json(200, {
        access_token: this.accessTokens.issue(lifetime),
        token_type: 'Bearer',
        expires_in: lifetime,
        ...(refresh === undefined ? {} : { refresh_token: refresh }),
        ...(scope === undefined ? {} : { scope }),
      }),
      // §5.1: token answers must not be cached.
      headers: { 'cache-control': 'no-store', pragma: 'no-cache' },
    };
  }
}

/** RFC 6749 §5.2 error answer. */
export function oauthError(status: number, error: string, description: string): SimResponse {
  return json(status, { error, error_description: description });
}

/** §2.3.1: base64 of form-urlencoded id ":" form-urlencoded secret. */
function decodeBasic(encoded: string): [string, string] | undefined {
  const text = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon === -1) return undefined;
  try {
    const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return [decode(text.slice(0, colon)), decode(text.slice(colon + 1))];
  } catch {
    return undefined;
  }
}

/** Constant-time comparison, as a real token endpoint compares secrets. */
function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
