// Micro-benchmark: what the dedupe and deadline steps cost per upstream call, over a transport that
// answers at once (on the next turn of the event loop). Requests of 50 distinct calls each, as a
// Q2 makes, every call under its request's client signal. Dedupe is on by default in production;
// the gateway bench turns it off (so that every query makes its calls), so this is where its cost
// is seen.
// Run: npx tsx bench/micro/call-steps.ts [--rounds 7] [--requests 400]
import { setMaxListeners } from 'node:events';
import { RequestScope, callOf } from '../../src/upstream/call.js';
import { compose } from '../../src/upstream/chain.js';
import type { Reply, Send, UpstreamRequest } from '../../src/upstream/chain.js';
import { noHooks } from '../../src/upstream/hooks.js';
import { deadline } from '../../src/upstream/steps/deadline.js';
import { dedupe } from '../../src/upstream/steps/dedupe.js';
import { median, option } from './args.js';

const ROUNDS = option('rounds', 7);
const REQUESTS = option('requests', 400);
const CALLS = 50;

const answer: Send = <T>(): Promise<Reply<T>> =>
  new Promise((resolve) =>
    setImmediate(() =>
      resolve({
        ok: true,
        status: 200,
        value: 'x' as T,
        headers: {},
        requestId: undefined,
        attempts: 1,
        size: 1,
      }),
    ),
  );

const chain = (withDedupe: boolean): Send =>
  compose(
    [
      ...(withDedupe ? [{ name: 'dedupe' as const, step: dedupe('vcard', noHooks.tenancy) }] : []),
      { name: 'deadline' as const, step: deadline('vcard', { timeoutMs: 10_000 }) },
    ],
    answer,
  ).send;

const request = (i: number): UpstreamRequest<string> => ({
  method: 'GET',
  path: `/users/${String(i)}/vcard`,
  route: '/users/:user_id/vcard',
  headers: {},
  decode: (response) => response.body,
});

/** CPU µs of this process per call. */
async function round(send: Send, requests: number): Promise<number> {
  const before = process.cpuUsage();
  for (let r = 0; r < requests; r++) {
    const client = new AbortController();
    setMaxListeners(0, client.signal); // as context.ts does for a request's signal
    const scope = new RequestScope('r', Date.now(), {
      at: Date.now() + 25_000,
      signal: client.signal,
    });
    await Promise.all(
      Array.from({ length: CALLS }, (_, i) => send(request(i), callOf(scope, 'Bearer x'))),
    );
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / (requests * CALLS);
}

const contenders: Record<string, Send> = {
  'dedupe + deadline': chain(true),
  'deadline alone': chain(false),
};
const results = new Map<string, number[]>();
for (const [name, send] of Object.entries(contenders)) {
  await round(send, REQUESTS / 2); // warm-up
  results.set(name, []);
}
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, send] of Object.entries(contenders)) {
    results.get(name)?.push(await round(send, REQUESTS));
  }
}
console.log(`node ${process.version}, ${String(ROUNDS)} rounds of ${String(REQUESTS)} requests`);
console.log('| steps | CPU µs per call |\n|---|---:|');
for (const [name, xs] of results) console.log(`| ${name} | ${median(xs).toFixed(2)} |`);
