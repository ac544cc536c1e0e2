// @defer: the list arrives first, each vCard in its own incremental payload; merged, the parts equal
// the plain answer. Order is asserted, not time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from '../support/harness.js';
import type { Harness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

interface Payload {
  data?: Record<string, unknown>;
  incremental?: {
    data: Record<string, unknown>;
    path: (string | number)[];
    errors?: { extensions?: Record<string, unknown> }[];
  }[];
  errors?: unknown[];
  hasNext: boolean;
}

async function multipart(query: string): Promise<Payload[]> {
  const response = await h.gateway.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'multipart/mixed' },
    body: JSON.stringify({ query }),
  });
  const boundary = /boundary="?([^";]+)"?/.exec(response.headers.get('content-type') ?? '')?.[1];
  expect(boundary).toBeDefined();
  const text = await response.text();
  return text
    .split(`--${boundary}`)
    .map((part) => part.split('\r\n\r\n').slice(1).join('\r\n\r\n').trim())
    .filter((body) => body.startsWith('{'))
    .map((body) => JSON.parse(body) as Payload);
}

function merge(payloads: Payload[]): Record<string, unknown> {
  const [first, ...rest] = payloads;
  const data = structuredClone(first?.data ?? {});
  for (const payload of rest) {
    for (const inc of payload.incremental ?? []) {
      let target: Record<string, unknown> | unknown[] = data;
      for (const key of inc.path)
        target = (target as Record<string | number, unknown>)[key] as Record<string, unknown>;
      Object.assign(target, inc.data);
    }
  }
  return data;
}

const DEFERRED = `{ users(accountId: "1001", first: 4) { nodes { userId firstName
  ... @defer { vcard { formattedName } } } } }`;
const PLAIN = `{ users(accountId: "1001", first: 4) { nodes { userId firstName vcard { formattedName } } } }`;

describe('@defer', () => {
  it('sends the list first and each vCard after; the merge equals the plain answer', async () => {
    const payloads = await multipart(DEFERRED);
    expect(payloads.length).toBeGreaterThan(1);
    const first = payloads[0];
    const nodes = (first?.data?.['users'] as { nodes: Record<string, unknown>[] }).nodes;
    expect(nodes).toHaveLength(4);
    for (const node of nodes) expect(node).not.toHaveProperty('vcard');
    expect(first?.hasNext).toBe(true);
    expect(payloads.at(-1)?.hasNext).toBe(false);
    const plain = await h.gql(PLAIN);
    expect(merge(payloads)).toEqual(plain.data);
  });

  it('a failing deferred vCard is an error in its own incremental payload', async () => {
    const list = await h.gql(`{ users(accountId: "1001", first: 2) { nodes { userId } } }`);
    const ids = (list.data?.['users'] as { nodes: { userId: string }[] }).nodes.map(
      (n) => n.userId,
    );
    h.sandbox.vcard.injectFault(
      { kind: 'status', status: 500 },
      { times: 3, match: new RegExp(`/users/${ids[0]}/vcard$`) },
    );
    const payloads = await multipart(
      `{ users(accountId: "1001", first: 2) { nodes { userId ... @defer { vcard { formattedName } } } } }`,
    );
    const incremental = payloads.flatMap((p) => p.incremental ?? []);
    const failed = incremental.find((i) => i.errors?.length);
    expect(failed?.path).toEqual(['users', 'nodes', 0]);
    expect(failed?.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_ERROR');
    const ok = incremental.find(
      (i) => JSON.stringify(i.path) === JSON.stringify(['users', 'nodes', 1]),
    );
    expect(ok?.data['vcard']).not.toBeNull();
  });
});

describe('@defer over server-sent events', () => {
  it('streams the list first, then the vCards, as SSE events', async () => {
    const response = await h.gateway.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: DEFERRED }),
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = (await response.text())
      .split('\n\n')
      .map((block) => /^data: (.*)$/m.exec(block)?.[1])
      .filter((data): data is string => data !== undefined)
      .map((data) => JSON.parse(data) as Payload);
    expect(events.length).toBeGreaterThan(1);
    const nodes = (events[0]?.data?.['users'] as { nodes: Record<string, unknown>[] }).nodes;
    for (const node of nodes) expect(node).not.toHaveProperty('vcard');
    const plain = await h.gql(PLAIN);
    expect(merge(events)).toEqual(plain.data);
  });
});
