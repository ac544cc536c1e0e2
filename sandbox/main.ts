// `npm run sandbox`: both upstream simulators on fixed ports, for running the gateway (or curl)
// against them by hand. USERS_SIM_PORT [4010], VCARD_SIM_PORT [4020], SIM_LATENCY_MS [0],
// SIM_HOST [127.0.0.1] (0.0.0.0 in a container, so other containers reach them).
// Flags (after `--`): --require-auth (real credential checks, with the seeded service credentials
// printed below), --rate-limit <requests per second, each simulator>, --per-credential (that
// limit counted per credential).
import { parseArgs } from 'node:util';
import { SANDBOX_CREDENTIALS, startSandbox } from './index.js';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    fail(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  }
  return n;
}

let flags;
try {
  flags = parseArgs({
    options: {
      'require-auth': { type: 'boolean', default: false },
      'rate-limit': { type: 'string' },
      'per-credential': { type: 'boolean', default: false },
    },
    strict: true,
  }).values;
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
const rate = flags['rate-limit'] === undefined ? undefined : Number(flags['rate-limit']);
if (rate !== undefined && !(Number.isInteger(rate) && rate > 0)) {
  fail('--rate-limit must be a positive integer (requests per second)');
}
const requireAuth = flags['require-auth'];

const sandbox = await startSandbox({
  latencyMs: envInt('SIM_LATENCY_MS', 0),
  ...(process.env['SIM_HOST'] ? { host: process.env['SIM_HOST'] } : {}),
  requireAuth,
  ...(rate === undefined
    ? {}
    : { rateLimit: { perSecond: rate, perCredential: flags['per-credential'] } }),
  users: { port: envInt('USERS_SIM_PORT', 4010) },
  vcard: { port: envInt('VCARD_SIM_PORT', 4020) },
});

const users = SANDBOX_CREDENTIALS.users;
const vcard = SANDBOX_CREDENTIALS.vcard;
const client = users.clients[0];
const owner = users.users[0];
const kazoo = vcard.users[0];
const run = `USERS_API_URL=${sandbox.users.url} VCARD_API_URL=${sandbox.vcard.url}`;
process.stdout.write(
  [
    `users API simulator: ${sandbox.users.url}   (OpenAPI: ${sandbox.users.url}/openapi.json)`,
    `  OAuth2 token endpoint: ${sandbox.users.tokenUrl}`,
    `vcard API simulator: ${sandbox.vcard.url}   (OpenAPI: ${sandbox.vcard.url}/openapi.json)`,
    `  PUT ${sandbox.vcard.url}/user_auth, PUT ${sandbox.vcard.url}/api_auth`,
    `accounts: ${sandbox.accountIds.map((id) => `${id} (${sandbox.dataset.accounts.get(id)?.length ?? 0} users)`).join(', ')}`,
    rate === undefined
      ? 'rate limit: none'
      : `rate limit: ${rate} requests/s per simulator${flags['per-credential'] ? ' and credential' : ''} (429 with Retry-After above it)`,
    requireAuth
      ? 'credentials: REQUIRED (tokens must come from the endpoints above)'
      : 'credentials: any token works (start with -- --require-auth for real checks)',
    'seeded service credentials (sandbox only, not secrets):',
    `  users API OAuth2 client:  USERS_API_CLIENT_ID=${client.clientId} USERS_API_CLIENT_SECRET=${client.clientSecret}`,
    `  users API password grant: USERS_API_USERNAME=${owner.username} USERS_API_PASSWORD=${owner.password}`,
    `  users API refresh token:  USERS_API_REFRESH_TOKEN=${users.refreshTokens[0]} (works once: rotated)`,
    `  vcard API user_auth:      VCARD_API_USERNAME=${kazoo.username} VCARD_API_PASSWORD=${kazoo.password} VCARD_API_ACCOUNT_NAME=${kazoo.accountName}`,
    `  vcard API api_auth:       VCARD_API_KEY=${vcard.apiKeys[0]}`,
    requireAuth
      ? `run the gateway against them: ${run} USERS_API_TOKEN_URL=${sandbox.users.tokenUrl} USERS_API_CLIENT_ID=${client.clientId} USERS_API_CLIENT_SECRET=${client.clientSecret} VCARD_API_KEY=${vcard.apiKeys[0]} npm start`
      : `run the gateway against them: ${run} npm start`,
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
