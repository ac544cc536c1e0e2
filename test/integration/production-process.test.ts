// The compiled gateway as a supervisor runs it: `npm start` (npm's process is the one a process
// manager holds and signals), the production safety checks at start-up, and the HTTP server's own
// bounds (#16 defects 9, 16, 17).
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../sandbox/index.js';
import type { Sandbox } from '../../sandbox/index.js';
import { SHUTDOWN_GRACE_MS } from '../../src/lifecycle.js';
import {
  ROOT,
  alive,
  ensureBuilt,
  gatewayEnv,
  gatewayPids,
  killLeftovers,
  listening,
  logLines,
  query,
  startProcess,
  until,
} from './production-harness.js';

const MAIN = ['--max-semi-space-size=32', '--enable-source-maps', 'dist/src/main.js'];

beforeAll(ensureBuilt, 200_000);
afterEach(killLeftovers);

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());

const upstreams = (): Record<string, string> => ({
  USERS_API_URL: sandbox.users.url,
  VCARD_API_URL: sandbox.vcard.url,
  USERS_API_TOKEN: 'svc',
  VCARD_API_TOKEN: 'svc',
});

describe('npm start', () => {
  it('runs the compiled gateway as npm’s only child; SIGTERM to npm drains it, exit 0, nothing left', async () => {
    const shutdownMs = 2_000;
    const npm = startProcess('npm', ['start', '--silent'], {
      cwd: ROOT,
      env: gatewayEnv({ ...upstreams(), SHUTDOWN_TIMEOUT_MS: String(shutdownMs) }),
    });
    const port = await listening(npm);
    expect(await query(port, '{ users(accountId: "1001", first: 1) { totalCount } }')).toEqual({
      data: { users: { totalCount: 12 } },
    });
    const [gatewayPid] = gatewayPids(npm.stdout());
    expect(gatewayPid).toBeTypeOf('number');
    // No tsx launcher and no shell: the process npm spawned is node running dist/.
    const { execFileSync } = await import('node:child_process');
    const children = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(npm.child.pid)])
      .toString()
      .trim()
      .split('\n');
    expect(children).toHaveLength(1);
    expect(children[0]).toMatch(new RegExp(`^\\s*${gatewayPid} node .*dist/src/main\\.js$`));

    const signalled = Date.now();
    npm.child.kill('SIGTERM');
    expect(await npm.exited).toEqual({ code: 0, signal: null });
    await until(() => !alive(gatewayPid ?? 0), shutdownMs + 5_000 - (Date.now() - signalled));
    expect(Date.now() - signalled).toBeLessThan(shutdownMs + 5_000);
    expect(npm.stdout()).toContain('"msg":"stopped"');
  }, 120_000);
});

function startCompiled(env: Record<string, string>): ReturnType<typeof startProcess> {
  return startProcess(process.execPath, MAIN, { cwd: ROOT, env: gatewayEnv(env) });
}

describe('production safety at start-up', () => {
  it('NODE_ENV=production without upstream URLs exits 1 with one line naming both', async () => {
    const gateway = startCompiled({ NODE_ENV: 'production' });
    expect(await gateway.exited).toEqual({ code: 1, signal: null });
    const lines = gateway.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/USERS_API_URL/);
    expect(lines[0]).toMatch(/VCARD_API_URL/);
    expect(gateway.stdout()).toBe('');
  });

  it('NODE_ENV=production with SANDBOX=true serves the simulators and says loudly it is fake data', async () => {
    const gateway = startCompiled({ NODE_ENV: 'production', SANDBOX: 'true' });
    const port = await listening(gateway);
    expect(await query(port, '{ users(accountId: "1001", first: 1) { totalCount } }')).toEqual({
      data: { users: { totalCount: 12 } },
    });
    const warnings = logLines(gateway.stdout()).filter((l) => l['level'] === 40);
    expect(warnings.map((l) => l['msg'])).toEqual([expect.stringMatching(/FAKE DATA/)]);
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toEqual({ code: 0, signal: null });
  });

  it('names upstream origins and features, never credentials, and warns without CURSOR_SECRET', async () => {
    const users = new URL(sandbox.users.url);
    users.username = 'svc-user';
    users.password = 's3cret-pw';
    const gateway = startCompiled({
      ...upstreams(),
      USERS_API_URL: `${users.href}provisioning/api?key=s3cret-key`,
      NODE_ENV: 'production',
      CACHE_TTL_MS: '1000',
    });
    await listening(gateway);
    const lines = logLines(gateway.stdout());
    const starting = lines.find((l) => l['msg'] === 'starting');
    expect(starting).toMatchObject({
      environment: 'production',
      sandbox: false,
      usersApi: sandbox.users.url,
      vcardApi: sandbox.vcard.url,
      graphiql: false,
      introspection: false,
      cache: { ttlMs: 1000, store: 'memory' },
      redis: 'off',
      tracing: 'off',
      signedCursors: false,
    });
    expect(gateway.stdout()).not.toMatch(/s3cret|svc-user|provisioning/);
    const warnings = lines.filter((l) => l['level'] === 40).map((l) => l['msg']);
    expect(warnings).toEqual([expect.stringMatching(/^CURSOR_SECRET is not set/)]);
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toEqual({ code: 0, signal: null });
  });

  it('does not warn about CURSOR_SECRET once it is set', async () => {
    const gateway = startCompiled({ ...upstreams(), CURSOR_SECRET: 'x'.repeat(32) });
    await listening(gateway);
    expect(logLines(gateway.stdout()).filter((l) => l['level'] === 40)).toEqual([]);
    gateway.child.kill('SIGTERM');
    await gateway.exited;
  });
});

