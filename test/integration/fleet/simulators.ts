// The simulators in a process of their own for the fleet proof: they stamp each arrival on their
// own event loop, so a busy test process (the load generator, vitest) cannot bunch the stamps and
// make the 1 s windows measure its own stalls. Driven over IPC (support.ts: startSimulators).
import { startSandbox } from '../../../sandbox/index.js';
import type { Fault, FaultOptions } from '../../../sandbox/faults.js';
import type { RateLimit } from '../../../sandbox/index.js';

export type SimulatorName = 'users' | 'vcard';

export type Command =
  | { op: 'reset'; upstream: SimulatorName }
  | { op: 'log'; upstream: SimulatorName }
  | { op: 'fault'; upstream: SimulatorName; fault: Fault; options: FaultOptions }
  | { op: 'latency'; upstream: SimulatorName; ms: number }
  | { op: 'rate'; upstream: SimulatorName; limit: RateLimit | undefined };

const sandbox = await startSandbox();
const withCards = sandbox.dataset.accounts.get('1001')?.filter((u) => u.vcardFormat !== null);

process.on('message', (message: { id: number; command: Command }) => {
  const { id, command } = message;
  const sim = sandbox[command.upstream];
  let result: unknown = null;
  switch (command.op) {
    case 'reset':
      sim.reset();
      break;
    case 'log':
      result = sim.log;
      break;
    case 'fault':
      sim.injectFault(command.fault, command.options);
      break;
    case 'latency':
      sim.latencyMs = command.ms;
      break;
    case 'rate':
      sim.rateLimit = command.limit;
      break;
  }
  process.send?.({ id, result });
});
process.on('disconnect', () => {
  void sandbox.close().then(() => process.exit(0));
});
process.send?.({
  ready: true,
  users: sandbox.users.url,
  vcard: sandbox.vcard.url,
  userIds: (withCards ?? []).slice(0, 2).map((u) => String(u.id)),
});
