// Where the gateway's CPU goes: the compiled gateway (dist/, `npm run build` first) under
// `node --cpu-prof` with the start script's flags, in front of the simulators (in this process,
// so that they stay out of the profile), served one query by 8 closed-loop clients; then the
// profile's self time by where the code lives (our src/, each dependency, node's own, GC).
//
//   npm run build && npx tsx scripts/profile.ts [Q1|Q2] [seconds] > bench/results/perf/profile-q2.md
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { startSandbox } from '../sandbox/index.js';

const query = process.argv[2] === 'Q1' ? 'Q1' : 'Q2';
const seconds = Number(process.argv[3] ?? 15);
const CLIENTS = 8;
const USER = 'userId firstName lastName extensions { number dids { phoneNumber customTag } }';
const CARD = 'vcard { formattedName title emails phones { number types } }';
const document = `{ users(accountId: "1003", first: 50) { totalCount nodes { ${USER} ${query === 'Q2' ? CARD : ''} } } }`;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: our code, a dependency, node itself, or V8's pseudo-frames. */
function placeOf(url: string, name: string): string {
  if (url === '') return name.startsWith('(') ? name : '(native)';
  if (url.startsWith('node:')) return 'node: (http, streams, timers …)';
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency !== null) return dependency[1] ?? url;
  const ours = /\/dist\/(src\/[^:]+)/.exec(url);
  return ours === null ? url : `ours: ${ours[1] ?? ''}`;
}

/**
 * Self time per function over the samples taken between `from` and `to` (µs of the monotonic clock
 * that V8's profiler and process.hrtime share), i.e. under load, without start-up and shutdown.
 */
function summarise(profile: Profile, queries: number, from: number, to: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at >= from && at <= to) selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  const places = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined || frame.functionName === '(idle)') continue;
    busy += us;
    const place = placeOf(frame.url, frame.functionName);
    places.set(place, (places.get(place) ?? 0) + us);
    const fn = `${frame.functionName || '(anonymous)'} — ${place}:${frame.lineNumber + 1}`;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
  }
  const table = (rows: Map<string, number>, most: number): string[] =>
    [...rows]
      .sort((a, b) => b[1] - a[1])
      .slice(0, most)
      .map(
        ([name, us]) =>
          `| ${name} | ${((100 * us) / busy).toFixed(1)} % | ${(us / 1000 / queries).toFixed(3)} |`,
      );
  return [
    `# CPU profile: ${query}`,
    '',
    `\`npx tsx scripts/profile.ts ${query} ${seconds}\` on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}: ` +
      `${queries} queries by ${CLIENTS} clients in ${seconds} s after 3 s of warm-up; ${(busy / 1000 / queries).toFixed(2)} ms of ` +
      'main-thread CPU (not idle) per query. Self time; V8 helper threads (concurrent GC) are not in it.',
    '',
    '| where | share of busy time | ms per query |',
    '|---|---:|---:|',
    ...table(places, 25),
    '',
    '## Top functions (self time)',
    '',
    '| function — where:line | share | ms per query |',
    '|---|---:|---:|',
    ...table(functions, 30),
    '',
  ].join('\n');
}

const sandbox = await startSandbox();
const dir = mkdtempSync(join(tmpdir(), 'gateway-profile-'));
const port = 4900 + Math.floor(Math.random() * 90);
const gateway = spawn(
  process.execPath,
  ['--max-semi-space-size=32', '--cpu-prof', `--cpu-prof-dir=${dir}`, 'dist/src/main.js'],
  {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      USERS_API_URL: sandbox.users.url,
      VCARD_API_URL: sandbox.vcard.url,
      USERS_API_TOKEN: 'profile',
      VCARD_API_TOKEN: 'profile',
      CURSOR_SECRET: 'profile',
      // The clients send one identical query: in-flight sharing would spare most upstream calls.
      UPSTREAM_DEDUPE: 'false',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  },
);
const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CLIENTS });
const body = JSON.stringify({ query: document });
const ask = async (): Promise<void> => {
  const res = await pool.request({
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const text = await res.body.text();
  if (res.statusCode !== 200 || text.includes('"errors"')) throw new Error(text.slice(0, 300));
};
for (let i = 0; ; i++) {
  try {
    await ask();
    break;
  } catch (error) {
    if (i > 100) throw error;
    await sleep(100);
  }
}
// A few seconds of the same load first: the JIT has compiled the hot paths when the window opens.
const load = async (ms: number, count: () => void): Promise<void> => {
  const until = Date.now() + ms;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < until) {
        await ask();
        count();
      }
    }),
  );
};
await load(3_000, () => undefined);
let queries = 0;
const from = Number(process.hrtime.bigint() / 1000n);
await load(seconds * 1000, () => queries++);
const to = Number(process.hrtime.bigint() / 1000n);
await pool.close();
const exited = new Promise((resolve) => gateway.once('exit', resolve));
gateway.kill('SIGTERM');
await exited;
await sandbox.close();
const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (file === undefined) throw new Error(`no profile written in ${dir}`);
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
process.stdout.write(summarise(profile, queries, from, to));
