import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CallCap } from '../../../src/upstream/call-cap.js';

describe('CallCap', () => {
  it('allows exactly min(asked, limit) calls and counts the rest as refused', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 120 }),
        (limit, asked) => {
          const cap = new CallCap(limit);
          const allowed = Array.from({ length: asked }, () => cap.take()).filter(Boolean).length;
          expect(allowed).toBe(Math.min(asked, limit));
          expect(cap.calls).toBe(allowed);
          expect(cap.refused).toBe(asked - allowed);
        },
      ),
    );
  });
});
