// Every GraphQL example of the README runs against the sandbox as written, without errors.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from '../support/harness.js';
import type { Harness } from '../support/harness.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section =
  readme.split('<!-- readme-examples:start -->')[1]?.split('<!-- readme-examples:end -->')[0] ?? '';
const examples = [...section.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
const curl = /```sh\n(curl[\s\S]*?)```/.exec(section)?.[1] ?? '';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('README examples', () => {
  it('has examples to run', () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
  });

  it.each(examples.map((query, i) => [i + 1, query] as const))(
    'example %i runs without errors',
    async (_i, query) => {
      const res = await h.gql(query);
      expect(res.errors).toBeUndefined();
      const values = Object.values(res.data ?? {});
      expect(values.length).toBeGreaterThan(0);
      for (const value of values) expect(value).not.toBeNull();
    },
  );

  it('the curl example sends a body the gateway answers', async () => {
    const body = /-d '(.*)'/.exec(curl)?.[1] ?? '';
    const response = await h.gateway.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer my-token' },
      body,
    });
    const json = (await response.json()) as { data?: unknown; errors?: unknown };
    expect(json.errors).toBeUndefined();
    expect(JSON.stringify(json.data)).toContain('formattedName');
  });
});
