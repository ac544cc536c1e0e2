// The cost of each field as the SDL declares it: `@cost(weight:)` on fields and arguments and
// `@listSize(assumedSize:, slicingArguments:, sizedFields:, requireOneSlicingArgument:)` on fields,
// as in the IBM GraphQL cost directive specification (Apollo Federation v2.9 defines both; Apollo
// Router's and Hive Gateway's demand control read the same directives).
import { Kind } from 'graphql';
import type {
  ConstDirectiveNode,
  ConstValueNode,
  DocumentNode,
  FieldDefinitionNode,
  InputValueDefinitionNode,
} from 'graphql';
import { loadTypeDefs } from '../sdl.js';

/** What the SDL says of one field (`Type.field`). */
export interface DeclaredCost {
  /** `@cost(weight:)` of the field; undefined: the spec's default (1 for an object, 0 for a leaf). */
  weight: number | undefined;
  /** `@cost(weight:)` of arguments: added once when the client gives the argument. */
  argumentWeights: ReadonlyMap<string, number>;
  /** SDL default values of Int arguments (a slicing argument's default is a page size). */
  argumentDefaults: ReadonlyMap<string, number>;
  listSize: ListSize | undefined;
}

export interface ListSize {
  assumedSize: number | undefined;
  slicingArguments: readonly string[];
  /** Child fields whose length the slicing arguments give (a connection's `edges`, `nodes`). */
  sizedFields: readonly string[];
  requireOneSlicingArgument: boolean;
}

export type CostTable = ReadonlyMap<string, DeclaredCost>;

/** Reads `@cost`/`@listSize` of every field of the SDL (types and their extensions). */
export function readCostTable(typeDefs: DocumentNode = loadTypeDefs()): CostTable {
  const table = new Map<string, DeclaredCost>();
  for (const definition of typeDefs.definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      definition.kind !== Kind.INTERFACE_TYPE_EXTENSION
    ) {
      continue;
    }
    for (const field of definition.fields ?? []) {
      table.set(`${definition.name.value}.${field.name.value}`, declaredCost(field));
    }
  }
  return table;
}

function declaredCost(field: FieldDefinitionNode): DeclaredCost {
  const argumentWeights = new Map<string, number>();
  const argumentDefaults = new Map<string, number>();
  for (const arg of field.arguments ?? []) {
    const weight = costWeight(arg);
    if (weight !== undefined) argumentWeights.set(arg.name.value, weight);
    if (arg.defaultValue?.kind === Kind.INT) {
      argumentDefaults.set(arg.name.value, Number.parseInt(arg.defaultValue.value, 10));
    }
  }
  const listSize = directive(field, 'listSize');
  return {
    weight: costWeight(field),
    argumentWeights,
    argumentDefaults,
    listSize: listSize && {
      assumedSize: intArgument(listSize, 'assumedSize'),
      slicingArguments: stringsArgument(listSize, 'slicingArguments'),
      sizedFields: stringsArgument(listSize, 'sizedFields'),
      // The directive's own default is true.
      requireOneSlicingArgument: booleanArgument(listSize, 'requireOneSlicingArgument') ?? true,
    },
  };
}

function directive(
  node: FieldDefinitionNode | InputValueDefinitionNode,
  name: string,
): ConstDirectiveNode | undefined {
  return node.directives?.find((d) => d.name.value === name);
}

function costWeight(node: FieldDefinitionNode | InputValueDefinitionNode): number | undefined {
  const cost = directive(node, 'cost');
  return cost && intArgument(cost, 'weight');
}

function argumentValue(node: ConstDirectiveNode, name: string): ConstValueNode | undefined {
  return node.arguments?.find((a) => a.name.value === name)?.value;
}

function intArgument(node: ConstDirectiveNode, name: string): number | undefined {
  const value = argumentValue(node, name);
  return value?.kind === Kind.INT ? Number.parseInt(value.value, 10) : undefined;
}

function booleanArgument(node: ConstDirectiveNode, name: string): boolean | undefined {
  const value = argumentValue(node, name);
  return value?.kind === Kind.BOOLEAN ? value.value : undefined;
}

function stringsArgument(node: ConstDirectiveNode, name: string): string[] {
  const value = argumentValue(node, name);
  if (value?.kind === Kind.STRING) return [value.value];
  if (value?.kind !== Kind.LIST) return [];
  return value.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : []));
}

/**
 * The page size of `users` without `first`/`last`: the `assumedSize` of its `@listSize`, so the
 * cost model, the resolver and routers reading the SDL agree on one declaration.
 */
function declaredDefaultPageSize(): number {
  const size = readCostTable().get('Query.users')?.listSize?.assumedSize;
  if (size === undefined) throw new Error('schema: Query.users needs @listSize(assumedSize:)');
  return size;
}

export const DEFAULT_PAGE_SIZE: number = declaredDefaultPageSize();
