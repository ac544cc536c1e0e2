// Micro-benchmark: the upstream transport's per-call cost. The gateway's transport
// (src/upstream/steps/transport.ts: an undici dispatch handler gathers the answer) against the
// previous one (`pool.request`, its Readable body read with `for await`), side by side on the same
// loopback server, which runs in a child process so that this process's CPU is the client's alone.
// Run: npx tsx bench/micro/transport.ts [--rounds 9] [--calls 10000]
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { RequestScope, callOf } from '../../src/upstream/call.js';
import { AttemptStop } from '../../src/upstream/chain.js';
import type { UpstreamRequest } from '../../src/upstream/chain.js';
import { transport } from '../../src/upstream/steps/transport.js';
import { median, option } from './args.js';

if (process.argv[2] === 'server') {
  // A vCard-document-sized JSON answer (about 3 KB), as the vcard API sends 50 of per Q2.
  const body = JSON.stringify({ data: { notes: 'x'.repeat(3_000) }, request_id: 'r' });
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'r' });
    res.end(body);
  });
  server.listen(0, '127.0.0.1', () => {
    process.send?.((server.address() as AddressInfo).port);
  });
  process.on('disconnect', () => process.exit(0));
} else {
  const ROUNDS = option('rounds', 9);
  const CALLS = option('calls', 10_000);
  const CLIENTS = 16;
  const child = fork(process.argv[1] ?? '', ['server'], { execArgv: process.execArgv });
  const port = await new Promise<number>((resolve) => child.once('message', resolve));
  const origin = `http://127.0.0.1:${String(port)}`;

  const request: UpstreamRequest<string> = {
    method: 'GET',
    path: '/doc',
    route: '/doc',
    headers: { accept: 'application/json' },
    decode: (response) => response.body,
  };
  const call = callOf(new RequestScope('r', Date.now(), { at: Infinity }), 'x');
  const ours = transport('vcard', { baseUrl: origin, maxConcurrency: CLIENTS, maxBodyBytes: 1e6 });
  const pool = new Pool(origin, { connections: CLIENTS, pipelining: 1 });
  // Each attempt has its own stop, as the deadline step gives it: ours an AttemptStop, the
  // previous transport an AbortController's signal.
  const contenders: Record<string, () => Promise<unknown>> = {
    'dispatch handler (ours)': () => ours.send({ ...request, stop: new AttemptStop() }, call),
    'pool.request + for await': async () => {
      const signal = new AbortController().signal;
      const res = await pool.request({
        method: 'GET',
        path: '/doc',
        headers: request.headers,
        signal,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        chunks.push(chunk as Buffer);
      }
      return Buffer.concat(chunks, size).toString('utf8');
    },
  };

  /** CPU µs of this process per call, `calls` calls from 16 concurrent clients. */
  async function round(send: () => Promise<unknown>, calls: number) {
    const before = process.cpuUsage();
    let started = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (started++ < calls) await send();
      }),
    );
    const used = process.cpuUsage(before);
    return (used.user + used.system) / calls;
  }

  const names = Object.keys(contenders);
  const results = new Map<string, number[]>(names.map((name) => [name, []]));
  for (const name of names) await round(contenders[name] as never, CALLS / 2); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    for (const name of names)
      results.get(name)?.push(await round(contenders[name] as never, CALLS));
  }
  const base = median(results.get(names[1] ?? '') ?? []);
  console.log(
    `node ${process.version}, ${String(ROUNDS)} rounds of ${String(CALLS)} calls, 16 clients`,
  );
  console.log('| transport | client CPU µs/call | ÷ pool.request |\n|---|---:|---:|');
  for (const name of names) {
    const m = median(results.get(name) ?? []);
    console.log(`| ${name} | ${m.toFixed(1)} | ${(m / base).toFixed(2)} |`);
  }
  await Promise.all([ours.close(), pool.close()]);
  child.disconnect();
}
