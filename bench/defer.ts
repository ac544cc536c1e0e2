// Time to first payload with @defer versus the full plain response, at 20 ms upstream latency.
// In process: gateway via yoga.fetch, simulators on loopback. `npx tsx bench/defer.ts`.
import { writeFileSync } from 'node:fs';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { sandboxConfig, startSandbox } from '../sandbox/index.js';
import { createGateway } from '../src/server.js';

const LATENCY_MS = 20;
const RUNS = 30;
const DEFERRED = `{ users(accountId: "1003", first: 20) { nodes { userId firstName
  ... @defer { vcard { formattedName } } } } }`;
const PLAIN = `{ users(accountId: "1003", first: 20) { nodes { userId firstName vcard { formattedName } } } }`;

const sandbox = await startSandbox({ latencyMs: LATENCY_MS });
const gateway = createGateway(sandboxConfig(loadConfig({}), sandbox), {
  logger: pino({ level: 'silent' }),
});

async function timed(query: string, accept: string): Promise<{ first: number; full: number }> {
  const started = performance.now();
  const response = await gateway.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept },
    body: JSON.stringify({ query }),
  });
  const reader = response.body?.getReader();
  if (!reader) throw new Error('no body');
  let first = 0;
  let text = '';
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (first === 0) first = performance.now() - started;
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  // A failing query is fast and would make the figures meaningless.
  if (text.includes('"errors"') || !text.includes('formattedName')) {
    throw new Error(`unexpected answer: ${text.slice(0, 300)}`);
  }
  return { first, full: performance.now() - started };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const deferred: { first: number; full: number }[] = [];
const plain: { first: number; full: number }[] = [];
for (let i = 0; i < RUNS; i++) {
  // Interleaved so both see the same machine noise.
  deferred.push(await timed(DEFERRED, 'multipart/mixed'));
  plain.push(await timed(PLAIN, 'application/json'));
}
const result = {
  upstreamLatencyMs: LATENCY_MS,
  runs: RUNS,
  query: '20 users, vCard of each deferred',
  deferredFirstPayloadMs: median(deferred.map((r) => r.first)),
  deferredCompleteMs: median(deferred.map((r) => r.full)),
  plainResponseMs: median(plain.map((r) => r.full)),
};
const ratio = result.deferredFirstPayloadMs / result.plainResponseMs;
const md = `# @defer: time to first payload

${RUNS} interleaved runs each, in one process, upstream latency ${LATENCY_MS} ms per request (simulators on loopback).
Query: \`users(accountId: "1003", first: 20)\` with each user's \`vcard\` deferred, versus the same query without \`@defer\`.

| measure | median |
|---|---|
| first payload with @defer (the list) | ${result.deferredFirstPayloadMs.toFixed(1)} ms |
| last payload with @defer | ${result.deferredCompleteMs.toFixed(1)} ms |
| plain response (list and vCards) | ${result.plainResponseMs.toFixed(1)} ms |
| first payload / plain response | ${ratio.toFixed(2)} |

The floor is one upstream round trip (${LATENCY_MS} ms) for the list and a second one for the vCards.
`;
writeFileSync(
  new URL('./results/defer.json', import.meta.url),
  JSON.stringify(result, null, 2) + '\n',
);
writeFileSync(new URL('./results/defer.md', import.meta.url), md);
console.log(md);
await gateway.close();
await sandbox.close();
