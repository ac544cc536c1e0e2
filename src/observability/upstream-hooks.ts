// The upstream layer's hooks, implemented: per attempt a Prometheus sample, a log line when it
// failed and a client span (child of the operation's span, its traceparent sent upstream); per
// breaker change a gauge and a warning; a Redis store that cannot be used, a warning. The upstream
// layer knows none of this: it only calls these hooks (src/upstream/hooks.ts).
import type { Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type {
  AttemptEvent,
  AttemptProbe,
  AttemptStatus,
  UpstreamHooks,
} from '../upstream/hooks.js';
import type { GatewayMetrics } from './metrics.js';
import { noteUpstreamAttempt } from './scope.js';
import { endUpstreamSpan, startUpstreamSpan, traceparentOf } from './tracing.js';

export interface UpstreamHooksOptions {
  logger: Logger;
  /** RATE_LIMIT_INSTANCES, named in the fallback warning. */
  rateLimitInstances?: number;
  metrics?: GatewayMetrics | undefined;
  /** A span per attempt, and its traceparent sent upstream; nothing without. */
  tracer?: Tracer | undefined;
}

export function createUpstreamHooks(options: UpstreamHooksOptions): UpstreamHooks {
  const { logger, metrics, tracer } = options;
  // The gauge reads 0 (closed) from the start, not only after a first change.
  metrics?.circuitState('users', 'closed');
  metrics?.circuitState('vcard', 'closed');

  const report = (event: AttemptEvent): void => {
    metrics?.upstreamAttempt(event);
    noteUpstreamAttempt();
    // 4xx (an unknown user, a bad token) is the caller's business; the upstream's failures are ours.
    if (event.status === 'client-abort') {
      logger.debug(event, 'upstream call abandoned: the client went away');
    } else if (typeof event.status !== 'number' || event.status >= 500 || event.status === 429) {
      logger.warn(event, 'upstream attempt failed');
    } else if (event.status >= 400) {
      logger.debug(event, 'upstream answered a client error');
    }
  };

  return {
    attempt(start): AttemptProbe {
      const started = Date.now();
      const span =
        tracer &&
        startUpstreamSpan(tracer, start.upstream, start.method, start.route, start.attempt);
      return {
        traceparent: span && traceparentOf(span),
        end(status: AttemptStatus): void {
          report({
            upstream: start.upstream,
            method: start.method,
            route: start.route,
            status,
            attempt: start.attempt,
            durationMs: Date.now() - started,
          });
          if (span) endUpstreamSpan(span, status);
        },
      };
    },
    circuitChanged(upstream, state): void {
      metrics?.circuitState(upstream, state);
      logger.warn({ upstream, state }, 'circuit breaker state changed');
    },
    storeUnavailable({ error, suppressed }): void {
      logger.warn({ error, suppressed }, 'cache: Redis unavailable, answering from the upstream');
    },
    tenancy: {
      capRefused: (upstream) => metrics?.tenancy.capRefused(upstream),
      dedupeHit: (upstream) => metrics?.tenancy.dedupeHit(upstream),
      throttled: (upstream) => metrics?.tenancy.throttled(upstream),
      backoff: (upstream, waitedMs, refused) =>
        metrics?.tenancy.backoff(upstream, waitedMs, refused),
      queued: (upstream, ms) => metrics?.tenancy.queued(upstream, ms),
      budgetWaited: (upstream, ms) => metrics?.tenancy.budgetWaited(upstream, ms),
      budgetLate: (upstream) => metrics?.tenancy.budgetLate(upstream),
      budgetRefused: (upstream) => metrics?.tenancy.budgetRefused(upstream),
      limiterFallback(upstream, active, error): void {
        metrics?.tenancy.limiterFallback(upstream, active);
        // Called once per transition, not per call.
        if (active) {
          logger.warn(
            {
              upstream,
              instances: options.rateLimitInstances,
              error: error instanceof Error ? error.message : String(error),
            },
            'shared rate budget unreachable (Redis): this instance keeps budget / RATE_LIMIT_INSTANCES',
          );
        } else {
          logger.info({ upstream }, 'shared rate budget reachable again (Redis)');
        }
      },
    },
  };
}
