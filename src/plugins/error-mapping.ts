// How errors leave the gateway: the contract's codes for known errors (src/errors.ts), masking for
// unexpected ones, the same for @defer/@stream payloads, and log lines without query text.
import {
  createGraphQLError,
  handleStreamOrSingleExecutionResult,
  maskError as yogaMaskError,
} from 'graphql-yoga';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { GatewayContext } from '../context.js';
import { isGraphQLError, toGraphQLError } from '../errors.js';
import { currentScope } from '../observability/scope.js';

/**
 * Yoga calls this for every error of a result: known errors get the contract's codes (with their
 * location and path kept), anything unexpected is masked as INTERNAL_SERVER_ERROR without details.
 *
 * A located error keeps its own message and extensions: graphql-js locates an error by wrapping it
 * with the same message, but a variable coercion error wraps the scalar's complaint with the
 * variable's name, value and place (`Variable "$n" got invalid value "x"; …`, `at "f.firstName"`)
 * and an HTTP 400. Such request errors without a code are BAD_USER_INPUT.
 */
export function clientError(error: unknown, message: string): Error {
  const located = isGraphQLError(error) ? error : undefined;
  const original = located?.originalError ?? error;
  const known = toGraphQLError(original);
  if (!known) return yogaMaskError(error, message, false);
  if (!located) return known;
  const extensions: Record<string, unknown> = { ...known.extensions, ...located.extensions };
  if (extensions['code'] === undefined && isClientStatus(extensions['http'])) {
    extensions['code'] = 'BAD_USER_INPUT';
  }
  if (known === located && extensions['code'] === located.extensions['code']) return located;
  // Yoga's own factory: its copy of graphql recognises the error and strips `http` from the answer.
  return createGraphQLError(located.message, {
    nodes: located.nodes ?? null,
    source: located.source ?? null,
    positions: located.positions ?? null,
    path: located.path ?? null,
    extensions,
  });
}

function isClientStatus(http: unknown): boolean {
  if (typeof http !== 'object' || http === null || !('status' in http)) return false;
  const { status } = http;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** Whether an error is one of the contract's own (bad input, refusals, upstream failures). */
export function isContractError(error: unknown): boolean {
  const original = isGraphQLError(error) ? (error.originalError ?? error) : error;
  return toGraphQLError(original) !== undefined;
}

/**
 * What a log line says of an error: message, code, path and the operation's name. Never
 * `String(GraphQLError)`, which prints the document's source around the error, literals included
 * (a filter's e-mail address, say). Unexpected errors keep their stack, which has no query text.
 */
export function describeError(error: unknown): Record<string, unknown> {
  const operation = currentScope()?.operation?.label;
  const base = operation === undefined ? {} : { operation };
  const located = isGraphQLError(error) ? error : undefined;
  const original = located?.originalError ?? error;
  const known = toGraphQLError(original);
  const code = known?.extensions['code'] ?? located?.extensions['code'];
  const stack = !known && original instanceof Error ? original.stack : undefined;
  return {
    ...base,
    message: error instanceof Error ? error.message : String(error),
    ...(typeof code === 'string' ? { code } : {}),
    ...(located?.path === undefined ? {} : { path: located.path.join('.') }),
    ...(stack === undefined ? {} : { stack }),
  };
}

/**
 * Yoga's `logging` option: its own messages as they are; errors it reports through
 * `describeError`. The contract's own errors (that the HTTP layer already logged per attempt) are
 * routine, at debug; unexpected ones at error.
 */
export function yogaLogging(logger: Logger) {
  const text = (args: unknown[]): string =>
    args.map((a) => (isGraphQLError(a) || a instanceof Error ? a.message : String(a))).join(' ');
  const errors = (args: unknown[]) => args.filter((a) => isGraphQLError(a) || a instanceof Error);
  return {
    debug: (...args: unknown[]) => logger.debug(text(args)),
    info: (...args: unknown[]) => logger.info(text(args)),
    warn: (...args: unknown[]) => logger.warn(text(args)),
    error: (...args: unknown[]) => {
      const found = errors(args);
      if (found.length === 0) {
        logger.error(text(args));
        return;
      }
      for (const error of found) {
        // Not `err`: pino's serializer would print it as an Error.
        if (isContractError(error)) logger.debug({ error: describeError(error) }, 'request error');
        else logger.error({ error: describeError(error) }, 'unexpected error');
      }
    },
  };
}

/**
 * Yoga masks the errors of single results only; errors inside @defer/@stream payloads go through
 * the same `clientError` here, so they get their codes and nothing unexpected leaks.
 */
export function useIncrementalErrorMapping(): Plugin<GatewayContext> {
  return {
    onExecute: () => ({
      onExecuteDone: (payload) =>
        handleStreamOrSingleExecutionResult(payload, ({ result, setResult }) => {
          if (!('incremental' in result) || !Array.isArray(result.incremental)) return;
          const mapped = {
            ...result,
            incremental: result.incremental.map((part: { errors?: readonly unknown[] }) =>
              part.errors
                ? { ...part, errors: part.errors.map((e) => clientError(e, 'Unexpected error.')) }
                : part,
            ),
          };
          setResult(mapped);
        }),
    }),
  };
}
