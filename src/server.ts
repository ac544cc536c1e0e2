// createGateway(config) -> a Yoga instance over one federated schema. Assembles the parts (schema,
// context, plugins); each decision lives in its own module. No side effects on import.
import type { Tracer } from '@opentelemetry/api';
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import { createYoga, useReadinessCheck } from 'graphql-yoga';
import type { YogaServerInstance } from 'graphql-yoga';
import pino from 'pino';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { GatewayContext } from './context.js';
import { createContext } from './context.js';
import { GatewayMetrics } from './observability/metrics.js';
import { withRequestIds } from './observability/scope.js';
import { useRequestBodyLimit } from './plugins/body-limit.js';
import { corsOptions } from './plugins/cors.js';
import { useCompiledExecutor } from './plugins/compiled-executor.js';
import { useCostLimit } from './plugins/cost.js';
import { useCsrfPrevention } from './plugins/csrf.js';
import { boundedDocumentCaches } from './plugins/document-cache.js';
import { clientError, useIncrementalErrorMapping, yogaLogging } from './plugins/error-mapping.js';
import { exampleQuery, renderOfflineGraphiQL, useGraphiQLAssets } from './plugins/graphiql.js';
import { useNoIntrospection } from './plugins/introspection.js';
import { useOperationLimits } from './plugins/limits.js';
import { useObservability } from './plugins/observability.js';
import {
  loadManifest,
  useAutomaticPersistedQueries,
  useTrustedDocuments,
} from './plugins/persisted-documents.js';
import { useRequestId } from './plugins/request-id.js';
import { useNoSuggestions } from './plugins/suggestions.js';
import { buildSchema } from './schema.js';
import type { ServiceHooks, Services } from './services.js';
import { createServices } from './services.js';

export { buildSchema, loadTypeDefs } from './schema.js';

/** Memory the parse cache may hold (documents and their syntax trees). */
const DOCUMENT_CACHE_BYTES = 16 * 1024 * 1024;

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
    // Parsing and validating (with the limits' rules) once per distinct document saves about a
    // quarter of the CPU of a typical query (README, Performance); bounded by bytes.
    parserAndValidationCache: boundedDocumentCaches(DOCUMENT_CACHE_BYTES).options,
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
    // Yoga refuses a larger batch as a whole (413, "Batching is limited to N operations").
    batching: config.maxBatchSize > 0 ? { limit: config.maxBatchSize } : false,
    // useRequestBodyLimit below checks the size (from Content-Length when there is one).
    maxRequestBodySize: false,
    logging: yogaLogging(logger),
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
      useRequestBodyLimit(config.maxRequestBytes),
      useRequestId(),
      useIncrementalErrorMapping(),
      // @defer/@stream: a list can be painted before its slow vCards arrive.
      useDeferStream(),
      // graphql-jit for every document without @defer/@stream (docs/performance.md).
      useCompiledExecutor(),
      useCsrfPrevention(),
      ...(config.introspection
        ? []
        : [useNoIntrospection({ federationSdl: config.federationSdl })]),
      // Without introspection the schema is not public, so "Did you mean …" must not leak it.
      ...(config.introspection ? [] : [useNoSuggestions()]),
      ...useOperationLimits(config),
      useCostLimit({ maxCost: config.maxQueryCost, maxPageSize: config.maxPageSize }),
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
