// The upstream clients (users, vcard) over their chains against the real simulators: DTO
// mapping, request encoding, 404 handling, content negotiation of vCards, body limits, truncated
// bodies and deadlines. End-to-end retry/breaker/credential behaviour is in test/e2e/resilience.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UpstreamError, codeOf } from '../../src/errors.js';
import { createDataset, startSandbox, usersWithVcardFormat } from '../../sandbox/index.js';
import type { Sandbox, UserRecord, VcardFormat } from '../../sandbox/index.js';
import { RequestScope } from '../../src/upstream/call.js';
import type { Call, Deadline } from '../../src/upstream/call.js';
import { noHooks } from '../../src/upstream/hooks.js';
import { createUpstreams } from '../../src/upstream/upstreams.js';
import type { Upstreams } from '../../src/upstream/upstreams.js';
import type { UsersClient } from '../../src/upstream/users-client.js';
import { singleUserDto, toUser, userDto, usersPageDto } from '../../src/upstream/users-schema.js';
import type { VcardClient } from '../../src/upstream/vcard-client.js';
import { userDocumentSchema } from '../../src/vcard/document.js';
import { vcardFromDocument } from '../../src/vcard/from-document.js';

const DOTTED_ACCOUNT = 'acme.eu';
const HTTP_OPTIONS = { maxConcurrency: 4, timeoutMs: 2000, maxBodyBytes: 1_000_000 };

let sandbox: Sandbox;
let upstreams: Upstreams;
let users: UsersClient;
let vcards: VcardClient;

beforeAll(async () => {
  sandbox = await startSandbox({
    dataset: createDataset({ accounts: { '1001': 'example', [DOTTED_ACCOUNT]: 3 } }),
  });
  upstreams = createUpstreams({
    usersApiUrl: sandbox.users.url,
    vcardApiUrl: sandbox.vcard.url,
    ...HTTP_OPTIONS,
    retry: { baseBackoffMs: 1 },
    hooks: noHooks,
  });
  users = upstreams.users;
  vcards = upstreams.vcards;
});

afterAll(async () => {
  await upstreams?.close();
  await sandbox?.close();
});

beforeEach(() => {
  sandbox.users.reset();
  sandbox.vcard.reset();
});

function call(
  overrides: { credential?: string | undefined; requestId?: string; deadline?: Deadline } = {},
): Call {
  const requestId = overrides.requestId ?? 'r1';
  const deadline = overrides.deadline ?? { at: Date.now() + 5000 };
  const credential = 'credential' in overrides ? overrides.credential : 'Bearer x';
  return {
    credential,
    credentialKey: credential ?? 'service',
    requestId,
    deadline,
    request: new RequestScope(requestId, Date.now(), deadline),
  };
}

