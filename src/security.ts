// Limits on what one HTTP request may ask of the gateway: operation shape (depth, aliases, tokens,
// directives), operation cost with list sizes, CSRF, and the Yoga options for batching and the
// body size. Every rejection happens before a resolver runs, so a refused request costs no
// upstream call.
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { Kind } from 'graphql';
import type {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLField,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
  ValidationRule,
  ValueNode,
} from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import type { Plugin, YogaServerOptions } from 'graphql-yoga';
import type { Config } from './config.js';
import type { GatewayContext } from './context.js';

/**
 * Headers a browser cannot send cross-origin without a CORS preflight: Yoga's own GraphiQL and
 * client send the first, Apollo Client the other two. `Authorization` is not one of them, since
 * browsers attach cached Basic credentials to simple requests by themselves.
 */
export const CSRF_HEADERS = [
  'x-graphql-yoga-csrf',
  'apollo-require-preflight',
  'x-apollo-operation-name',
];

/** The Yoga options of this module: batching and the request body cap. */
export function securityOptions(
  config: Config,
): Pick<
  YogaServerOptions<Record<string, unknown>, GatewayContext>,
  'batching' | 'maxRequestBodySize'
> {
  return {
    // Yoga refuses a larger batch as a whole (413, "Batching is limited to N operations").
    batching: config.maxBatchSize > 0 ? { limit: config.maxBatchSize } : false,
    // Yoga checks Content-Length first and counts streamed bytes otherwise, so an oversized body
    // is refused (413) without being read to the end.
    maxRequestBodySize: config.maxRequestBytes,
  };
}

/** The plugins of this module, in the order they should run. */
export function securityPlugins(config: Config): Plugin[] {
  return [
    // JSON POSTs always get a preflight; GET, form and multipart requests must prove they did too.
    useCSRFPrevention({ requestHeaders: CSRF_HEADERS }),
    ...(config.introspection ? [] : [useNoIntrospection()]),
    EnvelopArmorPlugin({
      maxDepth: {
        n: config.maxQueryDepth,
        // Depth counts fields, not the fragments that group them.
        flattenFragments: true,
        // GraphiQL's own introspection query is ~13 fields deep; graphql-js's
        // MaxIntrospectionDepthRule already stops the `fields { type { fields …` cycles.
        ignoreIntrospection: true,
        propagateOnRejection: false,
        onReject: [reject],
      },
      maxAliases: { n: config.maxAliases, propagateOnRejection: false, onReject: [reject] },
      maxTokens: { n: config.maxTokens, propagateOnRejection: false, onReject: [reject] },
      maxDirectives: { n: config.maxDirectives, propagateOnRejection: false, onReject: [reject] },
      // Armor's cost does not multiply by `first`/`last`; useQueryCost below does.
      costLimit: { enabled: false },
      // Without introspection the schema is not public, so "Did you mean …" must not leak it.
      blockFieldSuggestion: { enabled: !config.introspection },
    }) as Plugin,
    useQueryCost({
      maxCost: config.maxQueryCost,
      maxPageSize: config.maxPageSize,
      defaultPageSize: DEFAULT_PAGE_SIZE,
    }),
  ];
}

/** A rejection the client can act on: GRAPHQL_VALIDATION_FAILED and HTTP 400, no upstream call. */
export function validationError(message: string, extensions: Record<string, unknown> = {}) {
  // Yoga's own error factory: its copy of graphql recognises the error and strips `http`.
  return createGraphQLError(message, {
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 }, ...extensions },
  });
}

/**
 * Armor's messages start with "Syntax Error: " and carry no code. During validation (a context is
 * given) the error joins the other validation errors; the token counter runs inside the parser,
 * which has no context, so it throws (Yoga answers a thrown GraphQLError as it is).
 */
type ArmorConfig = NonNullable<Parameters<typeof EnvelopArmorPlugin>[0]>;
type RejectCallback = NonNullable<NonNullable<ArmorConfig['maxDepth']>['onReject']>[number];

