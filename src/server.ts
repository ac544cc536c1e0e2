// createGateway(config) -> a Yoga instance over one federated schema. No side effects on import.
import { readdirSync, readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { Tracer } from '@opentelemetry/api';
import { GraphQLError, parse } from 'graphql';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import {
  createYoga,
  handleStreamOrSingleExecutionResult,
  maskError as yogaMaskError,
  useReadinessCheck,
} from 'graphql-yoga';
import type { CORSOptions, Plugin, YogaServerInstance } from 'graphql-yoga';
import pino from 'pino';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { GatewayContext } from './context.js';
import { createContext, requestIdOf } from './context.js';
import { InputError, isGraphQLError, toGraphQLError } from './errors.js';
import { renderOfflineGraphiQL, useGraphiQLAssets } from './graphiql.js';
import { GatewayMetrics } from './observability/metrics.js';
import { useObservability } from './observability/plugin.js';
import { withRequestIds } from './observability/scope.js';
import {
  loadManifest,
  useAutomaticPersistedQueries,
  useTrustedDocuments,
} from './persisted-documents.js';
import { resolvers } from './resolvers/index.js';
import { securityOptions, securityPlugins } from './security.js';
import type { ServiceHooks, Services } from './services.js';
import { createServices } from './services.js';

const SCHEMA_DIR = new URL('../schema/', import.meta.url);

/** The SDL of every domain, in a stable order (the files under schema/). */
export function loadTypeDefs(): DocumentNode {
  const files = readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith('.graphql'))
    .sort();
  return parse(files.map((f) => readFileSync(new URL(f, SCHEMA_DIR), 'utf8')).join('\n'));
}

/** The one schema: served standalone and as an Apollo Federation v2 subgraph. */
export function buildSchema(): GraphQLSchema {
  const schema = buildSubgraphSchema([{ typeDefs: loadTypeDefs(), resolvers: { ...resolvers } }]);
  guardEntityTypenames(schema);
  return schema;
}

/**
 * @apollo/subgraph throws a plain Error for a representation whose `__typename` is missing or not
 * one of our entities, which would reach the caller as INTERNAL_SERVER_ERROR; it is bad input.
 */
function guardEntityTypenames(schema: GraphQLSchema): void {
  const field = schema.getQueryType()?.getFields()['_entities'];
  const resolve = field?.resolve;
  const union = schema.getType('_Entity');
  // Structural: the schema is built by @apollo/subgraph's (CommonJS) copy of graphql.
  if (!field || !resolve || !union || !('getTypes' in union)) return;
  const entities = new Set(union.getTypes().map((t) => t.name));
  const expected = [...entities].join(', ');
  field.resolve = (source, args: { representations?: unknown }, context, info) => {
    const representations = Array.isArray(args.representations) ? args.representations : [];
    for (const representation of representations) {
      const typename: unknown = (representation as { __typename?: unknown } | null)?.__typename;
      if (typeof typename !== 'string' || !entities.has(typename)) {
        throw new InputError(
          `every representation needs a __typename of an entity type (${expected})`,
          'representations',
        );
      }
    }
    return resolve(source, args, context, info);
  };
}

export interface GatewayOptions {
  logger?: Logger;
  hooks?: ServiceHooks;
  /** Account id used by GraphiQL's example query (the sandbox's). */
  exampleAccountId?: string;
  /** Default: a registry of this gateway's own, without process metrics. */
  metrics?: GatewayMetrics;
  /** Spans of operations and upstream calls; none without. */
  tracer?: Tracer;
}

export interface Gateway {
  yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>;
  services: Services;
  metrics: GatewayMetrics;
  /** Flip to false while draining so /ready answers 503. */
  setReady(ready: boolean): void;
  close(): Promise<void>;
}

