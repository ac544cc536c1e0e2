// Every error that reaches a client is made here: upstream status -> GraphQL error code.
// Messages never carry credentials, upstream bodies or stack traces.
import { GraphQLError } from 'graphql';
import { PaginationInputError } from './pagination/errors.js';

export type UpstreamName = 'users' | 'vcard';

const upstreamTitle: Record<UpstreamName, string> = {
  users: 'users API',
  vcard: 'vcard API',
};

export type UpstreamFailure =
  | { kind: 'status'; status: number }
  /** `clientGone`: aborted because the GraphQL client went away, not because the upstream was slow. */
  | { kind: 'timeout'; clientGone?: true }
  | { kind: 'network' }
  | { kind: 'malformed'; status: number }
  /** A well-formed answer about another record than the one asked for (e.g. another user id). */
  | { kind: 'mismatch'; status: number }
  | { kind: 'too-large'; status: number }
  | { kind: 'circuit-open' }
  | { kind: 'missing-credentials' }
  /**
   * The upstream (or its token endpoint) refused the gateway's own service credentials; `check`
   * names the variables the operator should look at. Never the endpoint's body: it may echo them.
   */
  | { kind: 'credentials-refused'; check: readonly string[] }
  /** The token endpoint could not hand out a token: unreachable, an error status, or not a token. */
  | { kind: 'token-endpoint'; problem: 'unreachable' | 'malformed' }
  | { kind: 'token-endpoint'; problem: 'status'; status: number }
  /** This GraphQL request already made MAX_UPSTREAM_CALLS_PER_REQUEST calls: no call was made. */
  | { kind: 'call-cap'; limit: number }
  /** The upstream answered this credential 429 and asked it to wait past the request's deadline. */
  | { kind: 'throttled'; status: 429; retryAfterMs: number }
  /** The fleet's rate budget for this upstream has no room before the request's deadline. */
  | { kind: 'rate-budget'; variable: string; perSecond: number };

/** A failed upstream call, as the upstream client saw it. Converted to a GraphQLError by `toGraphQLError`. */
export class UpstreamError extends Error {
  constructor(
    readonly upstream: UpstreamName,
    readonly failure: UpstreamFailure,
    readonly requestId?: string,
    readonly attempts = 1,
    /** A failure another attempt may not see (a reset connection, a truncated body). */
    readonly transient = false,
  ) {
    super(describe(upstream, failure, attempts));
    this.name = 'UpstreamError';
  }

  get status(): number | undefined {
    return 'status' in this.failure ? this.failure.status : undefined;
  }
}

function describe(upstream: UpstreamName, failure: UpstreamFailure, attempts: number): string {
  const name = upstreamTitle[upstream];
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  switch (failure.kind) {
    case 'status':
      return `The ${name} answered HTTP ${failure.status}${tries}.`;
    case 'timeout':
      return `The ${name} did not answer in time${tries}.`;
    case 'network':
      return `The connection to the ${name} failed${tries}.`;
    case 'malformed':
      return `The ${name} sent a response the gateway cannot read.`;
    case 'mismatch':
      return `The ${name} answered about another record than the one asked for.`;
    case 'too-large':
      return `The ${name} sent a response larger than the gateway accepts.`;
    case 'circuit-open':
      return `The ${name} is failing; the gateway stopped calling it for a moment.`;
    case 'missing-credentials':
      return `No credentials for the ${name}: send the header or configure a service token.`;
    case 'credentials-refused':
      return `The ${name} refused the gateway's service credentials: check ${listOf(failure.check)}.`;
    case 'token-endpoint':
      switch (failure.problem) {
        case 'status':
          return `The ${name}'s token endpoint answered HTTP ${failure.status}.`;
        case 'unreachable':
          return `The ${name}'s token endpoint could not be reached.`;
        case 'malformed':
          return `The ${name}'s token endpoint sent an answer that is not a token.`;
      }
      break;
    case 'call-cap':
      return `This request reached its limit of ${failure.limit} upstream calls (MAX_UPSTREAM_CALLS_PER_REQUEST); the ${name} was not called for this field. Ask for fewer items.`;
    case 'throttled':
      return `The ${name} is rate-limiting these credentials; retry in ${Math.ceil(failure.retryAfterMs / 1000)} s.`;
    case 'rate-budget':
      return `The gateway's rate budget for the ${name} (${failure.variable}=${failure.perSecond}/s) has no room before this request's deadline; the ${name} was not called.`;
  }
}

function listOf(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}`;
}

/** Bad arguments, cursor or id: the client can fix it. */
export class InputError extends Error {
  constructor(
    message: string,
    readonly argumentName?: string,
  ) {
    super(message);
    this.name = 'InputError';
  }
}

export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'UPSTREAM_ERROR'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_CALL_LIMIT';

export function codeOf(error: UpstreamError): ErrorCode {
  const f = error.failure;
  switch (f.kind) {
    case 'timeout':
      return 'UPSTREAM_TIMEOUT';
    case 'missing-credentials':
    case 'credentials-refused':
      return 'UNAUTHENTICATED';
    case 'call-cap':
      return 'UPSTREAM_CALL_LIMIT';
    case 'status':
      if (f.status === 401) return 'UNAUTHENTICATED';
      if (f.status === 403) return 'FORBIDDEN';
      if (f.status === 404) return 'NOT_FOUND';
      // The gateway validates ids and arguments first, so a 400 means a filter value the upstream refuses.
      if (f.status === 400 || f.status === 422) return 'BAD_USER_INPUT';
      return 'UPSTREAM_ERROR';
    default:
      return 'UPSTREAM_ERROR';
  }
}

/**
 * Structural check: graphql's CJS build (loaded by @apollo/subgraph) makes some errors, and
 * `instanceof` against the ESM class is false for those.
 */
export function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === 'GraphQLError' && 'extensions' in error;
}

/** The one place an error becomes what the client sees. Unknown errors are left for Yoga to mask. */
export function toGraphQLError(error: unknown): GraphQLError | undefined {
  if (isGraphQLError(error)) return error;
  if (error instanceof UpstreamError) {
    return new GraphQLError(error.message, {
      extensions: {
        code: codeOf(error),
        upstream: error.upstream,
        ...(error.status === undefined ? {} : { status: error.status }),
        ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
      },
    });
  }
  if (error instanceof InputError || error instanceof PaginationInputError) {
    return new GraphQLError(error.message, {
      extensions: {
        code: 'BAD_USER_INPUT',
        ...(error.argumentName === undefined ? {} : { argumentName: error.argumentName }),
      },
    });
  }
  return undefined;
}