const reject: RejectCallback = (context, error) => {
  const clear = validationError(error.message.replace(/^Syntax Error: /, ''));
  if (context === null) throw clear;
  context.reportError(clear);
};

/**
 * Without introspection the schema is not a public document. Matched by field name rather than
 * with graphql's NoSchemaIntrospectionCustomRule, whose type checks reject the schema built by
 * @apollo/subgraph's copy of graphql when two copies are loaded (as under vitest).
 */
export const noIntrospectionRule: ValidationRule = (context) => ({
  Field(node) {
    const name = node.name.value;
    if (name === '__schema' || name === '__type') {
      context.reportError(
        validationError(`Introspection is disabled on this server (field "${name}").`),
      );
    }
  },
});

function useNoIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(noIntrospectionRule);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Cost

/** `users` without `first`/`last` pages by 20 (schema/users.graphql). */
export const DEFAULT_PAGE_SIZE = 20;
/** Items assumed in a list the client cannot size: a user's extensions, DIDs, phones, … */
export const UNSIZED_LIST_ITEMS = 5;
/** What one field costs per item it is resolved for. */
export const FIELD_COST = 1;
/**
 * What a field that may call an upstream costs per item: an HTTP round trip outweighs many
 * in-memory fields, and this weight is what bounds the upstream calls one request can cause.
 */
export const UPSTREAM_FIELD_COST = 25;

/** Fields whose resolvers may call an upstream (through the per-request loaders). */
const UPSTREAM_FIELDS = new Set([
  'Query.users',
  'Query.user',
  'Query.vcard',
  'Query.node',
  'Query.nodes',
  'Query._entities',
  'User.vcard',
  'Extension.user',
]);

export interface CostOptions {
  /** `first`/`last` above this are refused by the resolver anyway; they count as this much. */
  maxPageSize: number;
  /** Page size of a connection without `first`/`last`. */
  defaultPageSize: number;
}

/**
 * The cost of the operation that will run: Σ over selected fields of
 * `items × (weight + cost of its selection)`, where `weight` is UPSTREAM_FIELD_COST for fields that
 * may call an upstream and FIELD_COST otherwise, and `items` is 1 for a non-list field and for a
 * list: the length of its list argument (`nodes(ids:)`, `_entities(representations:)`), else the
 * `first`/`last` of the connection it belongs to (`users(first: 100) { nodes }` → 100, clamped to
 * `maxPageSize`, `defaultPageSize` when absent), else UNSIZED_LIST_ITEMS. Arguments given as
 * variables use the request's values. `__typename` and introspection cost nothing: they never
 * leave the process (and introspection is off in production).
 *
 * Example: `{ users(accountId: "1", first: 100) { nodes { vcard { formattedName } } } }`
 * = 25 + 100 × (1 + (25 + 1)) = 2,725.
 */
