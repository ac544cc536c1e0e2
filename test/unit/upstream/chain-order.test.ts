// The composed chain of each upstream is what src/upstream/README.md draws, step for step.
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { createServices } from '../../../src/services.js';

const README = new URL('../../../src/upstream/README.md', import.meta.url);

/** The `[name]` boxes of the first text drawing under "## The chain", top to bottom. */
function drawnChain(markdown: string): string[] {
  const section = markdown.split(/^## The chain$/m)[1] ?? '';
  const drawing = /```text\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return [...drawing.matchAll(/^\[([a-z-]+)\]/gm)].map((m) => m[1] ?? '');
}

describe('the upstream chain', () => {
  it('the README draws a chain', () => {
    expect(drawnChain(readFileSync(README, 'utf8'))).toContain('transport');
  });

  it.each(['users', 'vcard'] as const)(
    '%s: the composed chain (cache and rate budgets on) is the drawn one',
    async (upstream) => {
      const config = loadConfig({
        USERS_API_URL: 'http://127.0.0.1:9/users',
        VCARD_API_URL: 'http://127.0.0.1:9/vcard',
        CACHE_TTL_MS: '1000',
        USERS_API_RATE_LIMIT: '100',
        VCARD_API_RATE_LIMIT: '100',
      });
      const services = createServices(config, pino({ level: 'silent' }));
      try {
        expect(services.chains[upstream].names).toEqual(drawnChain(readFileSync(README, 'utf8')));
      } finally {
        await services.close();
      }
    },
  );

  it('without the cache and budgets, the same chain less those steps', async () => {
    const config = loadConfig({
      USERS_API_URL: 'http://127.0.0.1:9/users',
      VCARD_API_URL: 'http://127.0.0.1:9/vcard',
    });
    const services = createServices(config, pino({ level: 'silent' }));
    try {
      const drawn = drawnChain(readFileSync(README, 'utf8')).filter(
        (n) => n !== 'cache' && n !== 'budget',
      );
      expect(services.chains.users.names).toEqual(drawn);
    } finally {
      await services.close();
    }
  });
});
