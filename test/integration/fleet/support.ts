// What the fleet proof needs around the gateways: gateway processes (`node --import tsx
// src/main.ts`, as `npm start`), a redis-server on a fixed port (so that a restart comes back where
// the gateways look for it), an open-loop load generator and the windowed count of a request log.
import { fork, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { Pool } from 'undici';
import type { Fault, FaultOptions, LoggedRequest, RateLimit } from '../../../sandbox/index.js';
import type { Command, SimulatorName } from './simulators.js';

const ROOT = new URL('../../../', import.meta.url);

export interface GatewayProcess {
  child: ChildProcess;
  port: number;
  pool: Pool;
  output: () => string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const inherited = { ...process.env };
  for (const name of Object.keys(inherited)) {
    if (/^(USERS_API_|VCARD_API_|REDIS_URL|CACHE_TTL_MS|RATE_LIMIT_)/.test(name)) {
      delete inherited[name];
    }
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...inherited, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const listening = /GraphQL and GraphiQL at http:\/\/127\.0\.0\.1:(\d+)\/graphql/;
  const end = Date.now() + 30_000;
  while (!listening.test(stdout) && child.exitCode === null && Date.now() < end) await sleep(50);
  const port = Number(listening.exec(stdout)?.[1] ?? NaN);
  if (Number.isNaN(port)) {
    child.kill('SIGKILL');
    throw new Error(`gateway did not start:\n${stdout}\n${stderr}`);
  }
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 128 });
  return {
    child,
    port,
    pool,
    output: () => stdout,
    async kill(signal = 'SIGKILL') {
      await pool.destroy().catch(() => undefined);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    },
  };
}

export interface QueryResult {
  /** HTTP status, or 0 when the connection failed. */
  status: number;
  codes: string[];
  /** The first error's message, for the report. */
  message?: string;
  ms: number;
}

export async function query(
  gateway: GatewayProcess,
  document: string,
  headers: Record<string, string> = {},
): Promise<QueryResult> {
  const started = Date.now();
  try {
    const res = await gateway.pool.request({
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify({ query: document }),
    });
    const body = (await res.body.json()) as {
      errors?: { message?: string; extensions?: { code?: string } }[];
    };
    const codes = (body.errors ?? []).map((e) => e.extensions?.code ?? 'NONE');
    const message = body.errors?.[0]?.message;
    return {
      status: res.statusCode,
      codes,
      ...(message === undefined ? {} : { message }),
      ms: Date.now() - started,
    };
  } catch {
    return { status: 0, codes: ['CONNECTION'], ms: Date.now() - started };
  }
}

export async function metric(gateway: GatewayProcess, line: RegExp): Promise<number | undefined> {
  const res = await gateway.pool.request({ method: 'GET', path: '/metrics' });
  const text = await res.body.text();
  const found = text.split('\n').find((l) => line.test(l));
  return found === undefined ? undefined : Number(found.split(' ').pop());
}

/**
 * Sends `perSecond` queries per second for `seconds`, open loop (a slow answer does not slow the
 * offer), round-robin over `gateways`; `make(i)` gives the i-th query and its headers.
 */
export async function offer(
  gateways: GatewayProcess[],
  perSecond: number,
  seconds: number,
  make: (i: number) => { document: string; headers?: Record<string, string> },
): Promise<(QueryResult & { gateway: number })[]> {
  const pending: Promise<QueryResult & { gateway: number }>[] = [];
  const started = Date.now();
  const total = Math.round(perSecond * seconds);
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / perSecond;
    const now = Date.now();
    if (due > now) await sleep(due - now);
    const g = i % gateways.length;
    const gateway = gateways[g];
    if (gateway === undefined) continue;
    const { document, headers } = make(i);
    pending.push(query(gateway, document, headers).then((r) => ({ ...r, gateway: g })));
  }
  return Promise.all(pending);
}

/** The most of `times` (ms) within any window of `windowMs`, wherever it starts. */
export function maxInAnyWindow(times: number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last++) {
    const end = sorted[last] ?? 0;
    while ((sorted[first] ?? end) <= end - windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

export interface RedisProcess {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  client(): Redis;
}

export function redisOnPort(port: number): RedisProcess {
  let child: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;
  return {
    url,
    port,
    async start() {
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      );
      for (let i = 0; i < 400; i++) {
        const probe = new Redis(port, '127.0.0.1', {
          lazyConnect: true,
          retryStrategy: () => null,
        });
        probe.on('error', () => undefined);
        try {
          await probe.connect();
          await probe.ping();
          return;
        } catch {
          await sleep(25);
        } finally {
          probe.disconnect();
        }
      }
      throw new Error('redis-server did not start');
    },
    async stop() {
      const c = child;
      if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((resolve) => c.once('exit', resolve));
      c.kill('SIGKILL');
      await exited;
    },
    client() {
      const c = new Redis(port, '127.0.0.1');
      c.on('error', () => undefined);
      return c;
    },
  };
}

/** One simulator of the child process, asked over IPC (the same questions as a SimulatorHandle). */
export interface RemoteSimulator {
  url: string;
  reset(): Promise<void>;
  log(): Promise<LoggedRequest[]>;
  injectFault(fault: Fault, options?: FaultOptions): Promise<void>;
  setLatency(ms: number): Promise<void>;
  setRateLimit(limit: RateLimit | undefined): Promise<void>;
}

export interface SimulatorsProcess {
  users: RemoteSimulator;
  vcard: RemoteSimulator;
  /** Two users of account 1001 that have a vCard. */
  userIds: string[];
  close(): Promise<void>;
}

interface Ready {
  ready: true;
  users: string;
  vcard: string;
  userIds: string[];
}

/** Both simulators in a process of their own (simulators.ts). */
export async function startSimulators(): Promise<SimulatorsProcess> {
  const child = fork(new URL('./simulators.ts', import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  const ready = new Promise<Ready>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`simulators exited (${String(code)})`)));
    child.on('message', (message: { id?: number; result?: unknown } | Ready) => {
      if ('ready' in message) resolve(message);
      else if (message.id !== undefined) {
        waiting.get(message.id)?.(message.result);
        waiting.delete(message.id);
      }
    });
  });
  const ask = (command: Command): Promise<unknown> =>
    new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      child.send({ id, command });
    });
  const started = await ready;
  const remote = (upstream: SimulatorName): RemoteSimulator => ({
    url: started[upstream],
    reset: async () => void (await ask({ op: 'reset', upstream })),
    log: async () => (await ask({ op: 'log', upstream })) as LoggedRequest[],
    injectFault: async (fault, options = {}) =>
      void (await ask({ op: 'fault', upstream, fault, options })),
    setLatency: async (ms) => void (await ask({ op: 'latency', upstream, ms })),
    setRateLimit: async (limit) => void (await ask({ op: 'rate', upstream, limit })),
  });
  return {
    users: remote('users'),
    vcard: remote('vcard'),
    userIds: started.userIds,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
