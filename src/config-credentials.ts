// Service credentials: how the gateway authenticates to each upstream on its own behalf, when a
// request brings no credential. Declared here and spread into config.ts's one schema; the rules
// of which variables go together are config errors that name the variables.
import { z } from 'zod';
import type { OAuth2Grant, OAuth2Settings } from './upstream/token-sources/oauth2.js';
import type { KazooUserAuthSettings } from './upstream/token-sources/kazoo-user-auth.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const tokenUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .refine((u) => new URL(u).protocol === 'https:' || LOOPBACK_HOSTS.has(new URL(u).hostname), {
    error: 'must be https (http only for a loopback host): the client secret travels to it',
  });
const optional = z.string().optional();
// config.ts's helper, repeated: importing it from there would make the two modules a cycle.
const variable = <const F extends string, S extends z.ZodType>(field: F, schema: S) => ({
  field,
  schema,
});

export const CREDENTIAL_VARIABLES = {
  USERS_API_TOKEN_URL: variable('usersApiTokenUrl', tokenUrl.optional()),
  USERS_API_CLIENT_ID: variable('usersApiClientId', optional),
  USERS_API_CLIENT_SECRET: variable('usersApiClientSecret', optional),
  USERS_API_USERNAME: variable('usersApiUsername', optional),
  USERS_API_PASSWORD: variable('usersApiPassword', optional),
  USERS_API_REFRESH_TOKEN: variable('usersApiRefreshToken', optional),
  VCARD_API_USERNAME: variable('vcardApiUsername', optional),
  VCARD_API_PASSWORD: variable('vcardApiPassword', optional),
  VCARD_API_ACCOUNT_NAME: variable('vcardApiAccountName', optional),
};

type CredentialVariables = typeof CREDENTIAL_VARIABLES;
type CredentialField = CredentialVariables[keyof CredentialVariables]['field'];
type CredentialFields = { [K in CredentialField]?: string | undefined };
type Flat = CredentialFields & {
  usersApiToken?: string | undefined;
  vcardApiToken?: string | undefined;
  vcardApiKey?: string | undefined;
};

const OAUTH_CLIENT = ['usersApiTokenUrl', 'usersApiClientId', 'usersApiClientSecret'] as const;
const OAUTH_ALL = [
  ...OAUTH_CLIENT,
  'usersApiUsername',
  'usersApiPassword',
  'usersApiRefreshToken',
] as const;
const KAZOO_USER = ['vcardApiUsername', 'vcardApiPassword', 'vcardApiAccountName'] as const;

// Messages name environment variables, not Config fields.
const ENV_OF = new Map<string, string>([
  ['usersApiToken', 'USERS_API_TOKEN'],
  ['vcardApiToken', 'VCARD_API_TOKEN'],
  ['vcardApiKey', 'VCARD_API_KEY'],
  ...Object.entries(CREDENTIAL_VARIABLES).map(([env, { field }]): [string, string] => [field, env]),
]);
const envOf = (field: keyof Flat): string => ENV_OF.get(field) ?? field;
const names = (fields: readonly (keyof Flat)[]): string => fields.map(envOf).join(', ');

