// Limits on the shape of one operation: depth, aliases, tokens, directives (GraphQL Armor) and the
// length of the document. Every rejection happens before a resolver runs, so a refused request
// costs no upstream call.
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { createGraphQLError } from 'graphql-yoga';
import type { Plugin } from 'graphql-yoga';

export interface LimitOptions {
  maxQueryDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
}

/**
 * Characters a document may have per token it may have (MAX_TOKENS): room for names, indentation
 * and comments; 16,000 characters with the default 1,000 tokens.
 */
export const CHARACTERS_PER_TOKEN = 16;

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

export function useOperationLimits(options: LimitOptions): Plugin[] {
  return [
    useDocumentLength(options.maxTokens * CHARACTERS_PER_TOKEN),
    EnvelopArmorPlugin({
      maxDepth: {
        n: options.maxQueryDepth,
        // Depth counts fields, not the fragments that group them.
        flattenFragments: true,
        // GraphiQL's own introspection query is ~13 fields deep; graphql-js's
        // MaxIntrospectionDepthRule already stops the `fields { type { fields …` cycles.
        ignoreIntrospection: true,
        propagateOnRejection: false,
        onReject: [reject],
      },
      maxAliases: { n: options.maxAliases, propagateOnRejection: false, onReject: [reject] },
      maxTokens: { n: options.maxTokens, propagateOnRejection: false, onReject: [reject] },
      maxDirectives: { n: options.maxDirectives, propagateOnRejection: false, onReject: [reject] },
      // The cost is the SDL's (src/plugins/cost.ts); suggestions are src/plugins/suggestions.ts's.
      costLimit: { enabled: false },
      blockFieldSuggestion: { enabled: false },
    }) as Plugin,
  ];
}

/**
 * Whitespace and comments are not tokens, so MAX_TOKENS alone lets through documents of any length
 * below the body limit, each of which the parse cache would keep. Checked on the texts the client
 * sent, before any is parsed or remembered (automatic persisted queries included).
 */
function useDocumentLength(maxLength: number): Plugin {
  return {
    onRequestParse() {
      return {
        onRequestParseDone({ requestParserResult }) {
          const all = Array.isArray(requestParserResult)
            ? requestParserResult
            : [requestParserResult];
          for (const params of all) {
            const length = typeof params.query === 'string' ? params.query.length : 0;
            if (length > maxLength) {
              throw validationError(
                `The document is ${length} characters long; the limit is ${maxLength} (${CHARACTERS_PER_TOKEN} per token of MAX_TOKENS).`,
              );
            }
          }
        },
      };
    },
  };
}