describe('#16 defect 16: a port in use', () => {
  it('prints one line naming the port and exits 1, with no stack trace', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const gateway = startCompiled({ ...upstreams(), PORT: String(port) });
      expect(await gateway.exited).toEqual({ code: 1, signal: null });
      expect(gateway.stderr()).toBe(
        `cannot listen on 127.0.0.1:${port}: the port is already in use\n`,
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

describe('#16 defect 9: a slow request body', () => {
  it('is cut by HTTP_REQUEST_TIMEOUT_MS (408, connection closed) on a real socket', async () => {
    const gateway = startCompiled({
      ...upstreams(),
      HTTP_HEADERS_TIMEOUT_MS: '500',
      HTTP_REQUEST_TIMEOUT_MS: '1000',
    });
    const port = await listening(gateway);
    const { connect } = await import('node:net');
    const socket: Socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    const closed = new Promise<number>((resolve) =>
      socket.once('close', () => resolve(Date.now())),
    );
    await new Promise((resolve) => socket.once('connect', resolve));
    const opened = Date.now();
    socket.write(
      'POST /graphql HTTP/1.1\r\nhost: gateway\r\ncontent-type: application/json\r\n' +
        'content-length: 1000\r\n\r\n{"query":',
    );
    // A byte every 200 ms: never idle long enough for any idle timeout, never finished.
    const trickle = setInterval(() => socket.writable && socket.write(' '), 200);
    const closedAt = await Promise.race([
      closed,
      new Promise<number>((resolve) => setTimeout(() => resolve(-1), 6_000)),
    ]);
    clearInterval(trickle);
    socket.destroy();
    expect(closedAt).toBeGreaterThan(0);
    // requestTimeout plus node's 1 s sweep, with slack for a loaded machine.
    expect(closedAt - opened).toBeLessThan(4_000);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toEqual({ code: 0, signal: null });
  });
});

describe('#16 defect 17: shutdown has a hard bound', () => {
  let collector: Server;
  const held: Socket[] = [];
  beforeAll(async () => {
    // An OTLP collector that accepts connections and never answers: the tracer's final export
    // (on shutdown, after the drain) waits on it.
    collector = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const s of held) s.destroy();
    await new Promise((resolve) => collector.close(resolve));
  });

  it('exits after SHUTDOWN_TIMEOUT_MS plus the grace, with a warning, when closing hangs', async () => {
    const address = collector.address();
    const collectorPort = typeof address === 'object' && address !== null ? address.port : 0;
    const shutdownMs = 300;
    const gateway = startCompiled({
      ...upstreams(),
      SHUTDOWN_TIMEOUT_MS: String(shutdownMs),
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collectorPort}`,
    });
    const port = await listening(gateway);
    // Spans waiting in the batch processor, so the shutdown has something to export.
    await query(port, '{ users(accountId: "1001", first: 1) { totalCount } }');
    const signalled = Date.now();
    gateway.child.kill('SIGTERM');
    const exit = await Promise.race([
      gateway.exited,
      new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 8_000)),
    ]);
    expect(exit).toEqual({ code: 1, signal: null });
    const took = Date.now() - signalled;
    expect(took).toBeGreaterThanOrEqual(shutdownMs + SHUTDOWN_GRACE_MS - 100);
    expect(took).toBeLessThan(shutdownMs + SHUTDOWN_GRACE_MS + 3_000);
    expect(gateway.stdout()).toContain('shutdown bound reached');
    expect(gateway.stdout()).not.toContain('"msg":"stopped"');
  }, 30_000);
});
