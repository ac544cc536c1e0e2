// Every case of test/hostile-input.tsv through the gateway: the expected code on every error and
// no upstream call for refused input; legal filter values reach the users API as one parameter.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness } from '../support/harness.js';
import type { Harness } from '../support/harness.js';

interface Case {
  line: number;
  target: string;
  input: unknown;
  expected: string;
}

/** `⟨text⟩×N` is `text` N times: long inputs stay readable in the data file. */
const expand = (text: string): string =>
  text.replace(/⟨([^⟩]*)⟩×(\d+)/g, (_m, unit: string, n: string) => unit.repeat(Number(n)));

function readCases(): Case[] {
  const text = readFileSync(new URL('../hostile-input.tsv', import.meta.url), 'utf8');
  const cases: Case[] = [];
  text.split('\n').forEach((raw, index) => {
    if (raw.trim() === '' || raw.startsWith('#')) return;
    const columns = raw.split('\t');
    const [target, input, expected] = columns;
    if (columns.length !== 3 || !target || !input || !expected) {
      throw new Error(`hostile-input.tsv line ${index + 1}: expected 3 TAB-separated columns`);
    }
    cases.push({ line: index + 1, target, input: JSON.parse(expand(input)), expected });
  });
  return cases;
}

const FILTER_PARAMS: Record<string, string> = {
  firstName: 'first_name',
  lastName: 'last_name',
  loginName: 'login_name',
  email: 'email',
};

/** The operation that puts a case's input where its target says. */
function request(c: Case): { query: string; variables?: Record<string, unknown> } {
  const v = { v: c.input };
  const filter = /^users\.filter\.(\w+)$/.exec(c.target)?.[1];
  if (filter !== undefined) {
    return {
      query: `query($v: String) { users(accountId: "1001", filter: { ${filter}: $v }) { totalCount } }`,
      variables: v,
    };
  }
  switch (c.target) {
    case 'user.accountId':
      return {
        query: 'query($v: ID!) { user(accountId: $v, userId: "869048") { userId } }',
        variables: v,
      };
    case 'user.userId':
      return {
        query: 'query($v: ID!) { user(accountId: "1001", userId: $v) { userId } }',
        variables: v,
      };
    case 'vcard.accountId':
      return {
        query: 'query($v: ID!) { vcard(accountId: $v, userId: "869048") { formattedName } }',
        variables: v,
      };
    case 'vcard.userId':
      return {
        query: 'query($v: ID!) { vcard(accountId: "1001", userId: $v) { formattedName } }',
        variables: v,
      };
    case 'users.accountId':
      return { query: 'query($v: ID!) { users(accountId: $v) { totalCount } }', variables: v };
    case 'users.after':
      return {
        query:
          'query($v: String) { users(accountId: "1001", first: 2, after: $v) { edges { cursor } } }',
        variables: v,
      };
    case 'users.before':
      return {
        query:
          'query($v: String) { users(accountId: "1001", last: 2, before: $v) { edges { cursor } } }',
        variables: v,
      };
    case 'node.id':
      return { query: 'query($v: ID!) { node(id: $v) { id } }', variables: v };
    case 'nodes.ids':
      return { query: 'query($v: ID!) { nodes(ids: [$v]) { id } }', variables: v };
    case 'entity':
      return {
        query: 'query($v: _Any!) { _entities(representations: [$v]) { ... on User { userId } } }',
        variables: v,
      };
    case 'document':
      return typeof c.input === 'string'
        ? { query: c.input }
        : (c.input as { query: string; variables?: Record<string, unknown> });
    default:
      throw new Error(`hostile-input.tsv line ${c.line}: unknown target ${c.target}`);
  }
}

const cases = readCases();
const title = (c: Case): string => {
  // Escaped, so that control, invisible and bidirectional characters show in the test name.
  const shown = JSON.stringify(c.input).replace(
    /[^\x20-\x7e]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `line ${c.line}: ${c.target} ${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown} → ${c.expected}`;
};

let h: Harness;
beforeAll(async () => {
  // The signed cursors of the data file were made with this secret.
  h = await startHarness({ env: { CURSOR_SECRET: 'hostile-test-secret' } });
});
afterAll(() => h.close());
beforeEach(() => h.resetCalls());

describe('hostile input (test/hostile-input.tsv)', () => {
  it('has the cases of every kind', () => {
    expect(cases.length).toBeGreaterThan(100);
    const expected = new Set(cases.map((c) => c.expected));
    expect([...expected].sort()).toEqual([
      'BAD_USER_INPUT',
      'GRAPHQL_VALIDATION_FAILED',
      'ok',
      'sent',
    ]);
  });

  it.each(cases.map((c) => [title(c), c] as const))('%s', async (_title, c) => {
    const { query, variables } = request(c);
    const res = await h.gql(query, variables);
    if (c.expected === 'ok' || c.expected === 'sent') {
      expect(res.errors).toBeUndefined();
    } else {
      expect(res.errors?.length ?? 0).toBeGreaterThan(0);
      for (const error of res.errors ?? []) expect(error.extensions?.['code']).toBe(c.expected);
      expect(h.calls()).toEqual({ list: 0, user: 0, vcard: 0, apiAuth: 0 });
    }
    if (c.expected === 'sent') {
      // Parsed back by the simulator: an unencoded '&', '=', '#', '+' or '%' would have split,
      // cut or changed the value, or added a parameter.
      const field = c.target.split('.')[2] ?? '';
      const param = FILTER_PARAMS[field] ?? field;
      const log = h.sandbox.users.log;
      expect(log).toHaveLength(1);
      expect(log[0]?.path).toBe('/accounts/1001/users');
      expect(Object.keys(log[0]?.query ?? {}).sort()).toEqual([param, 'page', 'page_size'].sort());
      expect(log[0]?.query[param]).toBe(c.input);
    }
  });
});
