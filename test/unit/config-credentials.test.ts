// Service credentials in the configuration (#17): which grant the variables select, and every rule
// of which variables go together, as config errors that name the variables and never a value.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const upstreams = {
  USERS_API_URL: 'https://api.vonage.example.com/t/vbc.prod/provisioning/api',
  VCARD_API_URL: 'https://vinix.example.com/v2',
};
const client = {
  USERS_API_TOKEN_URL: 'https://api.vonage.example.com/token',
  USERS_API_CLIENT_ID: 'gateway-client',
  USERS_API_CLIENT_SECRET: 'client-secret-value',
};
const kazoo = {
  VCARD_API_USERNAME: 'operator',
  VCARD_API_PASSWORD: 'kazoo-password-value',
  VCARD_API_ACCOUNT_NAME: 'acme',
};

function refusal(env: Record<string, string>): string {
  try {
    loadConfig({ ...upstreams, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig: service credentials', () => {
  it('none configured: no OAuth2 client, no Kazoo user', () => {
    const config = loadConfig(upstreams);
    expect(config.usersApiOAuth).toBeUndefined();
    expect(config.vcardApiUserAuth).toBeUndefined();
  });

  it('the token URL and client alone select the client-credentials grant', () => {
    expect(loadConfig({ ...upstreams, ...client }).usersApiOAuth).toEqual({
      tokenUrl: 'https://api.vonage.example.com/token',
      clientId: 'gateway-client',
      clientSecret: 'client-secret-value',
      grant: { type: 'client_credentials' },
    });
  });

  it('USERS_API_USERNAME + USERS_API_PASSWORD select the password grant', () => {
    const config = loadConfig({
      ...upstreams,
      ...client,
      USERS_API_USERNAME: 'ops@acme.example.com',
      USERS_API_PASSWORD: 'pw',
    });
    expect(config.usersApiOAuth?.grant).toEqual({
      type: 'password',
      username: 'ops@acme.example.com',
      password: 'pw',
    });
    // Only there: the flat variables do not travel on in the config.
    expect(Object.keys(config).filter((k) => /^usersApi(Password|ClientSecret)/.test(k))).toEqual(
      [],
    );
  });

  it('USERS_API_REFRESH_TOKEN selects the refresh-token grant; an empty one is unset', () => {
    const refresh = { ...upstreams, ...client, USERS_API_REFRESH_TOKEN: 'rt-1' };
    expect(loadConfig(refresh).usersApiOAuth?.grant).toEqual({
      type: 'refresh_token',
      refreshToken: 'rt-1',
    });
    expect(loadConfig({ ...refresh, USERS_API_REFRESH_TOKEN: ' ' }).usersApiOAuth?.grant).toEqual({
      type: 'client_credentials',
    });
  });

  it('Kazoo user credentials: all three together', () => {
    expect(loadConfig({ ...upstreams, ...kazoo }).vcardApiUserAuth).toEqual({
      username: 'operator',
      password: 'kazoo-password-value',
      accountName: 'acme',
    });
  });

  it('an incomplete OAuth2 client names what is missing', () => {
    const message = refusal({ USERS_API_CLIENT_ID: 'gateway-client', USERS_API_PASSWORD: 'x' });
    expect(message).toMatch(/USERS_API_TOKEN_URL, USERS_API_CLIENT_ID, USERS_API_CLIENT_SECRET/);
    expect(message).toMatch(/missing: USERS_API_TOKEN_URL, USERS_API_CLIENT_SECRET/);
    expect(message).toMatch(/USERS_API_USERNAME and USERS_API_PASSWORD/);
  });

  it('USERS_API_TOKEN and the OAuth2 variables together are an error', () => {
    expect(refusal({ ...client, USERS_API_TOKEN: 'bare' })).toMatch(
      /^invalid USERS_API_TOKEN: .*OAuth2 variables \(USERS_API_TOKEN_URL, USERS_API_CLIENT_ID, USERS_API_CLIENT_SECRET\)/m,
    );
  });

  it('the password and refresh-token grants exclude each other', () => {
    expect(
      refusal({
        ...client,
        USERS_API_USERNAME: 'u',
        USERS_API_PASSWORD: 'p',
        USERS_API_REFRESH_TOKEN: 'rt',
      }),
    ).toMatch(/^invalid USERS_API_REFRESH_TOKEN: .*exclude each other/m);
  });

  it('the token URL is https, or http on a loopback host only', () => {
    expect(refusal({ ...client, USERS_API_TOKEN_URL: 'http://idp.example.com/token' })).toMatch(
      /^invalid USERS_API_TOKEN_URL: must be https \(http only for a loopback host\)/m,
    );
    for (const local of ['http://127.0.0.1:9/token', 'http://localhost:9/token']) {
      expect(
        loadConfig({ ...upstreams, ...client, USERS_API_TOKEN_URL: local }).usersApiOAuth?.tokenUrl,
      ).toBe(local);
    }
  });

  it('incomplete Kazoo user credentials name the missing variable', () => {
    expect(refusal({ VCARD_API_USERNAME: 'u', VCARD_API_PASSWORD: 'p' })).toMatch(
      /^invalid VCARD_API_ACCOUNT_NAME: .*\(missing: VCARD_API_ACCOUNT_NAME\)/m,
    );
  });

  it('at most one way to authenticate to the vcard API', () => {
    expect(refusal({ VCARD_API_TOKEN: 't', VCARD_API_KEY: 'k' })).toMatch(
      /^invalid VCARD_API_TOKEN: set at most one way .*\(set: VCARD_API_TOKEN; VCARD_API_KEY\)/m,
    );
    expect(refusal({ VCARD_API_KEY: 'k', ...kazoo })).toMatch(
      /^invalid VCARD_API_KEY: set at most one way .*\(set: VCARD_API_KEY; VCARD_API_USERNAME/m,
    );
  });

  it('never echoes a value, secrets included', () => {
    const message = refusal({
      ...client,
      USERS_API_TOKEN: 'bare-token-value',
      USERS_API_USERNAME: 'ops-user-value',
      VCARD_API_KEY: 'api-key-value',
      VCARD_API_PASSWORD: 'kazoo-password-value',
    });
    for (const value of [
      'client-secret-value',
      'bare-token-value',
      'ops-user-value',
      'api-key-value',
      'kazoo-password-value',
    ]) {
      expect(message).not.toContain(value);
    }
  });
});
