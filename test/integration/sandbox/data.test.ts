// The seeded dataset: determinism, the hand-picked example account, special users and mutations.
import { describe, expect, it } from 'vitest';
import {
  createDataset,
  createLargeAccount,
  deleteUsers,
  findUser,
  insertUsers,
  mulberry32,
  usersWithVcardFormat,
  vcardFormatForOrdinal,
} from '../../../sandbox/data.js';

describe('mulberry32', () => {
  it('is deterministic and stays in [0, 1)', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const values = Array.from({ length: 1000 }, () => a());
    expect(values).toEqual(Array.from({ length: 1000 }, () => b()));
    for (const v of values) expect(v >= 0 && v < 1).toBe(true);
    expect(new Set(values).size).toBeGreaterThan(990);
  });
});

describe('createDataset', () => {
  it('is deterministic: the same seed gives deep-equal datasets, another seed does not', () => {
    expect(createDataset({ seed: 5 })).toEqual(createDataset({ seed: 5 }));
    expect(createDataset()).toEqual(createDataset());
    const other = createDataset({ seed: 6 });
    expect(other.accounts.get('1003')).not.toEqual(createDataset({ seed: 5 }).accounts.get('1003'));
  });

  it('has the default accounts, with 1001 first', () => {
    const dataset = createDataset();
    expect([...dataset.accounts.keys()]).toEqual(['1001', '1002', '1003']);
    expect(dataset.accounts.get('1001')).toHaveLength(12);
    expect(dataset.accounts.get('1002')).toHaveLength(0);
    expect(dataset.accounts.get('1003')).toHaveLength(350);
  });

  it('hand-picks the awkward cases into 1001', () => {
    const users = createDataset().accounts.get('1001') ?? [];
    const names = users.map((u) => `${u.user.first_name ?? ''} ${u.user.last_name ?? ''}`);
    expect(names).toContain('Zoë Åkesson');
    expect(names.some((n) => n.includes('Smith, Jr.'))).toBe(true);
    expect(names.some((n) => n.includes(';'))).toBe(true);
    expect(names.some((n) => n.includes('\\'))).toBe(true);
    expect(users.some((u) => u.document.profile.note?.includes('\n'))).toBe(true);
    expect(
      users.some((u) => u.user.first_name === undefined && u.user.last_name === undefined),
    ).toBe(true);
    expect(users.some((u) => Object.keys(u.document.profile).length === 0)).toBe(true);
    expect(users[0]?.user).toMatchObject({ id: 869048, login_name: 'jsmith', first_name: 'John' });
  });

  it('gives unique ids across accounts, 0-3 contacts, extensions and DIDs', () => {
    const dataset = createDataset();
    const all = [...dataset.accounts.values()].flat();
    expect(new Set(all.map((u) => u.id)).size).toBe(all.length);
    for (const u of all) {
      expect(u.user.contact_numbers.length).toBeLessThanOrEqual(3);
      expect(u.user.extensions.length).toBeLessThanOrEqual(3);
      for (const c of u.user.contact_numbers) expect(['Home', 'Mobile', 'Work']).toContain(c.type);
      for (const e of u.user.extensions) expect(e.dids.length).toBeLessThanOrEqual(3);
    }
    const dids = all.flatMap((u) => u.user.extensions.flatMap((e) => e.dids));
    expect(dids.some((d) => d.custom_tag === undefined)).toBe(true);
    expect(dids.some((d) => d.custom_tag !== undefined)).toBe(true);
  });

  it('derives full vcard documents, with secrets, from the user', () => {
    const dataset = createDataset();
    const user = dataset.accounts.get('1001')?.[0];
    expect(user?.document).toMatchObject({
      first_name: 'John',
      last_name: 'Smith',
      email: 'john.smith@example.com',
      password: `sandbox-secret-${user?.id}`,
      caller_id: { internal: { number: '789' }, external: { number: '14155550100' } },
      call_recording: { any: { any: { url: `http://recordings.example.com/${user?.id}` } } },
      timezone: 'America/Los_Angeles',
    });
    expect(user?.document.voicemail).toBeDefined();
    expect(user?.document.metaflows).toBeDefined();
  });

  it('marks the special vcard users by ordinal: every 4th is text, 1 in 12 has none', () => {
    const dataset = createDataset();
    expect(usersWithVcardFormat(dataset, '1001', 'text/vcard').map((u) => u.ordinal)).toEqual([
      2, 10,
    ]);
    expect(usersWithVcardFormat(dataset, '1001', 'text/x-vcard').map((u) => u.ordinal)).toEqual([
      6,
    ]);
    expect(usersWithVcardFormat(dataset, '1001', null).map((u) => u.ordinal)).toEqual([5]);
    for (const u of dataset.accounts.get('1003') ?? []) {
      expect(u.vcardFormat).toBe(vcardFormatForOrdinal(u.ordinal));
    }
    expect(usersWithVcardFormat(dataset, '1003', null).length).toBe(29);
  });
});

describe('mutations', () => {
  it('createLargeAccount builds a big account alone, or inside a dataset with fresh unique ids', () => {
    const alone = createLargeAccount('2001', 1000);
    expect([...alone.accounts.keys()]).toEqual(['2001']);
    const users = alone.accounts.get('2001') ?? [];
    expect(users).toHaveLength(1000);
    expect(new Set(users.map((u) => u.user.login_name)).size).toBe(1000);
    expect(createLargeAccount('2001', 1000)).toEqual(alone);

    const dataset = createDataset();
    expect(createLargeAccount('2001', 500, 1, dataset)).toBe(dataset);
    const all = [...dataset.accounts.values()].flat();
    expect(all).toHaveLength(12 + 350 + 500);
    expect(new Set(all.map((u) => u.id)).size).toBe(all.length);
  });

  it('insertUsers and deleteUsers shift later users, deterministically', () => {
    const a = createDataset();
    const b = createDataset();
    const before = (a.accounts.get('1003') ?? []).map((u) => u.id);
    const added = insertUsers(a, '1003', 10, 3);
    insertUsers(b, '1003', 10, 3);
    expect(a).toEqual(b);
    const after = (a.accounts.get('1003') ?? []).map((u) => u.id);
    expect(after.slice(10, 13)).toEqual(added.map((u) => u.id));
    expect(after.slice(13)).toEqual(before.slice(10));
    const removed = deleteUsers(a, '1003', 0, 2);
    expect(removed.map((u) => u.id)).toEqual(before.slice(0, 2));
    expect(findUser(a, '1003', String(before[0]))).toBeUndefined();
    expect(findUser(a, '1003', String(added[0]?.id))).toBe(added[0]);
    expect(() => insertUsers(a, 'nope', 0, 1)).toThrow(/no account/);
  });
});
