// The README is a guide users follow: its GraphQL examples run against the sandbox as written, its
// configuration table lists exactly the variables the config schema reads, and no link in it or in
// docs/ points to a file or heading that does not exist.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness } from '../support/harness.js';
import type { Harness } from '../support/harness.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const section =
  readme.split('<!-- readme-examples:start -->')[1]?.split('<!-- readme-examples:end -->')[0] ?? '';
const examples = [...section.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
const curl = /```sh\n(curl[\s\S]*?)```/.exec(section)?.[1] ?? '';

function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && keep(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The text of a `## name` section, up to the next heading of the same level. */
function sectionOf(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start === -1) return '';
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end === -1 ? undefined : end);
}

const withoutCode = (markdown: string): string => markdown.replace(/```[\s\S]*?```/g, '');

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  return new Set(
    [...withoutCode(markdown).matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
      (m[1] ?? '')
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    ),
  );
}

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

describe('README configuration table', () => {
  // Every environment variable is one upper-case key of the config schema; nothing else in src/
  // is written that way, so these keys are the variables the gateway reads.
  const read = new Set(
    filesUnder(join(root, 'src'), (name) => name.endsWith('.ts'))
      .filter((file) => !relative(root, file).startsWith(join('src', 'generated')))
      .flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(/^\s+([A-Z][A-Z0-9_]+): /gm)].map(
          (m) => m[1] ?? '',
        ),
      ),
  );
  const rows = sectionOf(readme, 'Configuration')
    .split('\n')
    .filter((line) => line.startsWith('| `'));
  const documentedNames = new Set(
    rows.flatMap((row) =>
      [...(row.split('|')[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1] ?? ''),
    ),
  );

  it('finds the variables on both sides', () => {
    expect(read.size).toBeGreaterThanOrEqual(30);
    expect(documentedNames.size).toBeGreaterThanOrEqual(30);
  });

  it('documents every variable the config schema reads', () => {
    expect([...read].filter((name) => !documentedNames.has(name))).toEqual([]);
  });

  it('documents no variable the config schema does not read', () => {
    expect([...documentedNames].filter((name) => !read.has(name))).toEqual([]);
  });
});

describe('links in README.md and docs/', () => {
  const pages = [
    join(root, 'README.md'),
    ...filesUnder(join(root, 'docs'), (n) => n.endsWith('.md')),
  ];
  const links = pages.flatMap((page) =>
    [...withoutCode(readFileSync(page, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)]
      .map((m) => m[1] ?? '')
      .filter((target) => !/^[a-z]+:/.test(target))
      .map((target) => ({ page, target })),
  );
  const distinct = [
    ...new Map(links.map((link) => [`${link.page} ${link.target}`, link])).values(),
  ];

  it('has links to check', () => {
    expect(links.length).toBeGreaterThanOrEqual(20);
  });

  it.each(distinct.map(({ page, target }) => [relative(root, page), target] as const))(
    '%s → %s',
    (page, target) => {
      const [path = '', anchor] = target.split('#');
      const file = path === '' ? join(root, page) : resolve(dirname(join(root, page)), path);
      expect(existsSync(file), `${path} exists`).toBe(true);
      if (anchor !== undefined && file.endsWith('.md')) {
        expect([...anchors(readFileSync(file, 'utf8'))]).toContain(anchor);
      }
    },
  );
});
