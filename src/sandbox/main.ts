// `npm run sandbox`: both upstream simulators on fixed ports, for running the gateway (or curl)
// against them by hand. USERS_SIM_PORT [4010], VCARD_SIM_PORT [4020], SIM_LATENCY_MS [0].
import { startSandbox } from './index.js';

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}\n`);
    process.exit(1);
  }
  return n;
}

const sandbox = await startSandbox({
  latencyMs: envInt('SIM_LATENCY_MS', 0),
  users: { port: envInt('USERS_SIM_PORT', 4010) },
  vcard: { port: envInt('VCARD_SIM_PORT', 4020) },
});

process.stdout.write(
  [
    `users API simulator: ${sandbox.users.url}   (OpenAPI: ${sandbox.users.url}/openapi.json)`,
    `vcard API simulator: ${sandbox.vcard.url}   (OpenAPI: ${sandbox.vcard.url}/openapi.json)`,
    `accounts: ${sandbox.accountIds.map((id) => `${id} (${sandbox.dataset.accounts.get(id)?.length ?? 0} users)`).join(', ')}`,
    `run the gateway against them: USERS_API_URL=${sandbox.users.url} VCARD_API_URL=${sandbox.vcard.url} npm start`,
    '',
  ].join('\n'),
);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void sandbox.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
