// Starts each system under test in its own process (so CPU time and RSS are its own), on
// loopback, pointed at the shared simulators.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayBuild } from './build.js';
import { LIST_ACCOUNT } from './dataset.js';
import type { SystemSpec } from './kinds.js';
import { processTree } from './proc.js';
import { ROOT } from './results.js';

export const LOG_DIR = join(tmpdir(), 'bench-gateway-logs');

/**
 * Environment of every system. Production mode everywhere (no GraphiQL, introspection off where
 * the system supports it), service tokens for the upstreams (the simulators accept any), and the
 * gateway's cross-request cache off: the benchmark measures upstream round trips, which a cache
 * would hide.
 */
export function baseEnv(upstream: { users: string; vcard: string }): Record<string, string> {
  const inherited: Record<string, string> = {};
  // Nothing else from the caller's environment (REDIS_URL, NODE_OPTIONS, …) leaks into a system.
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG']) {
    const value = process.env[name];
    if (value !== undefined) inherited[name] = value;
  }
  return {
    ...inherited,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    USERS_API_URL: upstream.users,
    VCARD_API_URL: upstream.vcard,
    USERS_API_TOKEN: 'bench',
    VCARD_API_TOKEN: 'bench',
    CACHE_TTL_MS: '0',
  };
}

export interface RunningSystem extends SystemSpec {
  pid: number;
  url: string;
  logFile: string;
  /** The command line of the process and its descendants. */
  processTree: string[];
  stop(): Promise<void>;
}

function command(spec: SystemSpec, build: GatewayBuild): string[] {
  switch (spec.kind) {
    case 'ours':
      return [...build.nodeFlags, build.gatewayEntry];
    case 'yoga':
      return [build.compiled('bench/floors/yoga.ts')];
    case 'raw':
      return [build.compiled('bench/floors/raw.ts')];
    case 'naive':
      return [build.compiled('bench/naive/server.ts')];
    case 'mesh':
      // Its dependencies live in bench/node_modules only; loaded as TypeScript through tsx.
      return ['--import', 'tsx', 'bench/mesh/server.ts'];
  }
}

/** A request every system answers once it serves (the raw floor speaks no GraphQL). */
function probeBody(spec: SystemSpec): string {
  return spec.kind === 'raw'
    ? JSON.stringify({ accountId: LIST_ACCOUNT, first: 1 })
    : JSON.stringify({ query: '{ __typename }' });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startSystem(
  spec: SystemSpec,
  env: Record<string, string>,
  build: GatewayBuild,
): Promise<RunningSystem> {
  const port = await freePort();
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = join(LOG_DIR, `${spec.id}.log`);
  const out = openSync(logFile, 'w');
  const child = spawn(spec.node.path, command(spec, build), {
    cwd: ROOT,
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', out, out],
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  await waitUntilServing(child, url, probeBody(spec), logFile, spec.id);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${spec.id} did not start`);
  return {
    ...spec,
    pid,
    url,
    logFile,
    // Paths shown from the repository root: the report is the same on every checkout.
    processTree: processTree(pid).map((line) => line.replaceAll(ROOT, '')),
    stop: () => stopChild(child),
  };
}

async function waitUntilServing(
  child: ChildProcess,
  url: string,
  body: string,
  logFile: string,
  name: string,
): Promise<void> {
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + 120_000;
  // A system that answers, but not with success, is broken rather than slow: 20 such answers.
  let refusals = 0;
  while (Date.now() < deadline) {
    if (exited) {
      throw new Error(`${name} exited during start-up:\n${tail(logFile)}`);
    }
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body,
      });
      if (response.ok) return;
      if (++refusals >= 20) {
        child.kill('SIGKILL');
        const answer = (await response.text()).slice(0, 300);
        throw new Error(`${name} answers HTTP ${response.status} (${answer}):\n${tail(logFile)}`);
      }
    } catch (error) {
      if (refusals >= 20) throw error;
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not answer within 120 s:\n${tail(logFile)}`);
}

export function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '(no log)';
  }
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
