// Structured logs, captured at debug level: every line is JSON and carries the id of the request it
// was written for (the X-Request-ID the client got back and the upstreams received), and no line
// holds a credential or the personal data of the users served.
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness } from '../support/harness.js';
import type { Harness } from '../support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

interface LogLine {
  level: number;
  requestId?: string;
  msg?: string;
  [key: string]: unknown;
}

const parse = (lines: string[]): LogLine[] => lines.map((line) => JSON.parse(line) as LogLine);

const upstreamRequests = (harness: Harness) => [
  ...harness.sandbox.users.log,
  ...harness.sandbox.vcard.log,
];

const LIST = `query Directory($email: String) {
  users(accountId: "1001", first: 12) {
    nodes {
      userId firstName lastName email loginName contactNumbers { value }
      extensions { dids { phoneNumber } }
      vcard { formattedName emails phones { number } }
    }
  }
  byEmail: users(accountId: "1001", filter: { email: $email }) { totalCount }
  unknown: user(accountId: "1001", userId: "1") { userId }
}`;

interface Listed {
  userId: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  loginName: string | null;
  contactNumbers: { value: string }[];
  extensions: { dids: { phoneNumber: string }[] }[];
  vcard: { formattedName: string | null; emails: string[]; phones: { number: string }[] } | null;
}

/** Names, emails, login names and phone numbers (short internal extensions left out). */
function personalData(users: Listed[]): string[] {
  const values = users.flatMap((u) => [
    u.firstName,
    u.lastName,
    u.email,
    u.loginName,
    ...u.contactNumbers.map((c) => c.value),
    ...u.extensions.flatMap((e) => e.dids.map((d) => d.phoneNumber)),
    u.vcard?.formattedName,
    ...(u.vcard?.emails ?? []),
    ...(u.vcard?.phones ?? []).map((p) => p.number),
  ]);
  return [...new Set(values)].filter((v): v is string => typeof v === 'string' && v.length >= 4);
}

describe('logs', () => {
  it('carry the request id on every line, and no credential or personal data', async () => {
    h = await startHarness();
    const ids = (
      (await h.gql(`{ users(accountId: "1001", first: 12) { nodes { userId } } }`)).data?.[
        'users'
      ] as { nodes: { userId: string }[] }
    ).nodes.map((n) => n.userId);
    h.resetCalls();
    h.logs.length = 0;
    // A retried list, a failing vCard and an unknown user: warn and debug lines as well.
    h.sandbox.users.injectFault(
      { kind: 'status', status: 503 },
      { times: 1, match: /\/accounts\/1001\/users$/ },
    );
    h.sandbox.vcard.injectFault(
      { kind: 'status', status: 500 },
      { times: 1, match: new RegExp(`/users/${ids[3]}/vcard$`) },
    );
    const res = await h.gql(
      LIST,
      { email: 'john.smith@example.com' },
      {
        authorization: 'Bearer obs-secret-users-token',
        'x-auth-token': 'obs-secret-vcard-token',
        'x-request-id': 'obs-req-1',
      },
    );
    expect(res.headers.get('x-request-id')).toBe('obs-req-1');
    expect(res.errors?.map((e) => e.extensions?.['code'])).toEqual(['UPSTREAM_ERROR']);

    // The same id reached both upstreams on every request, retries included.
    const sent = upstreamRequests(h);
    expect(sent.length).toBe(1 + 1 + 12 + 1 + 1);
    for (const r of sent) expect(r.headers['x-request-id']).toBe('obs-req-1');

    const lines = parse(h.logs);
    for (const line of lines) expect(line.requestId, JSON.stringify(line)).toBe('obs-req-1');
    const messages = lines.map((l) => l.msg);
    expect(messages).toContain('upstream attempt failed');
    expect(messages).toContain('upstream answered a client error');
    const summary = lines.filter((l) => l.msg === 'graphql operation');
    expect(summary).toEqual([
      expect.objectContaining({
        operation: 'Directory',
        outcome: 'partial',
        upstreamAttempts: sent.length,
      }),
    ]);

    const users = (res.data?.['users'] as { nodes: Listed[] }).nodes;
    const personal = personalData(users);
    expect(personal.length).toBeGreaterThan(40);
    const everything = h.logs.join('\n');
    for (const secret of ['obs-secret-users-token', 'obs-secret-vcard-token', ...personal]) {
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(JSON.stringify(secret).slice(1, -1));
    }
  });

  it('a request without a usable X-Request-ID gets a generated one, in the answer, the logs and upstream', async () => {
    h = await startHarness();
    h.sandbox.users.injectFault({ kind: 'status', status: 503 }, { times: 1 });
    const injected = 'evil\nid {"level":60}';
    const res = await h.gql(`{ users(accountId: "1001", first: 1) { totalCount } }`, undefined, {
      'x-request-id': encodeURIComponent(injected),
    });
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(upstreamRequests(h).map((r) => r.headers['x-request-id'])).toEqual([id, id]);
    const lines = parse(h.logs);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.requestId).toBe(id);
    expect(h.logs.join('')).not.toContain('evil');
  });

  it('concurrent requests each log under their own id', async () => {
    h = await startHarness();
    h.sandbox.users.latencyMs = 20;
    h.sandbox.users.injectFault(
      { kind: 'status', status: 503 },
      { times: 1, match: /\/accounts\/1002\/users$/ },
    );
    h.sandbox.users.injectFault(
      { kind: 'status', status: 502 },
      { times: 1, match: /\/accounts\/1003\/users$/ },
    );
    await Promise.all([
      h.gql(`{ users(accountId: "1002") { totalCount } }`, undefined, { 'x-request-id': 'req-a' }),
      h.gql(`{ users(accountId: "1003") { totalCount } }`, undefined, { 'x-request-id': 'req-b' }),
    ]);
    const failed = parse(h.logs).filter((l) => l.msg === 'upstream attempt failed');
    expect(failed.map((l) => [l.requestId, l['status']]).sort()).toEqual([
      ['req-a', 503],
      ['req-b', 502],
    ]);
  });
});
