// The cost rules are declared in the SDL, once: every field whose resolver may call an upstream
// carries @cost, every list of objects has a size, and the default page size is read from there.
import { describe, expect, it } from 'vitest';
import { DEFAULT_PAGE_SIZE, readCostTable } from '../../../src/cost/directives.js';
import { resolvers } from '../../../src/resolvers/index.js';
import { buildSchema } from '../../../src/schema.js';

const table = readCostTable();

/**
 * Resolvers that never call an upstream, so they need no @cost. A resolver added to
 * src/resolvers/ must either get `@cost(weight: 25 × calls)` in schema/*.graphql or be listed here
 * with the reason.
 */
const FREE: Record<string, string> = {
  // Encodes the global id from fields the user already has.
  'User.id': 'pure',
  // The owner was loaded (or primed from a list page) in this request: the loader answers it.
  'Extension.user': 'primed',
  // Writes the card already loaded as text.
  'VCard.text': 'pure',
  // The edges' nodes.
  'UserConnection.nodes': 'pure',
  // Reached through `_entities`, which is priced per representation like `Query.user`.
  'User.__resolveReference': 'priced as Query.user',
  // Type resolution, not a field.
  'Node.__resolveType': 'not a field',
};

describe('@cost coverage', () => {
  const resolved = Object.entries(resolvers).flatMap(([type, fields]) =>
    Object.keys(fields ?? {}).map((field) => `${type}.${field}`),
  );

  it('knows the resolvers (the check below is not vacuous)', () => {
    expect(resolved).toEqual(expect.arrayContaining(['Query.users', 'User.vcard', 'User.id']));
  });

  it.each(resolved)('%s carries @cost or is listed as free', (coordinate) => {
    const declared = table.get(coordinate)?.weight;
    if (Object.hasOwn(FREE, coordinate)) {
      expect(declared, `${coordinate} is listed as free but has @cost`).toBeUndefined();
    } else {
      expect(
        declared,
        `${coordinate} has a resolver: add @cost or list it as free`,
      ).toBeGreaterThan(0);
    }
  });

  it('sizes every list of objects: @listSize, or a parent that names it in sizedFields', () => {
    const schema = buildSchema();
    const sizedByParent = new Set(
      [...table.entries()].flatMap(([coordinate, cost]) => {
        const field = coordinate.split('.')[1] ?? '';
        const type = schema.getQueryType()?.getFields()[field]?.type;
        const child = type === undefined ? '' : String(type).replace(/[[\]!]/g, '');
        return (cost.listSize?.sizedFields ?? []).map((f) => `${child}.${f}`);
      }),
    );
    const unsized: string[] = [];
    const checked: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      // Object types only (interfaces' fields are their implementations').
      if (type.name.startsWith('_') || !('getInterfaces' in type) || !('isTypeOf' in type))
        continue;
      for (const field of Object.values(type.getFields())) {
        const printed = String(field.type);
        const named = schema.getType(printed.replace(/[[\]!]/g, ''));
        const ofObjects = named !== undefined && named !== null && 'getFields' in named;
        const coordinate = `${type.name}.${field.name}`;
        if (!printed.startsWith('[') || !ofObjects || sizedByParent.has(coordinate)) continue;
        checked.push(coordinate);
        if (table.get(coordinate)?.listSize?.assumedSize === undefined) unsized.push(coordinate);
      }
    }
    expect(checked).toEqual(expect.arrayContaining(['User.extensions', 'Extension.dids']));
    expect(unsized).toEqual([]);
  });
});

describe('the default page size', () => {
  it('is the assumedSize of Query.users, and the SDL says so to the client', () => {
    expect(DEFAULT_PAGE_SIZE).toBe(20);
    const users = buildSchema().getQueryType()?.getFields()['users'];
    const first = users?.args.find((a) => a.name === 'first');
    expect(first?.description).toContain(`default ${DEFAULT_PAGE_SIZE}`);
    expect(users?.description).toContain(`\`first\` is ${DEFAULT_PAGE_SIZE}`);
    // An SDL default on `first`, if one is added, must say the same.
    if (first?.defaultValue !== undefined) expect(first.defaultValue).toBe(DEFAULT_PAGE_SIZE);
  });
});