/** Which service-credential variables may be set together. Messages name variables, never values. */
export function checkCredentials(v: Flat, ctx: z.RefinementCtx): void {
  const fail = (field: keyof Flat, message: string): void => {
    ctx.addIssue({ code: 'custom', path: [field], message });
  };
  const set = (fields: readonly (keyof Flat)[]) => fields.filter((f) => v[f] !== undefined);

  const oauth = set(OAUTH_ALL);
  if (oauth.length > 0) {
    const missing = OAUTH_CLIENT.filter((f) => v[f] === undefined);
    if (missing.length > 0) {
      fail(
        missing[0] ?? 'usersApiTokenUrl',
        `the OAuth2 client needs ${names(OAUTH_CLIENT)} (missing: ${names(missing)})`,
      );
    }
    if (v.usersApiToken !== undefined) {
      fail(
        'usersApiToken',
        `USERS_API_TOKEN and the OAuth2 variables (${names(oauth)}) exclude each other: use one`,
      );
    }
  }
  if ((v.usersApiUsername === undefined) !== (v.usersApiPassword === undefined)) {
    fail(
      v.usersApiUsername === undefined ? 'usersApiUsername' : 'usersApiPassword',
      'the password grant needs both USERS_API_USERNAME and USERS_API_PASSWORD',
    );
  }
  if (
    v.usersApiRefreshToken !== undefined &&
    set(['usersApiUsername', 'usersApiPassword']).length > 0
  ) {
    fail(
      'usersApiRefreshToken',
      'USERS_API_REFRESH_TOKEN (refresh-token grant) and USERS_API_USERNAME/USERS_API_PASSWORD (password grant) exclude each other: use one',
    );
  }

  const kazoo = set(KAZOO_USER);
  if (kazoo.length > 0 && kazoo.length < KAZOO_USER.length) {
    const missing = KAZOO_USER.filter((f) => v[f] === undefined);
    fail(
      missing[0] ?? 'vcardApiUsername',
      `Kazoo user credentials need ${names(KAZOO_USER)} (missing: ${names(missing)})`,
    );
  }
  const vcardWays = [
    v.vcardApiToken === undefined ? undefined : 'VCARD_API_TOKEN',
    v.vcardApiKey === undefined ? undefined : 'VCARD_API_KEY',
    kazoo.length === 0 ? undefined : names(KAZOO_USER),
  ].filter((w) => w !== undefined);
  if (vcardWays.length > 1) {
    fail(
      v.vcardApiToken === undefined ? 'vcardApiKey' : 'vcardApiToken',
      `set at most one way to authenticate to the vcard API: VCARD_API_TOKEN, VCARD_API_KEY, or ${names(KAZOO_USER)} (set: ${vcardWays.join('; ')})`,
    );
  }
}

export interface ServiceCredentials {
  /** The OAuth2 client of the users API (USERS_API_TOKEN_URL …); undefined: none configured. */
  usersApiOAuth: OAuth2Settings | undefined;
  /** Kazoo user credentials for PUT {VCARD_API_URL}/user_auth; undefined: none configured. */
  vcardApiUserAuth: Omit<KazooUserAuthSettings, 'baseUrl'> | undefined;
}

/**
 * The checked flat credential variables of `v` as the two settings objects the token sources take,
 * and the rest of `v` without them (the flat secrets do not travel on in the config).
 */
export function takeServiceCredentials<T extends CredentialFields>(
  v: T,
): { credentials: ServiceCredentials; rest: Omit<T, CredentialField> } {
  const rest: Partial<T> = { ...v };
  for (const { field } of Object.values(CREDENTIAL_VARIABLES)) delete rest[field];
  return { credentials: serviceCredentials(v), rest: rest as Omit<T, CredentialField> };
}

function serviceCredentials(v: CredentialFields): ServiceCredentials {
  const {
    usersApiTokenUrl: tokenUrl,
    usersApiClientId: clientId,
    usersApiClientSecret: clientSecret,
  } = v;
  let grant: OAuth2Grant = { type: 'client_credentials' };
  if (v.usersApiUsername !== undefined && v.usersApiPassword !== undefined) {
    grant = { type: 'password', username: v.usersApiUsername, password: v.usersApiPassword };
  } else if (v.usersApiRefreshToken !== undefined) {
    grant = { type: 'refresh_token', refreshToken: v.usersApiRefreshToken };
  }
  const {
    vcardApiUsername: username,
    vcardApiPassword: password,
    vcardApiAccountName: accountName,
  } = v;
  return {
    usersApiOAuth:
      tokenUrl === undefined || clientId === undefined || clientSecret === undefined
        ? undefined
        : { tokenUrl, clientId, clientSecret, grant },
    vcardApiUserAuth:
      username === undefined || password === undefined || accountName === undefined
        ? undefined
        : { username, password, accountName },
  };
}
