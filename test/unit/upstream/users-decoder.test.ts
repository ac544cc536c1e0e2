// The hand-written list-page decoder against its specification, the zod schema: every JSON value
// decodes to exactly what zod makes of it, or is refused by both.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUsersPage } from '../../../src/upstream/users-decoder.js';
import { usersPageDto } from '../../../src/upstream/users-schema.js';

/** What zod makes of a value: its output, or undefined when it refuses it. */
function oracle(json: unknown): unknown {
  const parsed = usersPageDto.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/** Any JSON value, small: what a broken upstream may send in place of a field. */
const junk = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -3, max: 3 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom('', '12', '-1', '1.5', 'x', '٣'),
  fc.constant([]),
  fc.constant({}),
  fc.constant(2 ** 53),
);
/** A field: usually well formed, sometimes missing or junk. */
const field = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: junk });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const str = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('Zoë', '0', '12'));
const num = fc.oneof(fc.nat({ max: 99999 }), str);
const list = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof(fc.array(arb, { maxLength: 3 }), fc.constant(null), fc.constant(undefined), junk);

const did = fc.record(
  { phone_number: field(num), custom_tag: field(fc.option(str)), extra: str },
  { requiredKeys: [] },
);
const extension = fc.record(
  { extension_number: field(num), dids: list(field(did)) },
  { requiredKeys: [] },
);
const contact = fc.record({ type: field(str), value: field(num) }, { requiredKeys: [] });
const user = fc.record(
  {
    id: field(fc.oneof(fc.nat(), fc.stringMatching(/^\d{1,6}$/))),
    email: field(fc.option(str)),
    login_name: field(fc.option(str)),
    first_name: field(fc.option(str)),
    last_name: field(fc.option(str)),
    contact_numbers: list(field(contact)),
    extensions: list(field(extension)),
    password: str,
  },
  { requiredKeys: ['id'] },
);
const page = fc.record(
  {
    page_size: field(fc.nat({ max: 100 })),
    page: field(fc.nat({ max: 100 })),
    total_pages: maybe(field(fc.nat({ max: 100 }))),
    total_items: field(fc.nat({ max: 9999 })),
    _embedded: fc.oneof(
      { weight: 8, arbitrary: fc.record({ data: list(field(user)) }, { requiredKeys: [] }) },
      { weight: 1, arbitrary: junk },
    ),
    _links: fc.constant({ self: { href: 'x' } }),
  },
  { requiredKeys: ['page_size', 'page', 'total_items'] },
);

describe('decodeUsersPage', () => {
  it('decodes every page as zod does, or refuses it as zod does', () => {
    fc.assert(
      fc.property(field(page), (value) => {
        // As it arrives: JSON (no undefined values, no NaN).
        const json: unknown = JSON.parse(JSON.stringify(value) ?? 'null');
        expect(decodeUsersPage(json)).toStrictEqual(oracle(json));
      }),
      { numRuns: 3000 },
    );
  });

  it('both accept most generated pages and refuse some (the property sees both sides)', () => {
    const samples = fc.sample(page, { numRuns: 500, seed: 1 });
    const accepted = samples.filter((p) => oracle(JSON.parse(JSON.stringify(p))) !== undefined);
    expect(accepted.length).toBeGreaterThan(50);
    expect(accepted.length).toBeLessThan(450);
  });

  it('a page as the simulator sends it', () => {
    const json = {
      page_size: 2,
      page: 1,
      total_items: 2,
      _embedded: {
        data: [
          { id: 7, first_name: 'Zoë', extensions: [{ extension_number: 790, dids: null }] },
          { id: '8', email: null, contact_numbers: [{ type: 'Home', value: 5 }] },
        ],
      },
    };
    expect(decodeUsersPage(json)).toStrictEqual(oracle(json));
    expect(decodeUsersPage(json)?._embedded.map((u) => u.id)).toEqual(['7', '8']);
  });
});
