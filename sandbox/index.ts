// The sandbox: both upstream simulators over one shared dataset, as `npm start` (no upstream URL
// configured), the tests and the benchmarks use them. Not part of the production path: src/main.ts
// imports this folder dynamically, and only in sandbox mode.
import type { Config } from '../src/config.js';
import { createDataset } from './data.js';
import type { Dataset } from './data.js';
import type { RateLimit } from './rate-limit.js';
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
  /**
   * Real credential checks on both APIs (see UsersSimulatorOptions / VcardSimulatorOptions
   * `requireAuth`). Default false: any token works.
   */
  requireAuth?: boolean;
  /** A rate limit of each simulator's own (each stays mutable through its handle). */
  rateLimit?: RateLimit;
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
  const shared: SimulatorOptions & { requireAuth?: boolean } = {
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }),
    ...(options.requireAuth === undefined ? {} : { requireAuth: options.requireAuth }),
  };
  const [users, vcard] = await Promise.all([
    startUsersSimulator({
      ...shared,
      ...(options.maxPageSize === undefined ? {} : { maxPageSize: options.maxPageSize }),
      // Each simulator gets its own copy: one budget per upstream.
      ...(options.rateLimit === undefined ? {} : { rateLimit: { ...options.rateLimit } }),
      ...options.users,
      dataset,
    }),
    startVcardSimulator({
      ...shared,
      ...(options.rateLimit === undefined ? {} : { rateLimit: { ...options.rateLimit } }),
      ...options.vcard,
      dataset,
    }),
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

/** The service token the gateway sends in sandbox mode when nothing else is configured. */
export const SANDBOX_SERVICE_TOKEN = 'sandbox';

/**
 * The gateway's configuration for running over this sandbox: both upstream URLs point at the
 * simulators, and each upstream gets the service token 'sandbox' unless the configuration already
 * says how to authenticate to it. The simulators accept any token by default, so GraphiQL works
 * with no headers at all.
 */
export function sandboxConfig(
  config: Config,
  sandbox: { users: { url: string }; vcard: { url: string } },
): Config {
  return {
    ...config,
    usersApiUrl: sandbox.users.url,
    vcardApiUrl: sandbox.vcard.url,
    // A configured way to authenticate (an OAuth2 client, an API key, Kazoo user credentials)
    // is what the sandbox is being used to try: no default token beside it.
    usersApiToken:
      config.usersApiToken ??
      (config.usersApiOAuth === undefined ? SANDBOX_SERVICE_TOKEN : undefined),
    vcardApiToken:
      config.vcardApiToken ??
      (config.vcardApiKey === undefined && config.vcardApiUserAuth === undefined
        ? SANDBOX_SERVICE_TOKEN
        : undefined),
  };
}

export * from './credentials.js';
export * from './data.js';
export type { Fault, FaultOptions } from './faults.js';
export type { RateLimit } from './rate-limit.js';
export { maxRequestsInAnyWindow, requestsPerWindow } from './request-log.js';
export type { LoggedRequest, WindowOptions } from './request-log.js';
export type { SimulatorHandle, SimulatorOptions } from './simulator.js';
export { startUsersSimulator, UsersSimulator } from './users-simulator.js';
export type { UsersSimulatorOptions } from './users-simulator.js';
export { startVcardSimulator, VcardSimulator } from './vcard-simulator.js';
export type { VcardSimulatorOptions } from './vcard-simulator.js';
