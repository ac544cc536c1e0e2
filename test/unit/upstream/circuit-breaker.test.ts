import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../../src/upstream/circuit-breaker.js';
import { parseRetryAfter } from '../../../src/upstream/steps/retry.js';

describe('CircuitBreaker', () => {
  function breaker() {
    let now = 0;
    const states: string[] = [];
    const b = new CircuitBreaker({
      threshold: 3,
      cooldownMs: 1000,
      now: () => now,
      onStateChange: (s) => states.push(s),
    });
    return { b, states, advance: (ms: number) => (now += ms) };
  }

  it('opens after `threshold` consecutive failures and refuses until the cooldown ends', () => {
    const { b, states, advance } = breaker();
    b.failure();
    b.failure();
    expect(b.allow()).toBe(true);
    b.failure();
    expect(b.state).toBe('open');
    expect(b.allow()).toBe(false);
    advance(999);
    expect(b.allow()).toBe(false);
    advance(1);
    expect(b.allow()).toBe(true); // the half-open probe
    expect(b.allow()).toBe(false); // only one probe at a time
    b.success();
    expect(b.state).toBe('closed');
    expect(b.allow()).toBe(true);
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('a failed probe re-opens the circuit for another cooldown', () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 3; i++) b.failure();
    advance(1000);
    expect(b.allow()).toBe(true);
    b.failure();
    expect(b.state).toBe('open');
    expect(b.allow()).toBe(false);
  });

  it('a success resets the count of consecutive failures', () => {
    const { b } = breaker();
    b.failure();
    b.failure();
    b.success();
    b.failure();
    b.failure();
    expect(b.state).toBe('closed');
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
