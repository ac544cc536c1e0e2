// startSandbox: the shape src/main.ts and the test harness rely on, one dataset behind both
// simulators, and per-simulator options; sandboxConfig, the one recipe for running the gateway over
// it; and `npm run sandbox -- --require-auth`.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { createDataset } from '../../../sandbox/data.js';
import { SANDBOX_CREDENTIALS, sandboxConfig, startSandbox } from '../../../sandbox/index.js';

describe('startSandbox', () => {
  it('starts both simulators on loopback over one dataset, example account first', async () => {
    const sandbox = await startSandbox();
    try {
      expect(sandbox.accountIds).toEqual(['1001', '1002', '1003']);
      expect(sandbox.users.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(sandbox.vcard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(sandbox.users.url).not.toBe(sandbox.vcard.url);
      const [first] = sandbox.dataset.accounts.get('1001') ?? [];
      const user = (await (
        await fetch(`${sandbox.users.url}/accounts/1001/users/${first?.id}`)
      ).json()) as {
        _embedded: { data: { id: number } };
      };
      expect(user._embedded.data.id).toBe(first?.id);
      const card = await fetch(`${sandbox.vcard.url}/accounts/1001/users/${first?.id}/vcard`);
      expect(card.status).toBe(200);
    } finally {
      await sandbox.close();
    }
  });

  it('passes a given dataset, shared options and per-simulator options through', async () => {
    const dataset = createDataset({ seed: 3 });
    const sandbox = await startSandbox({
      dataset,
      latencyMs: 5,
      maxPageSize: 20,
      users: { requiredToken: 'u' },
      vcard: { requiredToken: 'v' },
    });
    try {
      expect(sandbox.dataset).toBe(dataset);
      expect(sandbox.users.latencyMs).toBe(5);
      expect(sandbox.vcard.latencyMs).toBe(5);
      const page = await fetch(`${sandbox.users.url}/accounts/1003/users?page_size=50`, {
        headers: { authorization: 'Bearer u' },
      });
      expect(((await page.json()) as { page_size: number }).page_size).toBe(20);
      expect((await fetch(`${sandbox.users.url}/accounts/1003/users`)).status).toBe(401);
      const id = dataset.accounts.get('1001')?.[0]?.id;
      const card = `${sandbox.vcard.url}/accounts/1001/users/${id}/vcard`;
      expect((await fetch(card)).status).toBe(401);
      expect((await fetch(card, { headers: { 'x-auth-token': 'v' } })).status).toBe(200);
    } finally {
      await sandbox.close();
    }
  });
});

describe('sandboxConfig', () => {
  const sandbox = { users: { url: 'http://127.0.0.1:1' }, vcard: { url: 'http://127.0.0.1:2' } };

  it('points both upstreams at the simulators with the service token "sandbox"', () => {
    const config = sandboxConfig(loadConfig({ PORT: '4100' }), sandbox);
    expect(config).toMatchObject({
      port: 4100,
      usersApiUrl: 'http://127.0.0.1:1',
      vcardApiUrl: 'http://127.0.0.1:2',
      usersApiToken: 'sandbox',
      vcardApiToken: 'sandbox',
    });
  });

  it('keeps the credentials the configuration gives, and adds no token next to an API key', () => {
    const tokens = sandboxConfig(
      loadConfig({ USERS_API_TOKEN: 'u', VCARD_API_TOKEN: 'v' }),
      sandbox,
    );
    expect(tokens).toMatchObject({ usersApiToken: 'u', vcardApiToken: 'v' });
    const keyed = sandboxConfig(loadConfig({ VCARD_API_KEY: 'k' }), sandbox);
    expect(keyed).toMatchObject({ usersApiToken: 'sandbox', vcardApiKey: 'k' });
    expect(keyed.vcardApiToken).toBeUndefined();
  });
});

describe('requireAuth', () => {
  it('startSandbox({ requireAuth: true }) turns credential checks on in both simulators', async () => {
    const sandbox = await startSandbox({ requireAuth: true });
    try {
      expect(sandbox.users.requireAuth).toBe(true);
      expect(sandbox.vcard.requireAuth).toBe(true);
      const list = (authorization: string) =>
        fetch(`${sandbox.users.url}/accounts/1001/users`, { headers: { authorization } });
      expect((await list('Bearer sandbox')).status).toBe(401);
    } finally {
      await sandbox.close();
    }
  });

  it('`npm run sandbox -- --require-auth` prints the seeded credentials and checks them', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'sandbox/main.ts', '--require-auth'],
      {
        env: { ...process.env, USERS_SIM_PORT: '0', VCARD_SIM_PORT: '0' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      let out = '';
      child.stdout.setEncoding('utf8');
      const ready = new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: string) => {
          out += chunk;
          if (out.includes('run the gateway against them')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      await ready;
      const { clientId, clientSecret } = SANDBOX_CREDENTIALS.users.clients[0];
      const vcardUser = SANDBOX_CREDENTIALS.vcard.users[0];
      for (const shown of [
        clientId,
        clientSecret,
        SANDBOX_CREDENTIALS.users.users[0].username,
        SANDBOX_CREDENTIALS.users.users[0].password,
        SANDBOX_CREDENTIALS.users.refreshTokens[0],
        vcardUser.username,
        vcardUser.accountName,
        SANDBOX_CREDENTIALS.vcard.apiKeys[0],
      ]) {
        expect(out).toContain(shown);
      }
      expect(out).toContain('credentials: REQUIRED');
      const tokenUrl = /OAuth2 token endpoint: (\S+)/.exec(out)?.[1] ?? '';
      const usersUrl = tokenUrl.replace(/\/oauth2\/token$/, '');
      const list = (authorization: string) =>
        fetch(`${usersUrl}/accounts/1001/users`, { headers: { authorization } });
      expect((await list('Bearer anything')).status).toBe(401);
      const token = await fetch(tokenUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      });
      const { access_token: accessToken } = (await token.json()) as { access_token: string };
      expect((await list(`Bearer ${accessToken}`)).status).toBe(200);
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  });
});

describe('the production path', () => {
  it('src/ loads the sandbox only through the dynamic import in main.ts', () => {
    const root = new URL('../../../src/', import.meta.url).pathname;
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.ts'),
    );
    expect(files.length).toBeGreaterThan(20);
    const loads: string[] = [];
    for (const file of files) {
      const text = readFileSync(join(root, file), 'utf8');
      for (const line of text.split('\n')) {
        // Type-only imports are erased from the JavaScript.
        if (/sandbox\//.test(line) && /\bimport\b/.test(line) && !/^import type /.test(line)) {
          loads.push(`${file}: ${line.trim()}`);
        }
      }
    }
    expect(loads).toEqual([
      "main.ts: const { sandboxConfig, startSandbox } = await import('../sandbox/index.js');",
    ]);
  });
});
