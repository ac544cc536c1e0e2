// Graceful shutdown of the real process (`src/main.ts` in a child process): on SIGTERM it stops
// accepting connections, /ready answers 503, the request in flight completes with its data, idle
// keep-alive connections are closed, and the process exits 0 without waiting for the drain bound.
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../sandbox/index.js';
import type { Sandbox } from '../../sandbox/index.js';
import { vcardFromDocument } from '../../src/vcard/from-document.js';
import {
  ROOT,
  gatewayEnv,
  killLeftovers,
  listening,
  startProcess,
  until,
} from './production-harness.js';

interface Gateway {
  child: ChildProcess;
  port: number;
  /** Everything the process wrote to stdout (pino JSON lines). */
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

afterEach(killLeftovers);

/**
 * `node --import tsx src/main.ts` on a port the OS picks: the drain logic straight from the
 * sources (the compiled `npm start` path is tested in production-process.test.ts). Upstream URLs
 * not given are removed from the environment (sandbox mode).
 */
async function startGateway(env: Record<string, string> = {}): Promise<Gateway> {
  const proc = startProcess(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: gatewayEnv(env),
  });
  const port = await listening(proc, 15_000);
  return { child: proc.child, port, output: proc.stdout, exited: proc.exited };
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * A raw HTTP/1.1 connection, so the test decides exactly when each byte is sent and sees when the
 * server closes the connection.
 */
class Connection {
  readonly socket: Socket;
  private received = '';
  closed = false;
  readonly closedPromise: Promise<void>;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.setEncoding('utf8');
    this.socket.on('data', (chunk: string) => (this.received += chunk));
    this.socket.on('error', () => {});
    this.closedPromise = new Promise((resolve) =>
      this.socket.once('close', () => {
        this.closed = true;
        resolve();
      }),
    );
  }

  static async open(port: number): Promise<Connection> {
    const connection = new Connection(port);
    await new Promise<void>((resolve, reject) => {
      connection.socket.once('connect', resolve);
      connection.socket.once('error', reject);
    });
    return connection;
  }

  write(text: string): void {
    this.socket.write(text);
  }

  /** Everything received and not yet taken by response(). */
  text(): string {
    return this.received;
  }

  /** The next complete response (content-length framed; chunked bodies are not decoded). */
  async response(): Promise<RawResponse> {
    await until(() => complete(this.received) !== undefined || this.closed, 15_000);
    const parsed = complete(this.received);
    if (parsed === undefined) throw new Error(`connection closed after: ${this.received}`);
    this.received = this.received.slice(parsed.length);
    return parsed.response;
  }
}

function complete(text: string): { response: RawResponse; length: number } | undefined {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  const bodyBytes = Buffer.from(text.slice(end + 4));
  if (bodyBytes.length < length) return undefined;
  const body = bodyBytes.subarray(0, length).toString();
  return {
    response: { status: Number(statusLine.split(' ')[1]), headers, body },
    length: end + 4 + body.length,
  };
}

