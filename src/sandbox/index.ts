// The sandbox: both upstream simulators over one shared dataset, as `npm start` (no upstream URL
// configured), the tests and the benchmarks use them.
import { createDataset } from './data.js';
import type { Dataset } from './data.js';
import type { SimulatorOptions } from './simulator.js';
import { startUsersSimulator } from './users-simulator.js';
import type { UsersSimulator, UsersSimulatorOptions } from './users-simulator.js';
import { startVcardSimulator } from './vcard-simulator.js';
import type { VcardSimulator, VcardSimulatorOptions } from './vcard-simulator.js';

export interface SandboxOptions {
  /** Shared by both simulators; default `createDataset()`. */
  dataset?: Dataset;
  /** Default 127.0.0.1 for both. */
  host?: string;
  /** Initial latency of both simulators (each stays mutable through its handle). */
  latencyMs?: number;
  /** The users API's page maximum (default 100). */
  maxPageSize?: number;
  /** Per-simulator options (port, auth, …); they win over the shared ones above. */
  users?: Omit<UsersSimulatorOptions, 'dataset'>;
  vcard?: Omit<VcardSimulatorOptions, 'dataset'>;
}

export interface Sandbox {
  users: UsersSimulator;
  vcard: VcardSimulator;
  dataset: Dataset;
  /** Account ids in dataset order; the first is the example account "1001". */
  accountIds: string[];
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const dataset = options.dataset ?? createDataset();
  const shared: SimulatorOptions = {
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }),
  };
  const [users, vcard] = await Promise.all([
    startUsersSimulator({
      ...shared,
      ...(options.maxPageSize === undefined ? {} : { maxPageSize: options.maxPageSize }),
      ...options.users,
      dataset,
    }),
    startVcardSimulator({ ...shared, ...options.vcard, dataset }),
  ]);
  return {
    users,
    vcard,
    dataset,
    accountIds: [...dataset.accounts.keys()],
    async close() {
      await Promise.all([users.close(), vcard.close()]);
    },
  };
}

export * from './data.js';
export type {
  Fault,
  FaultOptions,
  LoggedRequest,
  SimulatorHandle,
  SimulatorOptions,
} from './simulator.js';
export { startUsersSimulator } from './users-simulator.js';
export type { UsersSimulator, UsersSimulatorOptions } from './users-simulator.js';
export { startVcardSimulator } from './vcard-simulator.js';
export type { VcardSimulator, VcardSimulatorOptions } from './vcard-simulator.js';
