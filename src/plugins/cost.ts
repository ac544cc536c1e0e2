// MAX_QUERY_COST for the whole HTTP request: the costs of a batch's operations are summed, and a
// request over the limit is refused as a whole before any of its resolvers runs (so before any
// upstream call). The model is the SDL's (src/cost/); a cost is computed once per document and
// operation and values of the variables that size it.
import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context.js';
import { readCostTable } from '../cost/directives.js';
import type { CostTable } from '../cost/directives.js';
import { operationCost } from '../cost/query-cost.js';
import type { CostOptions } from '../cost/query-cost.js';
import { validationError } from './limits.js';

export interface CostLimitOptions extends CostOptions {
  maxCost: number;
  /** Default: the SDL's (schema/*.graphql). */
  table?: CostTable;
}

/** Costs per operation, kept per document; a document dropped by the parse cache drops its costs. */
export interface OperationCoster {
  cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Record<string, unknown>,
    operationName: string | null | undefined,
  ): number;
  /** How many times a cost was computed rather than found (for tests and profiling). */
  readonly computations: number;
}

/** Costs remembered per operation of one document, for this many variable shapes. */
const SHAPES_PER_OPERATION = 32;

export function createOperationCoster(table: CostTable, options: CostOptions): OperationCoster {
  interface Known {
    sizingVariables: readonly string[];
    byShape: Map<string, number>;
  }
  const byDocument = new WeakMap<DocumentNode, Map<string, Known>>();
  let computations = 0;
  return {
    get computations() {
      return computations;
    },
    cost(schema, document, variables, operationName) {
      let operations = byDocument.get(document);
      if (operations === undefined) {
        operations = new Map();
        byDocument.set(document, operations);
      }
      const name = operationName ?? '';
      const known = operations.get(name);
      const shape = known && shapeOf(known.sizingVariables, variables);
      const found = shape === undefined ? undefined : known?.byShape.get(shape);
      if (found !== undefined) return found;
      computations++;
      const { cost, sizingVariables } = operationCost(
        schema,
        table,
        document,
        options,
        variables,
        operationName,
      );
      const entry = known ?? { sizingVariables: [...sizingVariables].sort(), byShape: new Map() };
      if (entry.byShape.size >= SHAPES_PER_OPERATION) {
        // Oldest first out: Map keeps insertion order.
        entry.byShape.delete(entry.byShape.keys().next().value ?? '');
      }
      entry.byShape.set(shape ?? shapeOf(entry.sizingVariables, variables), cost);
      operations.set(name, entry);
      return cost;
    },
  };
}

/**
 * What the cost reads of the variables: numbers (page sizes), list lengths and whether a value is
 * given. Two requests with the same shape have the same cost.
 */
function shapeOf(names: readonly string[], variables: Record<string, unknown>): string {
  return names
    .map((name) => {
      const value = variables[name];
      if (typeof value === 'number') return String(value);
      if (Array.isArray(value)) return `[${value.length}]`;
      return value === undefined || value === null ? '-' : '+';
    })
    .join(',');
}

/** The operations of one HTTP request, costed as they reach execution. */
interface RequestTally {
  /** Operations in the request (a batch's length, else 1). */
  expected: number;
  /** Operations costed, plus those that ended before execution (bad syntax, invalid, …). */
  arrived: number;
  total: number;
  costed: WeakSet<object>;
  decided: Promise<void>;
  decide(): void;
}

function newTally(expected: number): RequestTally {
  let decide = (): void => undefined;
  const decided = new Promise<void>((resolve) => {
    decide = resolve;
  });
  return { expected, arrived: 0, total: 0, costed: new WeakSet(), decided, decide };
}

function arrive(tally: RequestTally): void {
  tally.arrived++;
  if (tally.arrived >= tally.expected) tally.decide();
}

export function useCostLimit(options: CostLimitOptions): Plugin<GatewayContext> {
  const coster = createOperationCoster(options.table ?? readCostTable(), options);
  const tallies = new WeakMap<Request, RequestTally>();
  const tallyOf = (request: Request): RequestTally => {
    let tally = tallies.get(request);
    if (tally === undefined) {
      tally = newTally(1);
      tallies.set(request, tally);
    }
    return tally;
  };

  return {
    onRequestParse({ request }) {
      return {
        onRequestParseDone({ requestParserResult }) {
          const expected = Array.isArray(requestParserResult) ? requestParserResult.length : 1;
          tallies.set(request, newTally(expected));
        },
      };
    },

    instrumentation: {
      // An operation that ends without reaching execution counts as arrived (cost 0), so the
      // others of its batch do not wait for it.
      async operation({ context, request }, wrapped) {
        try {
          await wrapped();
        } finally {
          const tally = tallyOf(request);
          if (!tally.costed.has(context)) arrive(tally);
        }
      },
    },

    async onExecute({ args, setResultAndStopExecution }) {
      const request = args.contextValue.request;
      const tally = tallyOf(request);
      tally.total += coster.cost(
        args.schema,
        args.document,
        args.variableValues ?? {},
        args.operationName,
      );
      tally.costed.add(args.contextValue);
      arrive(tally);
      // The other operations of the batch add their costs; none runs before all are known.
      await tally.decided;
      if (tally.total <= options.maxCost) return;
      const what =
        tally.expected > 1 ? ` (the ${tally.expected} operations of this request together)` : '';
      setResultAndStopExecution({
        errors: [
          validationError(
            `Query cost ${tally.total}${what} exceeds the limit of ${options.maxCost}: ask for smaller pages (first/last), fewer ids or fewer fields.`,
            { cost: tally.total, maxCost: options.maxCost },
          ),
        ],
      });
    },
  };
}
