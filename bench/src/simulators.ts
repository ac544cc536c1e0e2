// Child process: both upstream simulators on loopback, shared by every system under test, so the
// load generator, the gateways and the simulators do not share an event loop. The parent drives it
// over IPC: set the latency, reset and read the upstream request counters.
import { startSandbox, type SimulatorHandle } from '../../sandbox/index.js';
import { benchDataset } from './dataset.js';
import type { SimulatorReply, SimulatorRequest, UpstreamTally } from './ipc.js';

const sandbox = await startSandbox({
  dataset: benchDataset(),
  // The log is drained below; this only bounds it between two drains.
  users: { maxLogEntries: 1_000_000 },
  vcard: { maxLogEntries: 1_000_000 },
});

let tally: UpstreamTally = emptyTally();
let trackDistinct = false;
const distinct = new Set<string>();

function emptyTally(): UpstreamTally {
  return { users: 0, vcard: 0, distinct: 0 };
}

/** Moves the simulators' logs into the counters; the OpenAPI document is not an API call. */
function drain(): void {
  const take = (sim: SimulatorHandle, name: 'users' | 'vcard') => {
    for (const entry of sim.log) {
      if (entry.path === '/openapi.json') continue;
      tally[name]++;
      if (trackDistinct) {
        const query = new URLSearchParams(entry.query).toString();
        distinct.add(`${name} ${entry.method} ${entry.path}?${query}`);
      }
    }
    sim.log.length = 0;
  };
  take(sandbox.users, 'users');
  take(sandbox.vcard, 'vcard');
  tally.distinct = distinct.size;
}

// Under load the logs grow by thousands of entries a second; counting them often keeps memory flat.
setInterval(drain, 200).unref();

process.on('message', (message: SimulatorRequest) => {
  let reply: SimulatorReply;
  switch (message.op) {
    case 'latency':
      sandbox.users.latencyMs = message.latencyMs;
      sandbox.vcard.latencyMs = message.latencyMs;
      reply = { id: message.id };
      break;
    case 'reset':
      drain();
      tally = emptyTally();
      distinct.clear();
      trackDistinct = message.distinct;
      reply = { id: message.id };
      break;
    case 'stats':
      drain();
      reply = { id: message.id, tally: { ...tally } };
      break;
  }
  process.send?.(reply);
});

process.on('disconnect', () => {
  void sandbox.close().then(() => process.exit(0));
});

process.send?.({
  id: 0,
  urls: { users: sandbox.users.url, vcard: sandbox.vcard.url },
} satisfies SimulatorReply);
