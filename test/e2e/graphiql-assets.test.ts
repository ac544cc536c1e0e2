// GraphiQL is served without any third-party URL: its bundle comes from the gateway itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../support/harness.js';
import { startHarness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const get = (path: string, headers: Record<string, string> = {}) =>
  h.gateway.yoga.fetch(`http://localhost${path}`, { headers });

describe('GraphiQL page and assets', () => {
  it('references only its own origin, and every referenced asset is served', async () => {
    const page = await (await get('/graphql', { accept: 'text/html' })).text();
    expect(page).toContain('UsersWithCards');
    expect(page).not.toMatch(/https?:\/\//);
    const assets = [...page.matchAll(/\/graphiql\/assets\/[A-Za-z0-9./_-]+?\.(?:js|css)/g)].map(
      (m) => m[0],
    );
    expect(new Set(assets).size).toBe(5);
    for (const path of new Set(assets)) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/(javascript|css)/);
      expect((await res.arrayBuffer()).byteLength, path).toBeGreaterThan(1000);
    }
  });

  it('serves nothing else under the assets path', async () => {
    for (const path of [
      '/graphiql/assets/package.json',
      '/graphiql/assets/%2e%2e%2fpackage.json',
      '/graphiql/assets/..%2f..%2fpackage.json',
      '/graphiql/assets/yoga-graphiql.es.js',
      '/graphiql/assets/',
    ]) {
      expect((await get(path)).status, path).toBe(404);
    }
  });
});

it('with GraphiQL off (production), the assets are not served either', async () => {
  const prod = await startHarness({ env: { NODE_ENV: 'production' } });
  try {
    const res = await prod.gateway.yoga.fetch('http://localhost/graphiql/assets/graphiql.css');
    expect(res.status).toBe(404);
  } finally {
    await prod.close();
  }
});
