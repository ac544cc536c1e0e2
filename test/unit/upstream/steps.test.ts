// The retry and auth steps over a scripted transport (no sockets): exact attempt counts against a
// plain oracle, and the token rules of the auth step.
import { EventEmitter } from 'node:events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../src/errors.js';
import { PerRequest, RequestScope, callOf } from '../../../src/upstream/call.js';
import type { Call } from '../../../src/upstream/call.js';
import { compose } from '../../../src/upstream/chain.js';
import type { Reply, Send, UpstreamRequest } from '../../../src/upstream/chain.js';
import { auth } from '../../../src/upstream/steps/auth.js';
import { CLIENT_GONE, deadline } from '../../../src/upstream/steps/deadline.js';
import { retry } from '../../../src/upstream/steps/retry.js';
import { ApiKeyTokens, staticToken } from '../../../src/upstream/tokens.js';

type Outcome = number | 'reset' | 'timeout';

/** A transport that answers from a script and records what it was sent. */
function scripted(outcomes: Outcome[]) {
  const sent: UpstreamRequest<unknown>[] = [];
  const send: Send = async <T>(req: UpstreamRequest<T>): Promise<Reply<T>> => {
    sent.push(req);
    const outcome = outcomes[sent.length - 1] ?? 200;
    const attempts = req.attempt ?? 1;
    if (outcome === 'reset') {
      throw new UpstreamError('users', { kind: 'network' }, undefined, attempts, true);
    }
    if (outcome === 'timeout') throw new UpstreamError('users', { kind: 'timeout' });
    const base = { status: outcome, headers: {}, requestId: undefined, attempts };
    if (outcome >= 200 && outcome < 300) {
      const value = req.decode({ ...base, contentType: 'text/plain', body: 'ok' });
      return { ...base, ok: true, value, size: 2 };
    }
    return { ...base, ok: false };
  };
  return { send, sent };
}

const scope = () => new RequestScope('r1', Date.now(), { at: Date.now() + 60_000 });
const get = (method: 'GET' | 'PUT' = 'GET'): UpstreamRequest<string> => ({
  method,
  path: '/x',
  route: '/x',
  headers: {},
  decode: (r) => r.body,
});

describe('retry step', () => {
  const outcome = fc.oneof(
    fc.constantFrom<Outcome>(200, 404, 500, 429, 502, 503, 504, 301, 'reset', 'timeout'),
  );

  it('makes exactly the attempts the oracle says, for any script of outcomes', async () => {
    const retriable = (o: Outcome) => o === 'reset' || [429, 502, 503, 504].includes(Number(o));
    await fc.assert(
      fc.asyncProperty(
        fc.array(outcome, { minLength: 1, maxLength: 5 }),
        fc.constantFrom<'GET' | 'PUT'>('GET', 'PUT'),
        async (outcomes, method) => {
          const t = scripted(outcomes);
          const { send } = compose([{ name: 'retry', step: retry({ baseBackoffMs: 0 }) }], t.send);
          await send(get(method), callOf(scope(), 'Bearer a')).catch(() => undefined);
          // Oracle: a GET goes on while the outcome is retriable, 3 attempts at most; a PUT once.
          let expected = 1;
          if (method === 'GET') {
            while (expected < 3 && retriable(outcomes[expected - 1] ?? 200)) expected++;
          }
          expect(t.sent).toHaveLength(expected);
          expect(t.sent.map((r) => r.attempt ?? 1)).toEqual(
            Array.from({ length: expected }, (_, i) => i + 1),
          );
        },
      ),
    );
  });

  it('gives the last answer at once when the backoff would end past the deadline', async () => {
    const t = scripted([503, 200]);
    // The jitter is pinned: unpinned, full jitter picks a wait under the 100 ms left about one
    // time in twenty (the 2 s ceiling times Math.random()), and the retry then rightly goes out.
    const { send } = compose(
      [{ name: 'retry', step: retry({ baseBackoffMs: 10_000, random: () => 0.5 }) }],
      t.send,
    );
    const s = new RequestScope('r1', Date.now(), { at: Date.now() + 300 });
    const started = Date.now();
    const reply = await send(get(), callOf(s, 'Bearer a'));
    expect(reply.status).toBe(503);
    expect(t.sent).toHaveLength(1);
    // At once: well before the 300 ms deadline, let alone the pinned 1 s wait.
    expect(Date.now() - started).toBeLessThan(150);
  });
});

