import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { describeStartup, originOf } from '../../src/lifecycle.js';

const URLS = { USERS_API_URL: 'https://users.example', VCARD_API_URL: 'https://vcard.example' };

describe('originOf', () => {
  it('keeps scheme, host and port and drops user, password, path, query and fragment', () => {
    fc.assert(
      fc.property(
        fc.webUrl({ withQueryParameters: true, withFragments: true }),
        fc.stringMatching(/^[a-z]{1,8}$/),
        fc.stringMatching(/^[a-z0-9]{1,12}$/),
        (url, user, password) => {
          const u = new URL(url);
          u.username = user;
          u.password = password;
          // The oracle: WHATWG's own origin for http(s).
          expect(originOf(u.href)).toBe(u.origin);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('handles schemes without a WHATWG origin (redis) the same way', () => {
    expect(originOf('rediss://:pw@cache.internal:6380/0')).toBe('rediss://cache.internal:6380');
  });
});

describe('process settings in Config', () => {
  it('defaults to 15 s / 30 s, an empty value counting as unset', () => {
    const config = loadConfig({
      ...URLS,
      HTTP_HEADERS_TIMEOUT_MS: '',
      HTTP_REQUEST_TIMEOUT_MS: ' ',
    });
    expect(config).toMatchObject({
      sandboxExplicit: false,
      httpHeadersTimeoutMs: 15_000,
      httpRequestTimeoutMs: 30_000,
    });
  });

  it('refuses headers longer than the whole request, naming the variable', () => {
    expect(() =>
      loadConfig({ ...URLS, HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_REQUEST_TIMEOUT_MS: '1000' }),
    ).toThrow(/^invalid HTTP_HEADERS_TIMEOUT_MS/);
  });

  it('refuses production without upstream URLs unless SANDBOX=true', () => {
    const env = { NODE_ENV: 'production' };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(/USERS_API_URL and VCARD_API_URL/);
    expect(loadConfig({ ...env, SANDBOX: 'true' }).sandboxExplicit).toBe(true);
  });
});

describe('describeStartup', () => {
  it('warns about unsigned cursors outside sandbox mode only', () => {
    expect(describeStartup(loadConfig(URLS)).warnings).toEqual([
      expect.stringMatching(/^CURSOR_SECRET is not set/),
    ]);
    expect(describeStartup(loadConfig({ ...URLS, CURSOR_SECRET: 's' })).warnings).toEqual([]);
    expect(describeStartup(loadConfig({})).warnings).toEqual([]);
  });

  it('says fake data loudly when the sandbox serves production', () => {
    // Without SANDBOX=true, loadConfig refuses production without upstream URLs.
    const config = loadConfig({ NODE_ENV: 'production', SANDBOX: 'true' });
    expect(describeStartup(config).warnings).toEqual([expect.stringMatching(/FAKE DATA/)]);
  });

  it('names the Redis and tracing origins, never their credentials', () => {
    const { summary } = describeStartup(
      loadConfig({
        ...URLS,
        CACHE_TTL_MS: '1000',
        REDIS_URL: 'redis://:hunter2@cache:6379/1',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318/base',
      }),
    );
    expect(summary).toMatchObject({
      cache: { ttlMs: 1000, store: 'redis' },
      redis: 'redis://cache:6379',
      tracing: 'http://otel:4318',
    });
    expect(JSON.stringify(summary)).not.toContain('hunter2');
  });
});
