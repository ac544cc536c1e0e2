import { describe, expect, it } from 'vitest';
import { FairShare } from '../../../src/upstream/fair-share.js';

const never = Date.now() + 60_000;
const giveUp = () => new Error('deadline');

describe('FairShare', () => {
  it('grants at once when a slot is free, queues beyond, and hands a freed slot to the next in turn', async () => {
    const share = new FairShare<string>({ capacity: 1, perRequest: 4 });
    const release = await share.acquire('t', 'r1', never, giveUp);
    const order: string[] = [];
    const heavy = share.acquire('t', 'r1', never, giveUp).then((rel) => (order.push('heavy'), rel));
    const light = share.acquire('u', 'r2', never, giveUp).then((rel) => (order.push('light'), rel));
    expect(share.waiting).toBe(2);
    release();
    release(); // idempotent: the slot is given back once
    const relHeavy = await Promise.race([heavy, light]);
    relHeavy();
    (await Promise.all([heavy, light])).forEach((rel) => rel());
    expect(order).toEqual(['heavy', 'light']);
    expect(share.inFlight).toBe(0);
  });

  it('a waiting call gives up at its deadline, or when its client leaves, and leaves the queue', async () => {
    const share = new FairShare<string>({ capacity: 1, perRequest: 1 });
    const release = await share.acquire('t', 'r1', never, giveUp);
    await expect(share.acquire('t', 'r2', Date.now() + 20, giveUp)).rejects.toThrow('deadline');
    const controller = new AbortController();
    const waiting = share.acquire('t', 'r3', never, giveUp, controller.signal);
    controller.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    expect(share.waiting).toBe(0);
    release();
    expect(share.inFlight).toBe(0);
  });
});
