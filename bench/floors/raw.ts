// Floor system 1: node:http + undici + JSON, no GraphQL. It answers a plain JSON request
// `{ accountId, first, vcard }` with exactly the JSON this gateway answers Q1 (vcard false) and Q2
// (vcard true) with: what the least a server on this stack can do to produce those answers costs.
//
// Env: PORT, USERS_API_URL, VCARD_API_URL, USERS_API_TOKEN, VCARD_API_TOKEN.
import { createServer, type IncomingMessage } from 'node:http';
import type { VCard } from '../../src/domain.js';
import { listenPort, upstreamsFromEnv, type FloorUser } from './upstream.js';

interface RawRequest {
  accountId: string;
  first: number;
  vcard?: boolean;
}

const upstreams = upstreamsFromEnv();

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The fields of a user Q1 selects, in its order. */
const q1User = (u: FloorUser) => ({
  userId: u.userId,
  firstName: u.firstName,
  lastName: u.lastName,
  extensions: u.extensions,
});

/** The fields of a vCard Q2 selects. */
const q2Vcard = (card: VCard | null) =>
  card === null
    ? null
    : {
        formattedName: card.formattedName,
        title: card.title,
        emails: card.emails,
        phones: card.phones.map((p) => ({ number: p.number, types: p.types })),
      };

async function answer(ask: RawRequest): Promise<unknown> {
  const page = await upstreams.firstPage(ask.accountId, ask.first);
  const nodes = await Promise.all(
    page.nodes.map(async (u) =>
      ask.vcard === true
        ? { ...q1User(u), vcard: q2Vcard(await upstreams.vcard(u.accountId, u.userId)) }
        : q1User(u),
    ),
  );
  return { data: { users: { totalCount: page.totalCount, pageInfo: page.pageInfo, nodes } } };
}

const server = createServer((request, response) => {
  readBody(request)
    .then((body) => answer(JSON.parse(body) as RawRequest))
    .then(
      (data) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(data));
      },
      (error: unknown) => {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ errors: [{ message: String(error) }] }));
      },
    );
});
server.keepAliveTimeout = 65_000;
server.listen(listenPort(), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
