// The container image without a Docker engine: the same assembly script the Dockerfile's build
// stage runs (deploy/image-steps.sh) into a clean directory, then the Dockerfile's own CMD and
// HEALTHCHECK commands run there, with the image's environment, against simulated upstreams.
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startSandbox } from '../../sandbox/index.js';
import type { Sandbox } from '../../sandbox/index.js';
import {
  ROOT,
  alive,
  ensureBuilt,
  gatewayEnv,
  gatewayPids,
  killLeftovers,
  listening,
  query,
  startProcess,
} from './production-harness.js';

const run = promisify(execFile);
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

/** The exec-form array of the LAST stage's instruction (CMD, or HEALTHCHECK … CMD). */
function execForm(instruction: RegExp): string[] {
  const joined = dockerfile.replace(/\\\n\s*/g, ' ');
  const matches = [...joined.matchAll(instruction)];
  const last = matches.at(-1)?.[1];
  if (last === undefined) throw new Error(`no ${String(instruction)} in the Dockerfile`);
  return z.array(z.string()).nonempty().parse(JSON.parse(last));
}

/** ENV of the runtime stage, as `KEY=value` pairs. */
function runtimeEnv(): Record<string, string> {
  const stages = dockerfile.replace(/\\\n\s*/g, ' ').split(/^FROM /m);
  const runtime = stages.at(-1) ?? '';
  const env: Record<string, string> = {};
  for (const line of runtime.split('\n').filter((l) => l.startsWith('ENV '))) {
    for (const [, k, v] of line.slice(4).matchAll(/(\w+)=(\S+)/g)) if (k && v) env[k] = v;
  }
  return env;
}

describe('the Dockerfile', () => {
  it('builds on node:24-slim with an exact tag, runs node as PID 1 as a non-root user, exposes 4000', () => {
    const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const image of froms) expect(image).toMatch(/^node:24\.\d+\.\d+-slim$/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^EXPOSE 4000$/m);
    expect(dockerfile).toMatch(/sh deploy\/image-steps\.sh \/src \/app/);
    const cmd = execForm(/^CMD (\[.*\])$/gm);
    expect(cmd[0]).toBe('node');
    expect(cmd).toContain('--max-semi-space-size=32');
    expect(cmd.at(-1)).toBe('dist/src/main.js');
    expect(execForm(/^HEALTHCHECK .*?CMD (\[.*\])$/gm)).toEqual(['node', 'healthcheck.js']);
    expect(runtimeEnv()).toMatchObject({ NODE_ENV: 'production', PORT: '4000' });
  });

  it('uses the same node flags as npm start', () => {
    const start = z
      .object({ scripts: z.object({ start: z.string() }) })
      .parse(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))).scripts.start;
    expect(start).toContain(`exec ${execForm(/^CMD (\[.*\])$/gm).join(' ')}`);
  });
});

describe('the image recipe, run for real', () => {
  let app: string;
  let sandbox: Sandbox;
  beforeAll(async () => {
    await ensureBuilt();
    app = await mkdtemp(join(tmpdir(), 'gateway-image-'));
    await run('sh', [join(ROOT, 'deploy/image-steps.sh'), ROOT, app], { timeout: 240_000 });
    sandbox = await startSandbox();
  }, 300_000);
  afterAll(async () => {
    await sandbox.close();
    await rm(app, { recursive: true, force: true });
  });
  afterEach(killLeftovers);

  it('holds production dependencies and dist/ only', async () => {
    expect((await readdir(app)).sort()).toEqual([
      'dist',
      'healthcheck.js',
      'node_modules',
      'package-lock.json',
      'package.json',
    ]);
    const installed = await readdir(join(app, 'node_modules'));
    expect(installed).toContain('graphql-yoga');
    for (const devOnly of ['typescript', 'tsx', 'vitest', '@graphql-codegen', 'playwright-core'])
      expect(installed).not.toContain(devOnly);
  });

  it('serves /health, /ready and a query, passes its HEALTHCHECK, and exits 0 on SIGTERM', async () => {
    const [command = 'node', ...args] = execForm(/^CMD (\[.*\])$/gm);
    const shutdownMs = 2_000;
    const env = gatewayEnv({
      ...runtimeEnv(),
      PORT: '0',
      HOST: '127.0.0.1',
      USERS_API_URL: sandbox.users.url,
      VCARD_API_URL: sandbox.vcard.url,
      USERS_API_TOKEN: 'svc',
      VCARD_API_TOKEN: 'svc',
      CURSOR_SECRET: 'a-secret-of-enough-length-000000',
      SHUTDOWN_TIMEOUT_MS: String(shutdownMs),
    });
    const gateway = startProcess(command === 'node' ? process.execPath : command, args, {
      cwd: app,
      env,
    });
    const port = await listening(gateway);
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/ready`)).status).toBe(200);
    expect(await query(port, '{ users(accountId: "1001", first: 2) { totalCount } }')).toEqual({
      data: { users: { totalCount: 12 } },
    });
    // Production defaults of the image: no GraphiQL page, no introspection.
    const page = await fetch(`${base}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type') ?? '').not.toContain('text/html');

    const [hcCommand = 'node', ...hcArgs] = execForm(/^HEALTHCHECK .*?CMD (\[.*\])$/gm);
    const health = startProcess(hcCommand === 'node' ? process.execPath : hcCommand, hcArgs, {
      cwd: app,
      env: { ...env, PORT: String(port) },
    });
    expect(await health.exited).toEqual({ code: 0, signal: null });

    const [pid] = gatewayPids(gateway.stdout());
    const signalled = Date.now();
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(shutdownMs + 5_000);
    expect(alive(pid ?? 0)).toBe(false);
    expect(gateway.stdout()).toContain('"msg":"stopped"');

    // With the gateway gone the HEALTHCHECK fails.
    const down = startProcess(hcCommand === 'node' ? process.execPath : hcCommand, hcArgs, {
      cwd: app,
      env: { ...env, PORT: String(port) },
    });
    expect((await down.exited).code).toBe(1);
  }, 60_000);
});