describe('auth step', () => {
  function chain(tokens: Parameters<typeof auth>[1]['tokens'], outcomes: Outcome[]) {
    const t = scripted(outcomes);
    const { send } = compose(
      [{ name: 'auth', step: auth('vcard', { header: 'x-auth-token', tokens }) }],
      t.send,
    );
    return { send, sent: t.sent };
  }

  it('sends the request’s own credential, and a 401 to it is the answer (no resend)', async () => {
    const c = chain(staticToken('service'), [401]);
    const reply = await c.send(get(), callOf(scope(), 'client-token'));
    expect(reply.status).toBe(401);
    expect(c.sent.map((r) => r.headers['x-auth-token'])).toEqual(['client-token']);
  });

  it('a static service token is not resent after a 401', async () => {
    const c = chain(staticToken('service'), [401]);
    expect((await c.send(get(), callOf(scope(), undefined))).status).toBe(401);
    expect(c.sent.map((r) => r.headers['x-auth-token'])).toEqual(['service']);
  });

  it('without any credential: missing-credentials, nothing sent', async () => {
    const c = chain(undefined, []);
    await expect(c.send(get(), callOf(scope(), undefined))).rejects.toMatchObject({
      failure: { kind: 'missing-credentials' },
    });
    expect(c.sent).toHaveLength(0);
  });

  it('an exchanged token: one exchange for concurrent callers, renewed once on 401', async () => {
    let issued = 0;
    const exchanges: Call[] = [];
    const tokenSend: Send = async <T>(req: UpstreamRequest<T>, call: Call): Promise<Reply<T>> => {
      exchanges.push(call);
      await new Promise((resolve) => setTimeout(resolve, 10));
      const body = JSON.stringify({ auth_token: `t${++issued}` });
      const raw = {
        status: 200,
        headers: {},
        requestId: undefined,
        contentType: 'application/json',
        body,
      };
      return {
        ok: true,
        status: 200,
        headers: {},
        requestId: undefined,
        attempts: 1,
        value: req.decode(raw),
        size: 1,
      };
    };
    const tokens = new ApiKeyTokens({ send: tokenSend, apiKey: 'k', timeoutMs: 1_000 });
    const c = chain(tokens, [200, 200, 200, 401, 200]);
    const client = new AbortController();
    const callerScope = new RequestScope('first', Date.now(), {
      at: Date.now() + 50,
      signal: client.signal,
    });
    await Promise.all([1, 2, 3].map(() => c.send(get(), callOf(callerScope, undefined))));
    expect(exchanges).toHaveLength(1);
    // The exchange runs on its own deadline and without any caller's signal.
    expect(exchanges[0]?.deadline.signal).toBeUndefined();
    expect(exchanges[0]?.deadline.at).toBeGreaterThan(callerScope.deadline.at);
    expect(exchanges[0]?.requestId).toBe('first');
    const reply = await c.send(get(), callOf(scope(), undefined));
    expect(reply.status).toBe(200);
    expect(exchanges).toHaveLength(2);
    expect(c.sent.map((r) => r.headers['x-auth-token'])).toEqual(['t1', 't1', 't1', 't1', 't2']);
  });
});

describe('PerRequest', () => {
  it('keeps one state per request scope, shared by all calls of that request', () => {
    const calls = new PerRequest(() => ({ n: 0 }));
    const a = scope();
    const b = scope();
    calls.of(a).n++;
    calls.of(callOf(a, 'x').request).n++;
    calls.of(b).n++;
    expect(calls.of(a).n).toBe(2);
    expect(calls.of(b).n).toBe(1);
  });
});

describe('deadline step', () => {
  it("a client's hang-up aborts every attempt in flight under it, through one listener on its signal", async () => {
    // A transport that holds each attempt until it is stopped.
    const hold: Send = <T>(req: UpstreamRequest<T>): Promise<Reply<T>> =>
      new Promise((_resolve, reject) => {
        const stop = req.stop;
        stop?.listen({ onStop: () => reject(stop.reason as Error) });
      });
    const { send } = compose(
      [{ name: 'deadline', step: deadline('users', { timeoutMs: 60_000 }) }],
      hold,
    );
    const client = new AbortController();
    const s = new RequestScope('r1', Date.now(), {
      at: Date.now() + 60_000,
      signal: client.signal,
    });
    const attempts = Array.from({ length: 20 }, () =>
      send(get(), callOf(s, 'Bearer a')).catch((e: unknown) => e),
    );
    expect(EventEmitter.getEventListeners(client.signal, 'abort')).toHaveLength(1);
    client.abort();
    // Each attempt stopped with the reason the transport reads as the client's.
    expect(await Promise.all(attempts)).toEqual(Array.from({ length: 20 }, () => CLIENT_GONE));
  });
});
