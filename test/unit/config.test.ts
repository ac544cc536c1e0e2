import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const UPSTREAMS = {
  USERS_API_URL: 'https://api.example.com/provisioning/api',
  VCARD_API_URL: 'https://vinix.example.com/v2',
};

describe('loadConfig', () => {
  it('has the contract defaults and runs the sandbox when no upstream URL is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      host: '0.0.0.0',
      sandbox: true,
      usersApiMaxPageSize: 100,
      maxPageSize: 100,
      upstreamMaxConcurrency: 64,
      upstreamTimeoutMs: 10_000,
      production: false,
    });
  });

  it('reads upstreams, tokens and limits', () => {
    const config = loadConfig({
      USERS_API_URL: 'https://api.example.com/t/vbc.prod/provisioning/api/',
      VCARD_API_URL: 'https://vinix.example.com/v2',
      USERS_API_TOKEN: 'abc',
      MAX_PAGE_SIZE: '50',
      CORS_ORIGINS: 'https://a.example.com, https://b.example.com',
      NODE_ENV: 'production',
    });
    expect(config.sandbox).toBe(false);
    // The trailing slash is dropped so paths never get a double slash.
    expect(config.usersApiUrl).toBe('https://api.example.com/t/vbc.prod/provisioning/api');
    expect(config.usersApiToken).toBe('abc');
    expect(config.maxPageSize).toBe(50);
    expect(config.corsOrigins).toEqual(['https://a.example.com', 'https://b.example.com']);
    expect(config.production).toBe(true);
  });

  it.each([
    [{ PORT: 'abc' }, /^invalid PORT: /],
    [{ PORT: '70000' }, /^invalid PORT: /],
    [
      { USERS_API_URL: 'not a url', VCARD_API_URL: 'http://x.example.com' },
      /^invalid USERS_API_URL: /,
    ],
    [
      { USERS_API_URL: 'ftp://x.example.com', VCARD_API_URL: 'http://x.example.com' },
      /^invalid USERS_API_URL/,
    ],
    [{ USERS_API_URL: 'http://x.example.com' }, /^invalid USERS_API_URL: set both/],
    [{ MAX_PAGE_SIZE: '-1' }, /^invalid MAX_PAGE_SIZE: /],
    [{ UPSTREAM_TIMEOUT_MS: '1.5' }, /^invalid UPSTREAM_TIMEOUT_MS: /],
  ])('refuses %j with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never echoes a value, which may be a secret', () => {
    try {
      loadConfig({ USERS_API_MAX_PAGE_SIZE: 'hunter2-secret' });
      expect.unreachable();
    } catch (error) {
      expect(String(error)).toContain('USERS_API_MAX_PAGE_SIZE');
      expect(String(error)).not.toContain('hunter2');
    }
  });
});