function post(query: string, accept = 'application/json'): string {
  const body = JSON.stringify({ query });
  return (
    'POST /graphql HTTP/1.1\r\nhost: gateway\r\ncontent-type: application/json\r\n' +
    `accept: ${accept}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

function refused(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('accepted');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

describe('SIGTERM with a request in flight (upstreams configured)', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  it('refuses new connections, answers /ready 503, finishes the request, closes idle connections and exits 0', async () => {
    const gateway = await startGateway({
      USERS_API_URL: sandbox.users.url,
      VCARD_API_URL: sandbox.vcard.url,
      USERS_API_TOKEN: 'svc',
      VCARD_API_TOKEN: 'svc',
    });
    const { port } = gateway;
    const records = sandbox.dataset.accounts.get('1001') ?? [];
    const names = records.slice(0, 2).map((r) => r.user.first_name);
    const carded = records.find((r) => r.vcardFormat === 'application/json');
    const formattedName = carded && vcardFromDocument(carded.document).formattedName;

    // A keep-alive connection that has been used and is idle when the signal comes.
    const idle = await Connection.open(port);
    idle.write('GET /ready HTTP/1.1\r\nhost: gateway\r\n\r\n');
    expect((await idle.response()).status).toBe(200);

    // A connection whose /ready request is only half sent when the signal comes.
    const probe = await Connection.open(port);
    probe.write('GET /ready HTTP/1.1\r\nhost: gateway\r\n');

    // The request in flight: the users API holds its answer until the test releases it.
    let release = (): void => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    sandbox.users.injectFault({ kind: 'until', until: held }, { match: /\/users$/ });
    const slow = await Connection.open(port);
    slow.write(post('{ users(accountId: "1001", first: 2) { nodes { firstName } } }'));
    await until(() => sandbox.users.inFlight === 1);

    // A @defer stream whose headers and first part went out before the signal; its vCard is held.
    let releaseCard = (): void => {};
    const heldCard = new Promise<void>((resolve) => (releaseCard = resolve));
    sandbox.vcard.injectFault({ kind: 'until', until: heldCard });
    const stream = await Connection.open(port);
    stream.write(
      post(
        `{ user(accountId: "1001", userId: "${carded?.id}") { firstName ... @defer { vcard { formattedName } } } }`,
        'multipart/mixed',
      ),
    );
    await until(() => stream.text().includes('"firstName"') && sandbox.vcard.inFlight === 1);
    expect(stream.text()).toMatch(/^HTTP\/1\.1 200 /);

    gateway.child.kill('SIGTERM');
    await until(() => gateway.output().includes('draining'));

    expect(await refused(port)).toBe('ECONNREFUSED');
    await idle.closedPromise;

    probe.write('\r\n');
    const ready = await probe.response();
    expect(ready.status).toBe(503);
    expect(ready.headers['connection']).toBe('close');

    // The drain waits for them: the process is still there, their connections open.
    expect(gateway.child.exitCode).toBeNull();
    expect(slow.closed).toBe(false);
    expect(stream.closed).toBe(false);
    releaseCard();
    // The stream ends with its deferred part; its connection is closed once it is idle.
    await stream.closedPromise;
    expect(stream.text()).toContain(`"formattedName":${JSON.stringify(formattedName)}`);
    release();
    const answer = await slow.response();
    expect(answer.status).toBe(200);
    expect(answer.headers['connection']).toBe('close');
    expect(JSON.parse(answer.body)).toEqual({
      data: { users: { nodes: names.map((firstName) => ({ firstName })) } },
    });

    expect(await gateway.exited).toEqual({ code: 0, signal: null });
    expect(gateway.output()).toContain('"msg":"stopped"');
    // Every connection ended by itself: the drain never needed its bound.
    expect(gateway.output()).not.toContain('drain bound reached');
  });
});

describe('SIGTERM with a request that outlives the drain bound', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  it('cuts it after SHUTDOWN_TIMEOUT_MS, abandons its upstream call and exits 0', async () => {
    const gateway = await startGateway({
      USERS_API_URL: sandbox.users.url,
      VCARD_API_URL: sandbox.vcard.url,
      USERS_API_TOKEN: 'svc',
      VCARD_API_TOKEN: 'svc',
      SHUTDOWN_TIMEOUT_MS: '300',
      // Nothing else would end the request: only the bound does.
      UPSTREAM_TIMEOUT_MS: '600000',
      REQUEST_DEADLINE_MS: '600000',
    });
    let release = (): void => {};
    sandbox.users.injectFault(
      { kind: 'until', until: new Promise<void>((resolve) => (release = resolve)) },
      { match: /\/users$/ },
    );
    const stuck = await Connection.open(gateway.port);
    stuck.write(post('{ users(accountId: "1001", first: 2) { nodes { firstName } } }'));
    await until(() => sandbox.users.inFlight === 1);

    gateway.child.kill('SIGTERM');
    // Exiting needs the upstream pool closed, which waits for calls in flight: the cut connection
    // must have aborted the held call, or the process would never get there.
    expect(await gateway.exited).toEqual({ code: 0, signal: null });
    expect(gateway.output()).toContain('drain bound reached');
    await stuck.closedPromise;
    expect(stuck.text()).toBe('');
    release();
  });
});

describe('SIGTERM in sandbox mode', () => {
  it('serves the built-in simulators, then stops them and exits 0', async () => {
    const gateway = await startGateway();
    const base = `http://127.0.0.1:${gateway.port}`;
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: '{ users(accountId: "1001", first: 1) { totalCount } }' }),
    });
    expect(await res.json()).toEqual({ data: { users: { totalCount: 12 } } });
    const sandboxLine = gateway
      .output()
      .split('\n')
      .find((line) => line.includes('sandbox mode'));
    const { usersApi, vcardApi } = JSON.parse(sandboxLine ?? '{}') as Record<string, string>;
    expect(usersApi).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toEqual({ code: 0, signal: null });
    expect(gateway.output()).toContain('"msg":"stopped"');
    for (const url of [base, usersApi, vcardApi]) {
      expect(await refused(Number(new URL(url ?? '').port))).toBe('ECONNREFUSED');
    }
  });
});
