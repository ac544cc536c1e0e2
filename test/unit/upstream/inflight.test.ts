import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { SharedCallSignal, watchersOf } from '../../../src/upstream/caller-signal.js';
import type { CallerSignal } from '../../../src/upstream/caller-signal.js';
import { InflightCalls } from '../../../src/upstream/inflight.js';

function deferred<T>() {
  let resolve: (v: T) => void = () => undefined;
  let reject: (e: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('InflightCalls', () => {
  it('shares one call between concurrent callers of one key, and only while it is in flight', async () => {
    const calls = new InflightCalls<string>();
    let started = 0;
    const d = deferred<string>();
    const start = () => {
      started++;
      return d.promise;
    };
    const a = calls.join('k', undefined, start);
    const b = calls.join('k', undefined, start);
    const c = calls.join('other', undefined, () => Promise.resolve('o'));
    expect([a.shared, b.shared, c.shared]).toEqual([false, true, false]);
    d.resolve('v');
    expect(await Promise.all([a.result, b.result, c.result])).toEqual(['v', 'v', 'o']);
    expect(calls.size).toBe(0);
    calls.join('k', undefined, start);
    expect(started).toBe(2);
  });

  it('shares failures too', async () => {
    const calls = new InflightCalls<string>();
    const d = deferred<string>();
    const a = calls.join('k', undefined, () => d.promise);
    const b = calls.join('k', undefined, () => d.promise);
    d.reject(new Error('boom'));
    await expect(a.result).rejects.toThrow('boom');
    await expect(b.result).rejects.toThrow('boom');
  });

  it("one caller leaving neither aborts the shared call nor fails the others; the last one's leaving does", async () => {
    const calls = new InflightCalls<string>();
    const d = deferred<string>();
    let sharedSignal: CallerSignal | undefined;
    const first = new AbortController();
    const second = new AbortController();
    const a = calls.join('k', first.signal, (s) => {
      sharedSignal = s;
      return d.promise;
    });
    const b = calls.join('k', second.signal, () => d.promise);
    first.abort(new Error('client A gone'));
    await expect(a.result).rejects.toThrow('client A gone');
    expect(sharedSignal?.aborted).toBe(false);
    second.abort(new Error('client B gone'));
    await expect(b.result).rejects.toThrow('client B gone');
    expect(sharedSignal?.aborted).toBe(true);
    // A newcomer does not join the abandoned call.
    const c = calls.join('k', undefined, () => Promise.resolve('fresh'));
    expect(c.shared).toBe(false);
    expect(await c.result).toBe('fresh');
  });

  it('a caller joins only a call with at least half its own time left; else a fresh one, which the next join', async () => {
    const calls = new InflightCalls<string>();
    const old = deferred<string>();
    const fresh = deferred<string>();
    const now = Date.now();
    const a = calls.join('k', undefined, () => old.promise, now + 1_000);
    // 10 s to go against the call's 1 s: it would inherit a tenth of its time.
    const b = calls.join('k', undefined, () => fresh.promise, now + 10_000);
    // The fresh call is the one in flight for this key now: later callers join it.
    const c = calls.join('k', undefined, () => Promise.resolve('never'), now + 1_500);
    const d = calls.join('k', undefined, () => Promise.resolve('never'), now + 12_000);
    expect([a.shared, b.shared, c.shared, d.shared]).toEqual([false, false, true, true]);
    old.resolve('old');
    fresh.resolve('fresh');
    expect(await Promise.all([a.result, b.result, c.result, d.result])).toEqual([
      'old',
      'fresh',
      'fresh',
      'fresh',
    ]);
    expect(calls.size).toBe(0);
  });

  it('many calls under one caller listen on its signal once, and all leave when it aborts', async () => {
    const calls = new InflightCalls<string>();
    const client = new AbortController();
    const pending = deferred<string>();
    const shared: CallerSignal[] = [];
    const joined = Array.from({ length: 50 }, (_, i) =>
      calls.join(`k${String(i)}`, client.signal, (s) => {
        shared.push(s);
        return pending.promise;
      }),
    );
    expect(EventEmitter.getEventListeners(client.signal, 'abort')).toHaveLength(1);
    client.abort(new Error('client gone'));
    for (const j of joined) await expect(j.result).rejects.toThrow('client gone');
    expect(shared.map((s) => s.aborted)).toEqual(Array.from({ length: 50 }, () => true));
    expect(calls.size).toBe(0);
  });

  it('a caller that is answered stops watching its signal', async () => {
    const calls = new InflightCalls<string>();
    const client = new AbortController();
    const a = calls.join('a', client.signal, () => Promise.resolve('a'));
    const b = calls.join('b', client.signal, () => Promise.reject(new Error('b failed')));
    expect(await a.result).toBe('a');
    await expect(b.result).rejects.toThrow('b failed');
    expect(watchersOf(client.signal).size).toBe(0);
    // Aborting afterwards neither rejects anything nor aborts a finished call.
    client.abort(new Error('late'));
    expect(calls.size).toBe(0);
  });
});

describe('SharedCallSignal', () => {
  it('aborts once, with its reason, calling the listeners still added then', () => {
    const signal = new SharedCallSignal();
    const heard: string[] = [];
    const kept = () => heard.push('kept');
    const removed = () => heard.push('removed');
    signal.addEventListener('abort', kept);
    signal.addEventListener('abort', removed);
    signal.removeEventListener('abort', removed);
    expect([signal.aborted, signal.reason]).toEqual([false, undefined]);
    signal.abort('first');
    signal.abort('second');
    expect([signal.aborted, signal.reason]).toEqual([true, 'first']);
    expect(heard).toEqual(['kept']);
  });
});