describe('loadConfig: observability', () => {
  it('traces only with OTEL_EXPORTER_OTLP_ENDPOINT and serves /metrics unless turned off', () => {
    expect(loadConfig({})).toMatchObject({
      otelEndpoint: undefined,
      otelServiceName: 'telecom-directory-gateway',
      metricsEnabled: true,
    });
    expect(
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/',
        OTEL_SERVICE_NAME: 'directory',
        METRICS_ENABLED: 'false',
      }),
    ).toMatchObject({
      otelEndpoint: 'http://127.0.0.1:4318',
      otelServiceName: 'directory',
      metricsEnabled: false,
    });
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' }).otelEndpoint).toBeUndefined();
  });

  it.each([
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, /^invalid OTEL_EXPORTER_OTLP_ENDPOINT: /],
    [{ METRICS_ENABLED: 'no' }, /^invalid METRICS_ENABLED: /],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('loadConfig: cross-request cache', () => {
  it('is off by default and in memory with CACHE_TTL_MS alone', () => {
    expect(loadConfig({}).cache).toEqual({
      ttlMs: 0,
      redisUrl: undefined,
      maxEntries: 10_000,
      maxBytes: 64 * 1024 * 1024,
    });
    expect(loadConfig({ CACHE_TTL_MS: '30000', CACHE_MAX_ENTRIES: '500' }).cache).toMatchObject({
      ttlMs: 30_000,
      redisUrl: undefined,
      maxEntries: 500,
    });
    expect(loadConfig({ CACHE_TTL_MS: '1', REDIS_URL: '' }).cache.redisUrl).toBeUndefined();
  });

  it('takes a redis:// URL', () => {
    const config = loadConfig({ CACHE_TTL_MS: '1000', REDIS_URL: 'redis://127.0.0.1:6390/2' });
    expect(config.cache.redisUrl).toBe('redis://127.0.0.1:6390/2');
  });

  it.each([
    [{ CACHE_TTL_MS: '-1' }, /^invalid CACHE_TTL_MS: /],
    [{ CACHE_TTL_MS: '1.5' }, /^invalid CACHE_TTL_MS: /],
    [{ CACHE_TTL_MS: '1000', REDIS_URL: 'http://127.0.0.1:6379' }, /^invalid REDIS_URL: /],
    // Redis with the cache off is a mistake worth stopping for, not something to ignore.
    [{ REDIS_URL: 'redis://127.0.0.1:6379' }, /^invalid REDIS_URL: the cache is off/],
    [{ CACHE_TTL_MS: '1000', CACHE_MAX_ENTRIES: '0' }, /^invalid CACHE_MAX_ENTRIES: /],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('does not echo a Redis password', () => {
    expect(() =>
      loadConfig({ CACHE_TTL_MS: '1000', REDIS_URL: 'http://user:hunter2@127.0.0.1' }),
    ).toThrow(/^(?!.*hunter2)/s);
  });
});

describe('loadConfig: hardening limits and switches', () => {
  it('has sane defaults, with GraphiQL and introspection on outside production', () => {
    expect(loadConfig({})).toMatchObject({
      maxQueryDepth: 8,
      maxAliases: 15,
      maxTokens: 1000,
      maxDirectives: 50,
      maxQueryCost: 25_000,
      maxBatchSize: 10,
      maxRequestBytes: 102_400,
      graphiql: true,
      introspection: true,
    });
    expect(loadConfig({ ...UPSTREAMS, NODE_ENV: 'production' })).toMatchObject({
      graphiql: false,
      introspection: false,
    });
  });

  it('reads the limits and lets GRAPHIQL / INTROSPECTION override NODE_ENV', () => {
    const config = loadConfig({
      MAX_QUERY_DEPTH: '5',
      MAX_ALIASES: '0',
      MAX_TOKENS: '200',
      MAX_DIRECTIVES: '3',
      MAX_QUERY_COST: '1000',
      MAX_BATCH_SIZE: '0',
      MAX_REQUEST_BYTES: '2048',
      ...UPSTREAMS,
      NODE_ENV: 'production',
      GRAPHIQL: 'true',
      INTROSPECTION: '1',
    });
    expect(config).toMatchObject({
      maxQueryDepth: 5,
      maxAliases: 0,
      maxTokens: 200,
      maxDirectives: 3,
      maxQueryCost: 1000,
      maxBatchSize: 0,
      maxRequestBytes: 2048,
      graphiql: true,
      introspection: true,
    });
    expect(loadConfig({ GRAPHIQL: 'false', INTROSPECTION: '0' })).toMatchObject({
      graphiql: false,
      introspection: false,
    });
  });

  it.each([
    [{ MAX_QUERY_DEPTH: '0' }, /^invalid MAX_QUERY_DEPTH: /],
    [{ MAX_QUERY_COST: '-1' }, /^invalid MAX_QUERY_COST: /],
    [{ MAX_REQUEST_BYTES: '1e3x' }, /^invalid MAX_REQUEST_BYTES: /],
    [{ MAX_BATCH_SIZE: '1.5' }, /^invalid MAX_BATCH_SIZE: /],
    [{ GRAPHIQL: 'yes' }, /^invalid GRAPHIQL: /],
    [{ INTROSPECTION: 'off' }, /^invalid INTROSPECTION: /],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('loadConfig: sandbox mode, production and empty values', () => {
  it('counts an empty or blank value as unset, for every variable (#16 defect 15)', () => {
    // As docker-compose's `${VAR}` and .env templates pass unset variables.
    const config = loadConfig({
      USERS_API_URL: '',
      VCARD_API_URL: '',
      PORT: '',
      MAX_PAGE_SIZE: ' ',
      GRAPHIQL: '',
      METRICS_ENABLED: '',
      LOG_LEVEL: '',
      SANDBOX: '',
      HTTP_HEADERS_TIMEOUT_MS: '',
      FEDERATION_SDL: '',
      USERS_API_TOKEN: '',
    });
    expect(config).toMatchObject({
      sandbox: true,
      sandboxExplicit: false,
      port: 4000,
      maxPageSize: 100,
      graphiql: true,
      metricsEnabled: true,
      logLevel: 'info',
      httpHeadersTimeoutMs: 15_000,
      federationSdl: false,
    });
    expect(config.usersApiUrl).toBeUndefined();
    expect(config.usersApiToken).toBeUndefined();
  });

  it('refuses NODE_ENV=production without upstream URLs, naming both, unless SANDBOX=true', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /^invalid USERS_API_URL: .*USERS_API_URL and VCARD_API_URL/,
    );
    expect(() => loadConfig({ NODE_ENV: 'production', USERS_API_URL: '' })).toThrow(ConfigError);
    expect(loadConfig({ NODE_ENV: 'production', SANDBOX: 'true' })).toMatchObject({
      sandbox: true,
      sandboxExplicit: true,
      production: true,
    });
    expect(loadConfig({ ...UPSTREAMS, NODE_ENV: 'production' })).toMatchObject({
      sandbox: false,
      sandboxExplicit: false,
    });
  });

  it('serves the simulators with SANDBOX=true even when upstream URLs are set', () => {
    expect(loadConfig({ ...UPSTREAMS, SANDBOX: 'true' }).sandbox).toBe(true);
    expect(loadConfig({ ...UPSTREAMS, SANDBOX: 'false' }).sandbox).toBe(false);
    expect(() => loadConfig({ SANDBOX: 'yes' })).toThrow(/^invalid SANDBOX: /);
  });

  it('reads the HTTP timeouts and FEDERATION_SDL', () => {
    expect(loadConfig({})).toMatchObject({
      httpHeadersTimeoutMs: 15_000,
      httpRequestTimeoutMs: 30_000,
      federationSdl: false,
    });
    expect(
      loadConfig({
        HTTP_HEADERS_TIMEOUT_MS: '2000',
        HTTP_REQUEST_TIMEOUT_MS: '5000',
        FEDERATION_SDL: 'true',
      }),
    ).toMatchObject({
      httpHeadersTimeoutMs: 2000,
      httpRequestTimeoutMs: 5000,
      federationSdl: true,
    });
    expect(() => loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '0' })).toThrow(
      /^invalid HTTP_REQUEST_TIMEOUT_MS: /,
    );
  });
});
