// ioredis is loaded only when a Redis URL is configured (src/upstream/redis-client.ts): a gateway
// without Redis idles about 13 MB lighter. Checked in a process of its own, whose module cache no
// other test has filled.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const HERE = dirname(fileURLToPath(import.meta.url));

it('a gateway without REDIS_URL does not load ioredis; one with it does', async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', join(HERE, 'child.ts')],
    { cwd: join(HERE, '../../..'), timeout: 30_000 },
  );
  const last = stdout.trim().split('\n').at(-1) ?? '';
  expect(JSON.parse(last)).toEqual({ withoutRedis: false, withRedis: true });
});
