// GraphiQL in a real browser: Debian's headless Chromium (driven by playwright-core) opens the
// gateway's /graphql on the sandbox, runs the prefilled example query, and the result pane shows
// the sandbox's users. Every request the page makes must stay on the gateway: it works offline.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createGateway } from '../../src/server.js';
import type { Gateway } from '../../src/server.js';
import { sandboxConfig, startSandbox } from '../../sandbox/index.js';
import type { Sandbox } from '../../sandbox/index.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
// docs/graphiql.png is refreshed on request (UPDATE_SCREENSHOT=1), so a test run leaves the
// checkout as it was; otherwise the screenshot goes to a temporary file and is checked there.
const SCREENSHOT =
  process.env['UPDATE_SCREENSHOT'] === '1'
    ? fileURLToPath(new URL('../../docs/graphiql.png', import.meta.url))
    : join(tmpdir(), `graphiql-${process.pid}.png`);

let sandbox: Sandbox;
let gateway: Gateway;
let server: ReturnType<typeof createServer>;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  }
  sandbox = await startSandbox();
  // As `npm start` runs in sandbox mode: service tokens, GraphiQL on.
  const config = sandboxConfig(loadConfig({}), sandbox);
  gateway = createGateway(config, { logger: pino({ level: 'silent' }) });
  server = createServer(gateway.yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // playwright starts it with a fresh, temporary profile.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await gateway?.close();
  await sandbox?.close();
});

it('runs the default query and shows the sandbox users, with no request leaving the machine', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const offsite: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) {
      return route.continue();
    }
    offsite.push(url);
    return route.abort();
  });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));

  await page.goto(`${origin}/graphql`);
  const run = page.locator('.graphiql-execute-button');
  await run.waitFor({ state: 'visible', timeout: 30_000 });
  // The editor is filled with the example query (account 1001, first: 5).
  await page.waitForFunction(
    () => document.querySelector('.graphiql-query-editor')?.textContent?.includes('UsersWithCards'),
    undefined,
    { timeout: 30_000 },
  );
  await run.click();

  const first = sandbox.dataset.accounts.get('1001')?.[0];
  expect(first).toBeDefined();
  const name = first?.user.first_name ?? '';
  expect(name).not.toBe('');
  await page.waitForFunction(
    (expected) => {
      const text = document.querySelector('.graphiql-response')?.textContent ?? '';
      return text.includes('"totalCount"') && text.includes(expected);
    },
    name,
    { timeout: 30_000 },
  );
  // Monaco renders spaces as no-break spaces.
  const shown = ((await page.locator('.graphiql-response').textContent()) ?? '').replace(
    /\u00a0/g,
    ' ',
  );
  expect(shown).toMatch(/"totalCount":\s*12/);
  expect(shown).toContain(`"firstName": "${name}"`);
  expect(shown).not.toContain('"errors"');

  await page.screenshot({ path: SCREENSHOT });
  const png = readFileSync(SCREENSHOT);
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  if (process.env['UPDATE_SCREENSHOT'] !== '1') rmSync(SCREENSHOT);
  expect(offsite).toEqual([]);
  expect(pageErrors).toEqual([]);
  await page.close();
}, 90_000);
