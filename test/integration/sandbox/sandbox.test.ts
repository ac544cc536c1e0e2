// startSandbox: the shape src/main.ts and the test harness rely on, one dataset behind both
// simulators, and per-simulator options.
import { describe, expect, it } from 'vitest';
import { createDataset } from '../../../sandbox/data.js';
import { startSandbox } from '../../../sandbox/index.js';

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