export function queryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  options: CostOptions,
  variables: Record<string, unknown> = {},
  operationName?: string | null,
): number {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const operation =
    operationName == null ? operations[0] : operations.find((o) => o.name?.value === operationName);
  if (operation === undefined) return 0;
  const root =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  if (!root) return 0;

  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  }
  // Variables the request left out take their declared defaults.
  const values = new Map<string, unknown>();
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (variables[name] !== undefined) values.set(name, variables[name]);
    else if (definition.defaultValue) values.set(name, literal(definition.defaultValue, values));
  }
  // A fragment spread many times is costed once per (fragment, type, page size): nested spreads
  // cannot make this walk exponential.
  const memo = new Map<string, number>();

  const selectionCost = (
    set: SelectionSetNode,
    typeName: string,
    page: number | undefined,
  ): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        total += fieldCost(selection, typeName, page);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition?.name.value ?? typeName;
        total += selectionCost(selection.selectionSet, on, page);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment) continue;
        const on = fragment.typeCondition.name.value;
        const key = `${fragment.name.value}\u0000${on}\u0000${page ?? ''}`;
        let cost = memo.get(key);
        if (cost === undefined) {
          memo.set(key, 0); // a cycle (refused by validation anyway) adds nothing
          cost = selectionCost(fragment.selectionSet, on, page);
          memo.set(key, cost);
        }
        total += cost;
      }
    }
    return total;
  };

  const fieldCost = (node: FieldNode, typeName: string, page: number | undefined): number => {
    const name = node.name.value;
    if (name.startsWith('__')) return 0;
    const field = fieldsOf(schema, typeName)?.[name];
    if (!field) return 0;
    const args = argumentValues(node, values);
    const ownPage = pageSizeOf(field, args, options);
    const items = isListType(String(field.type))
      ? (listArgumentLength(field, args) ?? page ?? UNSIZED_LIST_ITEMS)
      : 1;
    const weight = UPSTREAM_FIELDS.has(`${typeName}.${name}`) ? UPSTREAM_FIELD_COST : FIELD_COST;
    const below = node.selectionSet
      ? selectionCost(node.selectionSet, namedTypeOf(String(field.type)), ownPage)
      : 0;
    return items * (weight + below);
  };

  return selectionCost(operation.selectionSet, root.name, undefined);
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

// Types are read from their printed form ("[User!]!") rather than with graphql's predicates,
// which reject the other copy of graphql's classes.
const isListType = (printed: string): boolean => printed.startsWith('[');
const namedTypeOf = (printed: string): string => printed.replace(/[[\]!]/g, '');

/** The `first`/`last` of a connection field, clamped to the page maximum. */
function pageSizeOf(
  field: GraphQLField<unknown, unknown>,
  args: Map<string, unknown>,
  options: CostOptions,
): number | undefined {
  const names = field.args.map((a) => a.name);
  if (!names.includes('first') && !names.includes('last')) return undefined;
  const asked = [args.get('first'), args.get('last')].find((v) => typeof v === 'number');
  if (typeof asked !== 'number') return options.defaultPageSize;
  return Math.max(0, Math.min(asked, options.maxPageSize));
}

/** The length of the list argument that decides how many items a list field answers. */
function listArgumentLength(
  field: GraphQLField<unknown, unknown>,
  args: Map<string, unknown>,
): number | undefined {
  for (const arg of field.args) {
    if (!isListType(String(arg.type))) continue;
    const value = args.get(arg.name);
    if (Array.isArray(value)) return value.length;
    // Input coercion turns a single value into a list of one.
    if (value !== undefined && value !== null) return 1;
  }
  return undefined;
}

function argumentValues(node: FieldNode, variables: Map<string, unknown>): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const arg of node.arguments ?? []) out.set(arg.name.value, literal(arg.value, variables));
  return out;
}

/** The JS value of a literal (variables substituted); only numbers and list lengths matter here. */
function literal(node: ValueNode, variables: Map<string, unknown>): unknown {
  switch (node.kind) {
    case Kind.VARIABLE:
      return variables.get(node.name.value);
    case Kind.INT:
      return Number.parseInt(node.value, 10);
    case Kind.LIST:
      return node.values.map((v) => literal(v, variables));
    case Kind.NULL:
      return null;
    default:
      return 'value' in node ? node.value : {};
  }
}

/**
 * Refuses an operation whose cost exceeds `maxCost` before any resolver runs. It runs at execute
 * time, not as a validation rule, because list sizes may come from variables and Yoga caches
 * validation per document.
 */
export function useQueryCost(options: CostOptions & { maxCost: number }): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const cost = queryCost(
        args.schema,
        args.document,
        options,
        (args.variableValues ?? {}) as Record<string, unknown>,
        args.operationName,
      );
      if (cost > options.maxCost) {
        setResultAndStopExecution({
          errors: [
            validationError(
              `Query cost ${cost} exceeds the limit of ${options.maxCost}: ask for smaller pages (first/last), fewer ids or fewer fields.`,
              { cost, maxCost: options.maxCost },
            ),
          ],
        });
      }
    },
  };
}
