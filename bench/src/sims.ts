// The parent's handle on the simulator process (simulators.ts): start it, drive it over IPC.
import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { SimulatorCommand, SimulatorReply, SimulatorRequest } from './ipc.js';
import { ROOT } from './results.js';
import { stopChild } from './systems.js';

export interface Simulators {
  urls: { users: string; vcard: string };
  pid: number;
  call(request: SimulatorCommand): Promise<SimulatorReply>;
  stop(): Promise<void>;
}

export async function startSimulators(): Promise<Simulators> {
  const child = fork(join(ROOT, 'bench/src/simulators.ts'), [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<number, (reply: SimulatorReply) => void>();
  let nextId = 1;
  const urls = await new Promise<{ users: string; vcard: string }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`simulators exited (${code}) during start-up`)));
    child.on('message', (reply: SimulatorReply) => {
      if (reply.urls) resolve(reply.urls);
      waiting.get(reply.id)?.(reply);
      waiting.delete(reply.id);
    });
  });
  if (child.pid === undefined) throw new Error('simulators did not start');
  return {
    urls,
    pid: child.pid,
    call(request) {
      const id = nextId++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        child.send({ ...request, id } satisfies SimulatorRequest);
      });
    },
    async stop() {
      child.disconnect();
      await stopChild(child);
    },
  };
}

/**
 * Waits until no upstream request arrives for 200 ms, then leaves the counters at zero, so that
 * nothing left over from earlier work (a system finishing background calls) is counted.
 */
export async function quiesce(sims: Simulators): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    await sims.call({ op: 'reset', distinct: false });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const { tally } = await sims.call({ op: 'stats' });
    if ((tally?.users ?? 0) + (tally?.vcard ?? 0) === 0 || Date.now() > deadline) break;
  }
  await sims.call({ op: 'reset', distinct: false });
}
