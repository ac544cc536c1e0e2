// Executes each distinct document with graphql-jit: compiled once into plain JavaScript, so a query
// costs less CPU and allocates less than graphql-js's per-field walk (docs/performance.md). Two of
// jit's gaps are closed here (test/e2e/graphql-jit.test.ts reproduces both) and one is avoided:
// - a list whose items are promises loses or gains items when a rejected item settles out of order
//   (jit appends the null instead of writing it at the item's index): list resolvers here settle
//   their items first, so jit sees values and Error items, which it completes at their index;
// - jit's errors carry `locations` but neither `source` nor `positions`, and error masking rebuilds
//   errors from those: the errors are rebuilt from the document here, before masking runs;
// - jit has no incremental delivery (it answers @defer/@stream documents in one payload): those
//   documents, and any jit cannot compile, run on Yoga's standard executor, as do requests whose
//   variables fail coercion (jit words those errors its own way, without the HTTP 400).
import type { DocumentNode, ExecutionArgs, ExecutionResult, GraphQLSchema } from 'graphql';
import { BREAK, visit } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import type { CompiledQuery } from 'graphql-jit';
import { createGraphQLError, isPromise, makeExecute } from 'graphql-yoga';
import type { Plugin } from 'graphql-yoga';

type Compiled = CompiledQuery['query'] | null;

export function useCompiledExecutor(): Plugin {
  // Keyed by the parsed document, which Yoga's parse cache hands out once per distinct text.
  const compiled = new WeakMap<DocumentNode, Map<string, Compiled>>();
  const settled = new WeakSet<GraphQLSchema>();

  const compiledFor = (args: ExecutionArgs): Compiled => {
    let byOperation = compiled.get(args.document);
    if (byOperation === undefined) {
      byOperation = new Map();
      compiled.set(args.document, byOperation);
    }
    const operation = args.operationName ?? '';
    let query = byOperation.get(operation);
    if (query === undefined) {
      const result = hasIncrementalDelivery(args.document)
        ? undefined
        : compileQuery(args.schema, args.document, args.operationName ?? undefined);
      query = result !== undefined && isCompiledQuery(result) ? result.query : null;
      byOperation.set(operation, query);
    }
    return query;
  };

  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      if (!settled.has(args.schema)) {
        settleListItems(args.schema);
        settled.add(args.schema);
      }
      const query = compiledFor(args);
      if (query === null) return;
      setExecuteFn(
        makeExecute((a) => {
          const result = query(a.rootValue, a.contextValue, a.variableValues);
          if (isPromise(result)) return result.then((r) => relocated(r, a.document));
          // Variables jit cannot coerce come back without `data`: graphql-js words those errors
          // as the contract wants them (message, HTTP 400), so it answers that request.
          return 'data' in result ? relocated(result, a.document) : executeFn(a);
        }),
      );
    },
  };
}

function hasIncrementalDelivery(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Directive(node) {
      if (node.name.value === 'defer' || node.name.value === 'stream') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * Every list field with a resolver answers one promise of its settled items: a failed item becomes
 * its Error, which both executors report at the item's index with the item null.
 */
export function settleListItems(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    // Object and interface types; input objects have fields but no resolvers.
    if (type.name.startsWith('__') || !('getFields' in type) || !('getInterfaces' in type))
      continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = 'resolve' in field ? field.resolve : undefined;
      // Structural (`[T]`, `[T]!`): the schema may come from another copy of graphql.
      if (resolve === undefined || !String(field.type).replace(/!$/, '').startsWith('[')) continue;
      field.resolve = (source, args, context, info) => {
        const value: unknown = resolve(source, args, context, info);
        return isPromise(value) ? value.then(settleItems) : settleItems(value);
      };
    }
  }
}

function settleItems(value: unknown): unknown {
  if (!Array.isArray(value) || !value.some((item) => isPromise(item))) return value;
  return Promise.all(
    value.map((item: unknown) =>
      isPromise(item)
        ? item.then(
            (v) => v,
            (reason: unknown) => (reason instanceof Error ? reason : new Error(String(reason))),
          )
        : item,
    ),
  );
}

/** jit's errors rebuilt with the document's source and positions, as graphql-js makes them. */
function relocated(result: ExecutionResult, document: DocumentNode): ExecutionResult {
  const source = document.loc?.source;
  if (result.errors === undefined || source === undefined) return result;
  let lineStarts: number[] | undefined;
  const errors = result.errors.map((error) => {
    if (error.nodes !== undefined || error.locations === undefined) return error;
    lineStarts ??= linesOf(source.body);
    const starts = lineStarts;
    return createGraphQLError(error.message, {
      source,
      positions: error.locations.map(({ line, column }) => (starts[line - 1] ?? 0) + column - 1),
      path: error.path ?? null,
      originalError: error.originalError ?? null,
      extensions: error.extensions,
    });
  });
  return { ...result, errors };
}

function linesOf(body: string): number[] {
  const starts = [0];
  // graphql's lexer counts \r\n, \n and \r as line ends.
  for (const match of body.matchAll(/\r\n|[\n\r]/g)) starts.push(match.index + match[0].length);
  return starts;
}
