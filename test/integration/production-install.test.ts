// The installed tree: one copy of graphql (two would make `instanceof GraphQLError`/schema checks
// fail across packages), and what package.json promises about Node matches what CI tests.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ROOT } from './production-harness.js';

const run = promisify(execFile);

interface Tree {
  version?: string | undefined;
  dependencies?: Record<string, Tree> | undefined;
}
const tree: z.ZodType<Tree> = z.lazy(() =>
  z.object({
    version: z.string().optional(),
    dependencies: z.record(z.string(), tree).optional(),
  }),
);

function versionsOf(name: string, node: Tree, found = new Set<string>()): Set<string> {
  for (const [dep, child] of Object.entries(node.dependencies ?? {})) {
    if (dep === name && child.version !== undefined) found.add(child.version);
    versionsOf(name, child, found);
  }
  return found;
}

describe('the installed dependency tree', () => {
  it('has exactly one version of graphql, a 16', async () => {
    const { stdout } = await run('npm', ['ls', 'graphql', '--all', '--json'], {
      cwd: ROOT,
      timeout: 60_000,
    });
    const versions = [...versionsOf('graphql', tree.parse(JSON.parse(stdout)))];
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatch(/^16\./);
  }, 70_000);

  it('promises in engines the Node majors CI runs (the machine’s and the pinned 24)', () => {
    const pkg = z
      .object({ engines: z.object({ node: z.string() }) })
      .parse(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')));
    const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8');
    const pinned = /^NODE24_VERSION=(\d+)\.\d+\.\d+$/m.exec(ci)?.[1];
    expect(pinned).toBe('24');
    expect(pkg.engines.node).toContain('^24.');
    expect(pkg.engines.node).toContain(`^${process.versions.node.split('.')[0]}.`);
    const dockerNode = /^FROM node:(\d+)\./m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
    expect(dockerNode?.[1]).toBe(pinned);
    expect(readFileSync(join(ROOT, '.nvmrc'), 'utf8').trim()).toBe(pinned);
  });
});
