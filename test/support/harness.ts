// In-process gateway over in-process simulators: no port for the gateway (yoga.fetch), loopback
// ports for the simulators, a captured log, and counters of upstream calls.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { createGateway } from '../../src/server.js';
import type { Gateway } from '../../src/server.js';
import type { ServiceHooks } from '../../src/services.js';
import { OAUTH_TOKEN_PATH, sandboxConfig, startSandbox } from '../../sandbox/index.js';

export type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
export type SandboxOptions = Parameters<typeof startSandbox>[0];

export interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface Harness {
  sandbox: Sandbox;
  gateway: Gateway;
  logs: string[];
  gql(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse & { status: number; headers: Headers }>;
  /** Upstream calls since the last reset, by kind. */
  calls(): { list: number; user: number; vcard: number; apiAuth: number };
  /** Token endpoint calls since the last reset: OAuth2 (users), user_auth and api_auth (vcard). */
  tokenCalls(): { oauth: number; userAuth: number; apiAuth: number };
  resetCalls(): void;
  close(): Promise<void>;
}

export async function startHarness(
  options: {
    /** Or a function of the started sandbox, for values only known then (a token URL). */
    env?: Record<string, string> | ((sandbox: Sandbox) => Record<string, string>);
    sandbox?: SandboxOptions;
    hooks?: ServiceHooks;
  } = {},
): Promise<Harness> {
  const sandbox = await startSandbox(options.sandbox);
  const env = typeof options.env === 'function' ? options.env(sandbox) : (options.env ?? {});
  // Configured as a deployment pointed at these upstreams (so NODE_ENV=production and the CORS
  // defaults behave as in production), with the sandbox's service tokens, so requests without
  // headers work as with `npm start`. A test passes '' to unset a token.
  const config = sandboxConfig(
    loadConfig({ USERS_API_URL: sandbox.users.url, VCARD_API_URL: sandbox.vcard.url, ...env }),
    sandbox,
  );
  if (env['USERS_API_TOKEN'] === '') config.usersApiToken = undefined;
  if (env['VCARD_API_TOKEN'] === '') config.vcardApiToken = undefined;
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) });
  const gateway = createGateway(config, {
    logger,
    hooks: { baseBackoffMs: 5, ...options.hooks },
  });
  const paths = () =>
    [...sandbox.users.log, ...sandbox.vcard.log].map((r) => `${r.method} ${r.path}`);
  return {
    sandbox,
    gateway,
    logs,
    async gql(query, variables, headers) {
      const response = await gateway.yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as GraphQLResponse;
      return { ...body, status: response.status, headers: response.headers };
    },
    calls() {
      const all = paths();
      return {
        list: all.filter((p) => /^GET \/accounts\/[^/]+\/users$/.test(p)).length,
        user: all.filter((p) => /^GET \/accounts\/[^/]+\/users\/[^/]+$/.test(p)).length,
        vcard: all.filter((p) => /\/vcard$/.test(p)).length,
        apiAuth: all.filter((p) => p.endsWith('/api_auth')).length,
      };
    },
    tokenCalls() {
      const count = (log: { path: string }[], path: string) =>
        log.filter((r) => r.path === path).length;
      return {
        oauth: count(sandbox.users.log, OAUTH_TOKEN_PATH),
        userAuth: count(sandbox.vcard.log, '/user_auth'),
        apiAuth: count(sandbox.vcard.log, '/api_auth'),
      };
    },
    resetCalls() {
      sandbox.users.reset();
      sandbox.vcard.reset();
    },
    async close() {
      await gateway.close();
      await sandbox.close();
    },
  };
}

export function codes(response: GraphQLResponse): unknown[] {
  return (response.errors ?? []).map((e) => e.extensions?.['code']);
}

/** The gateway on a real socket at 127.0.0.1 (port chosen by the OS), for socket-level tests. */
export async function listenOnLoopback(
  gateway: Gateway,
): Promise<{ port: number; origin: string; close(): Promise<void> }> {
  const server = createServer(gateway.yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
