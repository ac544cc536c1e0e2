// Starts each system under test in its own process (so CPU time and peak RSS are its own), on
// loopback, pointed at the shared simulators.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SystemName } from './queries.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const LOG_DIR = join(tmpdir(), 'bench-gateway-logs');

const ENTRY: Record<SystemName, string> = {
  // Exactly what `npm start` runs.
  ours: 'src/main.ts',
  naive: 'bench/naive/server.ts',
  mesh: 'bench/mesh/server.ts',
};

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

export interface RunningSystem {
  name: SystemName;
  pid: number;
  url: string;
  logFile: string;
  stop(): Promise<void>;
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
  name: SystemName,
  env: Record<string, string>,
): Promise<RunningSystem> {
  const port = await freePort();
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = join(LOG_DIR, `${name}.log`);
  const out = openSync(logFile, 'w');
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY[name]], {
    cwd: ROOT,
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', out, out],
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  await waitUntilServing(child, url, logFile, name);
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  return {
    name,
    pid: child.pid,
    url,
    logFile,
    stop: () => stopChild(child),
  };
}

async function waitUntilServing(
  child: ChildProcess,
  url: string,
  logFile: string,
  name: string,
): Promise<void> {
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (exited) {
      throw new Error(`${name} exited during start-up:\n${tail(logFile)}`);
    }
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      if (response.ok) return;
    } catch {
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
