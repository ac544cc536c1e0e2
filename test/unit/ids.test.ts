import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { assertUserId, decodeUserGlobalId, encodeUserGlobalId } from '../../src/ids.js';

/** The oracle: a users API user id is the decimal spelling of a safe non-negative integer. */
const isCanonicalNumber = (value: string): boolean =>
  /^[0-9]+$/.test(value) && Number.isSafeInteger(Number(value)) && String(Number(value)) === value;

describe('assertUserId (users API user ids are numbers)', () => {
  it('accepts exactly the canonical decimal spelling of a safe non-negative integer', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.maxSafeNat().map(String),
          fc.string(),
          fc.stringMatching(/^[0-9+\-.eExX_ ]{1,20}$/),
        ),
        (value) => {
          const accepted = (() => {
            try {
              return assertUserId(value, 'userId') === value;
            } catch (error) {
              expect(error).toBeInstanceOf(InputError);
              return false;
            }
          })();
          expect(accepted, JSON.stringify(value)).toBe(isCanonicalNumber(value));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('global ids of users round-trip; one with a non-numeric user id is refused', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_]{1,20}$/), fc.maxSafeNat(), (accountId, n) => {
        const ref = { accountId, userId: String(n) };
        expect(decodeUserGlobalId(encodeUserGlobalId(ref))).toEqual(ref);
      }),
    );
    for (const userId of ['abc', '007', '1e3', '-1']) {
      expect(() => decodeUserGlobalId(encodeUserGlobalId({ accountId: '1001', userId }))).toThrow(
        InputError,
      );
    }
  });
});
