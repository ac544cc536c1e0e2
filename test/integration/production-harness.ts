// Processes as a supervisor sees them: the compiled gateway started by `npm start` or by the image's
// command, its output, its exit, and whether any process of it is left.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, rm, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const run = promisify(execFile);

/**
 * Compiles dist/ when it is missing or stale (scripts/build-if-stale.sh, as `npm start` does).
 * Test files run in parallel processes: a directory lock keeps two of them from building at once.
 */
export async function ensureBuilt(): Promise<void> {
  const lock = `${ROOT}dist.build-lock`;
  const end = Date.now() + 180_000;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      // A lock older than any build is left over from a killed run.
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > 170_000) await rm(lock, { recursive: true, force: true });
      if (Date.now() > end) throw new Error('dist/ build lock not released');
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    await run('sh', ['scripts/build-if-stale.sh'], { cwd: ROOT, timeout: 170_000 });
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

export interface Proc {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: Proc[] = [];

/** Kills whatever a failed test left running (the gateway's own pid too, read from its log). */
export function killLeftovers(): void {
  for (const p of started.splice(0)) {
    for (const pid of [p.child.pid, ...gatewayPids(p.stdout())]) {
      if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGKILL');
    }
  }
}

export function startProcess(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string | undefined> },
): Proc {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const proc: Proc = { child, stdout: () => stdout, stderr: () => stderr, exited };
  started.push(proc);
  return proc;
}

/** The environment of a test gateway: loopback, an OS-chosen port, no inherited upstream URLs. */
export function gatewayEnv(env: Record<string, string> = {}): Record<string, string | undefined> {
  const inherited: Record<string, string | undefined> = { ...process.env };
  for (const name of ['USERS_API_URL', 'VCARD_API_URL', 'NODE_ENV', 'SANDBOX', 'CURSOR_SECRET'])
    delete inherited[name];
  return { ...inherited, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env };
}

const LISTENING = /GraphQL and GraphiQL at http:\/\/127\.0\.0\.1:(\d+)\/graphql/;

/** Waits for the "listening" log line; the bound port. */
export async function listening(proc: Proc, timeoutMs = 60_000): Promise<number> {
  await until(() => LISTENING.test(proc.stdout()) || proc.child.exitCode !== null, timeoutMs);
  const port = LISTENING.exec(proc.stdout())?.[1];
  if (port === undefined)
    throw new Error(`gateway did not start:\n${proc.stdout()}\n${proc.stderr()}`);
  return Number(port);
}

/** The pids in the gateway's pino lines (the node process, whoever its parent is). */
export function gatewayPids(stdout: string): number[] {
  return [...new Set([...stdout.matchAll(/"pid":(\d+)/g)].map((m) => Number(m[1])))];
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function until(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Log lines (pino JSON) as objects; other lines are skipped. */
export function logLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export async function query(port: number, text: string): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: text }),
  });
  return res.json();
}
