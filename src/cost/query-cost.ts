// The cost of one operation from the SDL's @cost/@listSize (src/cost/directives.ts). Pure.
//
// As in the IBM cost specification (and Apollo Router's static estimate):
//   cost(field) = size × (weight + cost(selection)) + Σ weights of the arguments given
// where `weight` is the field's @cost, else 1 for a field of object, interface or union type and
// 0 for a scalar or enum; `size` is 1 for a field that is not a list, else (first that applies):
//   - the slicing argument its parent's @listSize names it in `sizedFields` with (a connection's
//     `edges` and `nodes` are as long as `first`/`last` says);
//   - its own slicing arguments (`first`/`last`), clamped to MAX_PAGE_SIZE (the resolver refuses
//     more), else their SDL default, else `assumedSize`;
//   - the length of a list argument (`nodes(ids:)`, `_entities(representations:)`), at most
//     `assumedSize` (the resolver refuses more): the gateway's own reading, since the spec's
//     slicing arguments are Int only;
//   - `assumedSize`; 1 when nothing is declared (only lists of leaves, which weigh 0, lack one).
// `__typename` and introspection cost nothing: they never leave the process. `_entities` is
// @apollo/subgraph's field, not in our SDL: each representation is resolved by key through the
// user loader, like `Query.user`, and weighs what that field declares.
//
// One upstream call weighs 25 in the SDL, so a cost bounds the upstream calls of an operation:
// `users(first: 100) { nodes { vcard { formattedName } } }` = 50 + 100 × (1 + 25) = 2,650, and
// makes 1 list call and 100 vCard calls.
import { Kind } from 'graphql';
import type {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLField,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
  ValueNode,
} from 'graphql';
import type { CostTable, DeclaredCost } from './directives.js';

export interface CostOptions {
  /** `first`/`last` above this are refused by the resolver anyway; they count as this much. */
  maxPageSize: number;
}

/** The field `_entities` resolves representations like. */
const ENTITY_LOOKUP = 'Query.user';

export interface OperationCost {
  cost: number;
  /**
   * The variables the cost depends on (list sizes, arguments with a weight). Others, such as an
   * `accountId`, do not change it: the cost is cached per values of these only.
   */
  sizingVariables: ReadonlySet<string>;
}

/** Cost of the named operation (or the only one) of `document`, with the request's variables. */
export function operationCost(
  schema: GraphQLSchema,
  table: CostTable,
  document: DocumentNode,
  options: CostOptions,
  variables: Record<string, unknown> = {},
  operationName?: string | null,
): OperationCost {
  const sizingVariables = new Set<string>();
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const operation =
    operationName == null ? operations[0] : operations.find((o) => o.name?.value === operationName);
  if (operation === undefined) return { cost: 0, sizingVariables };
  const root =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  if (!root) return { cost: 0, sizingVariables };

  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  }
  // Variables the request left out take their declared defaults.
  const defaults = new Map<string, ValueNode>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue)
      defaults.set(definition.variable.name.value, definition.defaultValue);
  }
  const variable = (name: string): unknown => {
    sizingVariables.add(name);
    if (variables[name] !== undefined) return variables[name];
    const fallback = defaults.get(name);
    return fallback === undefined ? undefined : literal(fallback, variable);
  };
  const argument = (node: FieldNode, name: string): unknown => {
    const value = node.arguments?.find((a) => a.name.value === name)?.value;
    return value === undefined ? undefined : literal(value, variable);
  };

  // A fragment spread many times is costed once per (fragment, type, size from its parent):
  // nested spreads cannot make this walk exponential.
  const memo = new Map<string, number>();

  const selectionCost = (set: SelectionSetNode, typeName: string, sized: Sized): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        total += fieldCost(selection, typeName, sized);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition?.name.value ?? typeName;
        total += selectionCost(selection.selectionSet, on, sized);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment) continue;
        const on = fragment.typeCondition.name.value;
        const key = `${fragment.name.value}\u0000${on}\u0000${sized?.fields.join(',') ?? ''}\u0000${sized?.size ?? ''}`;
        let cost = memo.get(key);
        if (cost === undefined) {
          memo.set(key, 0); // a cycle (refused by validation anyway) adds nothing
          cost = selectionCost(fragment.selectionSet, on, sized);
          memo.set(key, cost);
        }
        total += cost;
      }
    }
    return total;
  };

  const fieldCost = (node: FieldNode, typeName: string, sized: Sized): number => {
    const name = node.name.value;
    if (name.startsWith('__')) return 0;
    const field = fieldsOf(schema, typeName)?.[name];
    if (!field) return 0;
    const declared =
      typeName === root.name && name === '_entities'
        ? table.get(ENTITY_LOOKUP)
        : table.get(`${typeName}.${name}`);
    const printed = String(field.type);
    const named = namedTypeOf(printed);
    const weight = declared?.weight ?? (isComposite(schema, named) ? 1 : 0);

    let argumentCost = 0;
    for (const [arg, w] of declared?.argumentWeights ?? []) {
      const value = argument(node, arg);
      if (value !== undefined && value !== null) argumentCost += w;
    }

    const slicing = slicingSize(node, declared, argument, options);
    let size = 1;
    if (sized !== undefined && sized.fields.includes(name)) size = sized.size;
    else if (isListType(printed)) {
      size =
        slicing ??
        listArgumentLength(field, node, argument, declared?.listSize?.assumedSize) ??
        declared?.listSize?.assumedSize ??
        1;
    }
    const forChildren: Sized =
      declared?.listSize && declared.listSize.sizedFields.length > 0 && slicing !== undefined
        ? { fields: declared.listSize.sizedFields, size: slicing }
        : undefined;
    const below = node.selectionSet ? selectionCost(node.selectionSet, named, forChildren) : 0;
    return size * (weight + below) + argumentCost;
  };

  return { cost: selectionCost(operation.selectionSet, root.name, undefined), sizingVariables };
}

