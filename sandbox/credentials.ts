// Service credentials the simulators know from the start. They are not secrets: they exist so that
// the gateway's OAuth2 and Kazoo user_auth flows can be tried against the sandbox
// (`npm run sandbox -- --require-auth` prints them) and tested.

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

export interface PasswordUser {
  username: string;
  password: string;
}

export interface KazooUser extends PasswordUser {
  /** What user_auth's `account_name` must be for this user. */
  accountName: string;
}

export interface UsersApiCredentials {
  /** Clients the token endpoint authenticates (HTTP Basic or client_secret_post). */
  clients: readonly OAuthClient[];
  /** Resource owners for the password grant. */
  users: readonly PasswordUser[];
  /**
   * Refresh tokens valid from the start, issued to the first client. Rotation applies: each works
   * once (the simulator answers a new one).
   */
  refreshTokens: readonly string[];
}

export interface VcardApiCredentials {
  /** Users PUT /user_auth accepts (credentials = md5("username:password")). */
  users: readonly KazooUser[];
  /** Account API keys PUT /api_auth accepts. */
  apiKeys: readonly string[];
}

/** The seeded service credentials (documented in the README and printed by `npm run sandbox`). */
export const SANDBOX_CREDENTIALS = {
  users: {
    clients: [{ clientId: 'sandbox-gateway', clientSecret: 'sandbox-gateway-secret' }],
    users: [{ username: 'operator@sandbox.example', password: 'sandbox-operator-password' }],
    refreshTokens: ['sandbox-refresh-token'],
  },
  vcard: {
    users: [
      { username: 'operator', password: 'sandbox-operator-password', accountName: 'sandbox' },
    ],
    apiKeys: ['sandbox-api-key'],
  },
} as const satisfies { users: UsersApiCredentials; vcard: VcardApiCredentials };

/** Where the users simulator serves the OAuth2 token endpoint (RFC 6749 §3.2). */
export const OAUTH_TOKEN_PATH = '/oauth2/token';