export function createGateway(config: Config, options: GatewayOptions = {}): Gateway {
  const logger = withRequestIds(options.logger ?? pino({ level: config.logLevel }));
  const metrics = options.metrics ?? new GatewayMetrics();
  const services = createServices(config, logger, options.hooks, {
    metrics,
    ...(options.tracer === undefined ? {} : { tracer: options.tracer }),
  });
  let ready = true;
  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema: buildSchema(),
    context: ({ request }) => createContext(request, services),
    graphqlEndpoint: '/graphql',
    // Yoga's default, kept on purpose: parsing and validating (with the limits' rules) once per
    // distinct document saves about a quarter of the CPU of a typical query (README, Performance).
    parserAndValidationCache: true,
    healthCheckEndpoint: '/health',
    landingPage: false,
    graphiql: !config.graphiql
      ? false
      : {
          title: 'Telecom directory gateway',
          defaultQuery: exampleQuery(options.exampleAccountId ?? '1001'),
        },
    renderGraphiQL: renderOfflineGraphiQL,
    maskedErrors: { maskError: clientError, isDev: false },
    ...securityOptions(config),
    logging: {
      debug: (...args) => logger.debug(args.map(String).join(' ')),
      info: (...args) => logger.info(args.map(String).join(' ')),
      warn: (...args) => logger.warn(args.map(String).join(' ')),
      // Yoga logs every error it maps. The contract's own (bad input, refusals, upstream failures
      // that the HTTP layer already logged per attempt) are routine: debug. Unexpected ones: error.
      error: (...args) =>
        args.length === 1 && isContractError(args[0])
          ? logger.debug(String(args[0]))
          : logger.error(args.map(String).join(' ')),
    },
    cors: corsOptions(config),
    plugins: [
      // First, so that its scope (request id, trace context) wraps everything the others do.
      useObservability({
        metrics,
        logger,
        tracer: options.tracer,
        graphqlEndpoint: '/graphql',
        metricsEndpoint: config.metricsEnabled ? '/metrics' : undefined,
      }),
      useReadinessCheck({ endpoint: '/ready', check: () => ready }),
      ...(config.graphiql ? [useGraphiQLAssets()] : []),
      useRequestId(),
      useIncrementalErrorMapping(),
      // @defer/@stream: a list can be painted before its slow vCards arrive.
      useDeferStream(),
      ...securityPlugins(config),
      config.persistedDocuments === undefined
        ? useAutomaticPersistedQueries()
        : useTrustedDocuments(loadManifest(config.persistedDocuments)),
    ],
  });
  return {
    yoga,
    services,
    metrics,
    setReady: (value) => {
      ready = value;
    },
    close: () => services.close(),
  };
}

function isContractError(error: unknown): boolean {
  const original = isGraphQLError(error) ? (error.originalError ?? error) : error;
  return toGraphQLError(original) !== undefined;
}

/**
 * Yoga calls this for every error of a result: known errors become the contract's codes (with
 * their path kept), anything unexpected is masked as INTERNAL_SERVER_ERROR without details.
 */
function clientError(error: unknown, message: string): Error {
  const located = isGraphQLError(error) ? error : undefined;
  const original = located?.originalError ?? error;
  const known = toGraphQLError(original);
  if (known && located && known !== located) {
    return new GraphQLError(known.message, {
      nodes: located.nodes ?? null,
      source: located.source ?? null,
      positions: located.positions ?? null,
      path: located.path ?? null,
      extensions: known.extensions,
    });
  }
  if (known) return known;
  return yogaMaskError(error, message, false);
}

/**
 * Yoga masks the errors of single results only; errors inside @defer/@stream payloads go through
 * the same `clientError` here, so they get their codes and nothing unexpected leaks.
 */
function useIncrementalErrorMapping(): Plugin<GatewayContext> {
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

/**
 * CORS_ORIGINS when set; otherwise any origin in sandbox mode (exploring from anywhere) and none in
 * production. The two credential headers may be sent cross-origin; preflights are cached 10 min.
 */
function corsOptions(config: Config): CORSOptions | ((request: Request) => CORSOptions) {
  const common = {
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['content-type', 'authorization', 'x-auth-token', 'x-request-id'],
    exposedHeaders: ['x-request-id'],
    maxAge: 600,
  };
  const allowed = config.corsOrigins;
  if (allowed === undefined) return config.sandbox ? { ...common, origin: '*' } : false;
  // Only an allowed origin is echoed; any other gets no CORS headers at all.
  return (request) => {
    const origin = request.headers.get('origin');
    return origin !== null && allowed.includes(origin)
      ? { ...common, origin: [origin], credentials: true }
      : false;
  };
}

/** Sends the request id back to the client (the same id goes upstream as X-Request-ID). */
function useRequestId(): Plugin<GatewayContext> {
  return {
    onResponse({ request, response }) {
      response.headers.set('x-request-id', requestIdOf(request));
    },
  };
}

function exampleQuery(accountId: string): string {
  return `# Users of a sandbox account with their extensions, DIDs and vCards.
# Press the run button (or Ctrl+Enter). Other sandbox accounts: 1002 (empty), 1003 (350 users).
query UsersWithCards {
  users(accountId: "${accountId}", first: 5) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      userId
      firstName
      lastName
      email
      extensions { number dids { phoneNumber customTag } }
      vcard { formattedName title phones { number types } }
    }
  }
}
`;
}