/** The size a parent's slicing arguments give to the children it names in `sizedFields`. */
type Sized = { fields: readonly string[]; size: number } | undefined;

/**
 * The size a field's slicing arguments say: the largest one given (both `first` and `last` are
 * refused by the resolver anyway), clamped to [0, maxPageSize]; none given: a slicing argument's
 * SDL default, else `assumedSize`. Undefined for a field without slicing arguments.
 */
function slicingSize(
  node: FieldNode,
  declared: DeclaredCost | undefined,
  argument: (node: FieldNode, name: string) => unknown,
  options: CostOptions,
): number | undefined {
  const listSize = declared?.listSize;
  if (!listSize || listSize.slicingArguments.length === 0) return undefined;
  const given = listSize.slicingArguments
    .map((name) => argument(node, name))
    .filter((v): v is number => typeof v === 'number');
  if (given.length > 0) return Math.max(0, Math.min(Math.max(...given), options.maxPageSize));
  for (const name of listSize.slicingArguments) {
    const fallback = declared.argumentDefaults.get(name);
    if (fallback !== undefined) return fallback;
  }
  return listSize.assumedSize;
}

/** The length of the list argument that decides how many items a list field answers. */
function listArgumentLength(
  field: GraphQLField<unknown, unknown>,
  node: FieldNode,
  argument: (node: FieldNode, name: string) => unknown,
  atMost: number | undefined,
): number | undefined {
  for (const arg of field.args) {
    if (!isListType(String(arg.type))) continue;
    const value = argument(node, arg.name);
    // Input coercion turns a single value into a list of one.
    const length = Array.isArray(value) ? value.length : value == null ? undefined : 1;
    if (length !== undefined) return atMost === undefined ? length : Math.min(length, atMost);
  }
  return undefined;
}

function fieldsOf(
  schema: GraphQLSchema,
  typeName: string,
): Record<string, GraphQLField<unknown, unknown>> | undefined {
  const type = schema.getType(typeName);
  // Structural check: the schema is built by @apollo/subgraph's copy of graphql.
  return type && 'getFields' in type && typeof type.getFields === 'function'
    ? (type.getFields() as Record<string, GraphQLField<unknown, unknown>>)
    : undefined;
}

/** Object, interface or union (a return type is never an input type): weighs 1 by default. */
function isComposite(schema: GraphQLSchema, typeName: string): boolean {
  const type = schema.getType(typeName);
  return type !== undefined && type !== null && ('getFields' in type || 'getTypes' in type);
}

// Types are read from their printed form ("[User!]!") rather than with graphql's predicates,
// which reject the other copy of graphql's classes.
const isListType = (printed: string): boolean => printed.startsWith('[');
const namedTypeOf = (printed: string): string => printed.replace(/[[\]!]/g, '');

/** The JS value of a literal (variables substituted); only numbers and list lengths matter here. */
function literal(node: ValueNode, variable: (name: string) => unknown): unknown {
  switch (node.kind) {
    case Kind.VARIABLE:
      return variable(node.name.value);
    case Kind.INT:
      return Number.parseInt(node.value, 10);
    case Kind.LIST:
      return node.values.map((v) => literal(v, variable));
    case Kind.NULL:
      return null;
    default:
      return 'value' in node ? node.value : {};
  }
}