/** The UpstreamError a promise rejects with (fails the test if it resolves or throws anything else). */
async function rejection(promise: Promise<unknown>): Promise<UpstreamError> {
  const outcome = await promise.then(
    (value) => ({ resolved: value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) {
    throw new Error(`expected a rejection, got ${JSON.stringify(outcome.resolved)}`);
  }
  expect(outcome.error).toBeInstanceOf(UpstreamError);
  return outcome.error as UpstreamError;
}

function records(accountId: string): UserRecord[] {
  const list = sandbox.dataset.accounts.get(accountId);
  if (list === undefined) throw new Error(`no account ${accountId}`);
  return list;
}

function vcardUser(format: VcardFormat | null, index = 0): UserRecord {
  const record = usersWithVcardFormat(sandbox.dataset, '1001', format)[index];
  if (record === undefined) throw new Error(`no ${String(format)} user in 1001`);
  return record;
}

/** A 200 JSON answer of the users API with this body, for the next request. */
function usersAnswer(body: unknown): void {
  sandbox.users.injectFault({ kind: 'status', status: 200, body: JSON.stringify(body) });
}

/** The users API's single-user envelope around `data`. */
function singleEnvelope(data: unknown) {
  return { page_size: 1, page: 1, total_pages: 1, total_items: 1, _embedded: { data } };
}

describe('users DTO -> domain (toUser)', () => {
  const raw = {
    id: 869048,
    email: 'john.smith@example.com',
    login_name: 'jsmith',
    first_name: 'John',
    last_name: null,
    password: 'must-be-stripped',
    contact_numbers: [
      { type: 'Home', value: 14155550100 },
      { type: 'Work', value: '+44 20 7946 0000' },
    ],
    extensions: [
      {
        extension_number: 789,
        dids: [
          { phone_number: 14155550100, custom_tag: 'My Tag' },
          { phone_number: '14155550101', custom_tag: null },
          { phone_number: '14155550102' },
        ],
      },
      { extension_number: '790', dids: null },
      { extension_number: '791' },
    ],
  };
  const expected = {
    accountId: '1001',
    userId: '869048',
    email: 'john.smith@example.com',
    loginName: 'jsmith',
    firstName: 'John',
    lastName: null,
    contactNumbers: [
      { type: 'Home', value: '14155550100' },
      { type: 'Work', value: '+44 20 7946 0000' },
    ],
    extensions: [
      {
        accountId: '1001',
        userId: '869048',
        number: '789',
        dids: [
          { phoneNumber: '14155550100', customTag: 'My Tag' },
          { phoneNumber: '14155550101', customTag: null },
          { phoneNumber: '14155550102', customTag: null },
        ],
      },
      { accountId: '1001', userId: '869048', number: '790', dids: [] },
      { accountId: '1001', userId: '869048', number: '791', dids: [] },
    ],
  };

  it('maps snake_case to camelCase, numbers to strings, missing tags to null, and strips unknown fields', () => {
    const user = toUser('1001', userDto.parse(raw));
    expect(user).toStrictEqual(expected);
    expect(JSON.stringify(user)).not.toContain('must-be-stripped');
  });

  it('turns null or missing arrays and names into [] and null', () => {
    expect(toUser('7', userDto.parse({ id: '12', contact_numbers: null }))).toStrictEqual({
      accountId: '7',
      userId: '12',
      email: null,
      loginName: null,
      firstName: null,
      lastName: null,
      contactNumbers: [],
      extensions: [],
    });
  });

  it('applies the same mapping to a body served over HTTP (getUser)', async () => {
    usersAnswer(singleEnvelope(raw));
    const user = await users.getUser('1001', '869048', call());
    expect(user).toStrictEqual(expected);
  });

  it('a page with `_embedded: null` is an empty page, not an error', async () => {
    usersAnswer({ page: 3, page_size: 10, total_items: 20, _embedded: null });
    const page = await users.listUsers(
      { accountId: '1001', page: 3, pageSize: 10, filter: {} },
      call(),
    );
    expect(page).toStrictEqual({ users: [], page: 3, pageSize: 10, totalItems: 20 });
  });

  it.each([
    [
      '_embedded.data is a string',
      'list',
      { page: 1, page_size: 10, total_items: 1, _embedded: { data: 'users' } },
    ],
    [
      'a listed user has no id',
      'list',
      { page: 1, page_size: 10, total_items: 1, _embedded: { data: [{ login_name: 'x' }] } },
    ],
    [
      'a listed user id is not numeric',
      'list',
      { page: 1, page_size: 10, total_items: 1, _embedded: { data: [{ id: 'abc' }] } },
    ],
    ['the envelope has no total_items', 'list', { page: 1, page_size: 10, _embedded: null }],
    ['the single user is a string', 'get', singleEnvelope('869048')],
    ['the single user has no id', 'get', singleEnvelope({ first_name: 'John' })],
    ['the single user is missing', 'get', { page: 1, page_size: 1, total_items: 1 }],
  ] as const)(
    'well-formed JSON that fails validation (%s) is malformed / UPSTREAM_ERROR',
    async (_name, operation, body) => {
      // The schemas themselves reject the body …
      const schema = operation === 'list' ? usersPageDto : singleUserDto;
      expect(schema.safeParse(body).success).toBe(false);
      // … and the client turns that into an UpstreamError, without echoing the body.
      usersAnswer(body);
      const error = await rejection(
        operation === 'list'
          ? users.listUsers({ accountId: '1001', page: 1, pageSize: 10, filter: {} }, call())
          : users.getUser('1001', '869048', call()),
      );
      expect(error.upstream).toBe('users');
      expect(error.failure).toEqual({ kind: 'malformed', status: 200 });
      expect(codeOf(error)).toBe('UPSTREAM_ERROR');
      expect(error.message).toBe('The users API sent a response the gateway cannot read.');
      // Not a retriable failure: exactly one request.
      expect(sandbox.users.log).toHaveLength(1);
    },
  );
});

describe('UsersClient.listUsers', () => {
  it('sends page, page_size and only the given filters, URL-encoded so they arrive unchanged', async () => {
    const filter = {
      firstName: 'Zoë & Åsa = "one", two',
      lastName: 'a/b#c?d%20e+f',
      email: 'x+y=z@example.com; q=1&r',
    };
    const page = await users.listUsers({ accountId: '1001', page: 2, pageSize: 5, filter }, call());
    const [request] = sandbox.users.log;
    expect(sandbox.users.log).toHaveLength(1);
    expect(request?.method).toBe('GET');
    expect(request?.path).toBe('/accounts/1001/users');
    expect(request?.query).toStrictEqual({
      page: '2',
      page_size: '5',
      first_name: filter.firstName,
      last_name: filter.lastName,
      email: filter.email,
    });
    // The filters matched nobody, but page and size came back from the upstream.
    expect(page).toStrictEqual({ users: [], page: 2, pageSize: 5, totalItems: 0 });
  });

  it('sends no filter parameters when the filter is empty', async () => {
    await users.listUsers({ accountId: '1001', page: 1, pageSize: 3, filter: {} }, call());
    expect(sandbox.users.log[0]?.query).toStrictEqual({ page: '1', page_size: '3' });
  });

  it('a unicode filter value reaches the upstream intact and filters there', async () => {
    const zoe = records('1001').find((r) => r.user.first_name === 'Zoë');
    const page = await users.listUsers(
      {
        accountId: '1001',
        page: 1,
        pageSize: 10,
        filter: { firstName: 'Zoë', lastName: 'Åkesson' },
      },
      call(),
    );
    expect(sandbox.users.log[0]?.query).toStrictEqual({
      page: '1',
      page_size: '10',
      first_name: 'Zoë',
      last_name: 'Åkesson',
    });
    expect(page.totalItems).toBe(1);
    expect(page.users.map((u) => u.userId)).toEqual([String(zoe?.id)]);
    expect(page.users[0]).toMatchObject({
      accountId: '1001',
      firstName: 'Zoë',
      lastName: 'Åkesson',
      loginName: 'zakesson',
      email: 'Zoe.Akesson@Example.com',
      extensions: [
        {
          number: '790',
          dids: [
            { phoneNumber: '4686001234', customTag: 'Stockholm office' },
            { phoneNumber: '4686001235', customTag: null },
          ],
        },
      ],
    });
  });

  it('maps the page the upstream answered (page 2 of size 5)', async () => {
    const page = await users.listUsers(
      { accountId: '1001', page: 2, pageSize: 5, filter: {} },
      call(),
    );
    expect(page.page).toBe(2);
    expect(page.pageSize).toBe(5);
    expect(page.totalItems).toBe(12);
    expect(page.users.map((u) => u.userId)).toEqual(
      records('1001')
        .slice(5, 10)
        .map((r) => String(r.id)),
    );
    // The reception user (ordinal 7) has no names: null, not undefined or ''.
    expect(page.users[2]).toMatchObject({
      firstName: null,
      lastName: null,
      loginName: 'reception',
    });
  });

  it('puts the account id in the path: a `.` arrives intact', async () => {
    const page = await users.listUsers(
      { accountId: DOTTED_ACCOUNT, page: 1, pageSize: 10, filter: {} },
      call(),
    );
    expect(sandbox.users.log[0]?.path).toBe(`/accounts/${DOTTED_ACCOUNT}/users`);
    expect(page.totalItems).toBe(3);
    expect(page.users.map((u) => u.accountId)).toEqual([
      DOTTED_ACCOUNT,
      DOTTED_ACCOUNT,
      DOTTED_ACCOUNT,
    ]);
    expect(page.users.map((u) => u.userId)).toEqual(
      records(DOTTED_ACCOUNT).map((r) => String(r.id)),
    );
  });

  it('percent-encodes path separators in the account id instead of changing the route', async () => {
    const error = await rejection(
      users.listUsers({ accountId: 'a/b c?d', page: 1, pageSize: 10, filter: {} }, call()),
    );
    expect(sandbox.users.log[0]?.path).toBe('/accounts/a%2Fb%20c%3Fd/users');
    expect(sandbox.users.log[0]?.query).toStrictEqual({ page: '1', page_size: '10' });
    // An unknown account on the list endpoint is an error (only getUser turns 404 into null).
    expect(error.failure).toEqual({ kind: 'status', status: 404 });
    expect(codeOf(error)).toBe('NOT_FOUND');
  });
});

describe('UsersClient.getUser', () => {
  it('returns the mapped user and sends Authorization and x-request-id as given', async () => {
    const record = records('1001')[0];
    if (record === undefined) throw new Error('empty account');
    const user = await users.getUser(
      '1001',
      String(record.id),
      call({ credential: 'Bearer abc.DEF-123', requestId: 'req-42.a_B' }),
    );
    expect(user).toStrictEqual({
      accountId: '1001',
      userId: String(record.id),
      email: 'john.smith@example.com',
      loginName: 'jsmith',
      firstName: 'John',
      lastName: 'Smith',
      contactNumbers: [{ type: 'Home', value: '14155550100' }],
      extensions: [
        {
          accountId: '1001',
          userId: String(record.id),
          number: '789',
          dids: [{ phoneNumber: '14155550100', customTag: 'My Tag' }],
        },
      ],
    });
    const [request] = sandbox.users.log;
    expect(request?.path).toBe(`/accounts/1001/users/${record.id}`);
    expect(request?.query).toStrictEqual({});
    expect(request?.headers['authorization']).toBe('Bearer abc.DEF-123');
    expect(request?.headers['x-request-id']).toBe('req-42.a_B');
    expect(request?.headers['accept']).toBe('application/json');
  });

  it('returns null on 404 (unknown user or unknown account), after one request each', async () => {
    expect(await users.getUser('1001', '1', call())).toBeNull();
    expect(await users.getUser('9999', String(records('1001')[0]?.id), call())).toBeNull();
    expect(sandbox.users.log.map((r) => r.status)).toEqual([404, 404]);
  });

  it('does not turn other error statuses into null', async () => {
    sandbox.users.injectFault({ kind: 'status', status: 403 });
    const error = await rejection(users.getUser('1001', String(records('1001')[0]?.id), call()));
    expect(error.failure).toEqual({ kind: 'status', status: 403 });
    expect(codeOf(error)).toBe('FORBIDDEN');
  });

  it('without a credential fails with missing-credentials before any request', async () => {
    const error = await rejection(users.getUser('1001', '869048', call({ credential: undefined })));
    expect(error.failure).toEqual({ kind: 'missing-credentials' });
    expect(codeOf(error)).toBe('UNAUTHENTICATED');
    expect(sandbox.users.log).toHaveLength(0);
  });
});

describe('VcardClient.getVcard', () => {
  // it.each needs its rows when the file is collected, before the sandbox starts: the same seed
  // gives the same example account, and rows carry ordinals to find the records of the sandbox.
  const example = createDataset({ accounts: { '1001': 'example' } });
  const textUsers = [
    ...usersWithVcardFormat(example, '1001', 'text/vcard'),
    ...usersWithVcardFormat(example, '1001', 'text/x-vcard'),
  ].map((r) => [`${r.user.login_name} (${String(r.vcardFormat)})`, r.ordinal] as const);

  it('the example account has JSON, text/vcard, text/x-vcard and no-vcard users', () => {
    expect(textUsers.length).toBeGreaterThanOrEqual(2);
    for (const format of ['application/json', 'text/vcard', 'text/x-vcard', null] as const) {
      expect(usersWithVcardFormat(sandbox.dataset, '1001', format).length).toBeGreaterThan(0);
    }
  });

  it.each(textUsers)(
    '%s: the vCard text answer and the JSON answer of the same user give the same model',
    async (_name, ordinal) => {
      const record = records('1001').find((r) => r.ordinal === ordinal);
      if (record === undefined) throw new Error(`no user with ordinal ${ordinal}`);
      const textFormat = record.vcardFormat;
      const ctx = call({ credential: 'tok-1', requestId: 'r-vcard' });
      let fromText;
      let fromJson;
      try {
        fromText = await vcards.getVcard('1001', String(record.id), ctx);
        record.vcardFormat = 'application/json';
        fromJson = await vcards.getVcard('1001', String(record.id), ctx);
      } finally {
        record.vcardFormat = textFormat;
      }
      expect(fromText).not.toBeNull();
      expect(fromText).toStrictEqual(fromJson);
      expect(fromJson).toStrictEqual(vcardFromDocument(userDocumentSchema.parse(record.document)));
      expect(fromText?.lastName).toBe(record.user.last_name ?? null);
      expect(JSON.stringify(fromText)).not.toContain('sandbox-secret');
      expect(sandbox.vcard.log.map((r) => r.status)).toEqual([200, 200]);
    },
  );

  it('a JSON user gives the model of its document, without secrets, with the token headers', async () => {
    const record = vcardUser('application/json');
    const card = await vcards.getVcard(
      '1001',
      String(record.id),
      call({ credential: 'tok-1', requestId: 'r-json' }),
    );
    expect(card).toStrictEqual(vcardFromDocument(userDocumentSchema.parse(record.document)));
    expect(card?.formattedName).toBe('John Smith');
    expect(JSON.stringify(card)).not.toContain('sandbox-secret');
    const [request] = sandbox.vcard.log;
    expect(request?.path).toBe(`/accounts/1001/users/${record.id}/vcard`);
    expect(request?.headers['x-auth-token']).toBe('tok-1');
    expect(request?.headers['x-request-id']).toBe('r-json');
    expect(request?.headers['authorization']).toBeUndefined();
  });

  it('returns null for a user without a vCard (404), after one request', async () => {
    const record = vcardUser(null);
    expect(await vcards.getVcard('1001', String(record.id), call())).toBeNull();
    expect(sandbox.vcard.log.map((r) => r.status)).toEqual([404]);
  });

  it.each([
    ['a 200 text/html page', { contentType: 'text/html', body: '<html>maintenance</html>' }],
    [
      'a 200 with no known media type',
      { contentType: 'application/octet-stream', body: 'BEGIN:VCARD' },
    ],
    ['text/vcard that is not a vCard', { contentType: 'text/vcard', body: 'hello: world\r\n' }],
    ['text/vcard holding JSON', { contentType: 'text/vcard; charset=utf-8', body: '{"data":{}}' }],
    [
      'text/vcard holding a calendar',
      {
        contentType: 'text/vcard',
        body: 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n',
      },
    ],
    [
      'text/vcard of version 2.1',
      {
        contentType: 'text/x-vcard',
        body: 'BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ann\r\nEND:VCARD\r\n',
      },
    ],
    [
      'JSON whose data is not a document',
      { contentType: 'application/json', body: '{"data":"x"}' },
    ],
  ])('%s is malformed / UPSTREAM_ERROR with the request id, not retried', async (_name, fault) => {
    sandbox.vcard.injectFault({ kind: 'status', status: 200, ...fault });
    const error = await rejection(
      vcards.getVcard(
        '1001',
        String(vcardUser('application/json').id),
        call({ credential: 'tok' }),
      ),
    );
    expect(error.upstream).toBe('vcard');
    expect(error.failure).toEqual({ kind: 'malformed', status: 200 });
    expect(codeOf(error)).toBe('UPSTREAM_ERROR');
    // The vcard API sends X-Request-ID on every answer; the error keeps it for support.
    expect(error.requestId).toMatch(/^vcard-[0-9a-f]{8}$/);
    expect(error.message).not.toContain(fault.body);
    expect(sandbox.vcard.log).toHaveLength(1);
  });
});

describe('transport and deadline steps', () => {
  const list = (ctx: Call = call()) =>
    users.listUsers({ accountId: '1001', page: 1, pageSize: 2, filter: {} }, ctx);

  it('a body larger than maxBodyBytes is too-large, not retried, and the pool keeps working', async () => {
    sandbox.users.injectFault(
      { kind: 'huge-body', bytes: HTTP_OPTIONS.maxBodyBytes + 1 },
      { times: 3 },
    );
    const error = await rejection(list());
    expect(error.failure).toEqual({ kind: 'too-large', status: 200 });
    expect(codeOf(error)).toBe('UPSTREAM_ERROR');
    expect(sandbox.users.log).toHaveLength(1);
    sandbox.users.clearFaults();
    expect((await list()).totalItems).toBe(12);
  });

  it('a body of exactly maxBodyBytes is read (and then judged by its content)', async () => {
    sandbox.users.injectFault({ kind: 'huge-body', bytes: HTTP_OPTIONS.maxBodyBytes });
    const error = await rejection(list());
    // {"data":"xxx…"} is valid JSON but not a users page: read in full, then rejected as malformed.
    expect(error.failure).toEqual({ kind: 'malformed', status: 200 });
    expect(sandbox.users.log).toHaveLength(1);
  });

  it('a truncated body is retried like a connection reset', async () => {
    sandbox.users.injectFault({ kind: 'truncate' });
    const page = await list();
    expect(page.totalItems).toBe(12);
    expect(page.users).toHaveLength(2);
    expect(sandbox.users.log).toHaveLength(2);
  });

  it('a body truncated on every attempt is a network failure after maxRetries + 1 attempts', async () => {
    sandbox.users.injectFault({ kind: 'truncate' }, { times: 3 });
    const error = await rejection(list());
    expect(error.failure).toEqual({ kind: 'network' });
    expect(error.attempts).toBe(3);
    expect(codeOf(error)).toBe('UPSTREAM_ERROR');
    expect(sandbox.users.log).toHaveLength(3);
  });

  it('gives up at the request deadline: timeout in well under the upstream delay, no retry', async () => {
    sandbox.users.injectFault({ kind: 'delay', ms: 1000 });
    const started = Date.now();
    const error = await rejection(list(call({ deadline: { at: Date.now() + 150 } })));
    const elapsed = Date.now() - started;
    expect(error.failure).toEqual({ kind: 'timeout' });
    expect(codeOf(error)).toBe('UPSTREAM_TIMEOUT');
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(800);
    expect(sandbox.users.log).toHaveLength(1);
  });

  it('a deadline already past fails with timeout without sending anything', async () => {
    const error = await rejection(list(call({ deadline: { at: Date.now() - 1 } })));
    expect(error.failure).toEqual({ kind: 'timeout' });
    expect(sandbox.users.log).toHaveLength(0);
  });
});
