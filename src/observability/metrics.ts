// Prometheus metrics of one gateway instance, in its own registry: tests build many gateways in one
// process, and prom-client's global registry refuses a metric name registered twice. Labels are
// bounded sets (operation names are capped, statuses and routes are finite); no id or credential
// is ever a label value.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AttemptEvent, CircuitState } from '../upstream/hooks.js';
import type { CacheStats } from '../upstream/steps/cache.js';

export interface MetricsOptions {
  /** Node process metrics (CPU, memory, event loop, GC) too; once per process, so main.ts only. */
  processMetrics?: boolean;
  /** Distinct operation names kept as labels; later ones are counted as `other`. */
  maxOperationNames?: number;
}

/** Operation names are client-chosen: only plausible ones become labels, and only so many. */
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Error codes are ours or Yoga's (BAD_USER_INPUT, GRAPHQL_VALIDATION_FAILED, …). */
const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,47}$/;

const CIRCUIT_STATE_VALUE: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly operationNames = new Set<string>();
  private readonly maxOperationNames: number;
  private readonly graphqlRequests: Counter<'operation' | 'outcome'>;
  private readonly graphqlDuration: Histogram<'operation'>;
  private readonly upstreamRequests: Counter<'upstream' | 'status' | 'retry'>;
  private readonly upstreamDuration: Histogram<'upstream' | 'route'>;
  private readonly loaderBatchSize: Histogram<'loader'>;
  private readonly circuitBreakerState: Gauge<'upstream'>;
  private readonly callCapRefused: Counter<'upstream'>;
  private readonly dedupeHits: Counter<'upstream'>;
  private readonly throttledCredentials: Counter<'upstream'>;
  private readonly credentialBackoff: Histogram<'upstream' | 'outcome'>;
  private readonly queueWait: Histogram<'upstream'>;
  private readonly budgetWait: Histogram<'upstream'>;
  private readonly budgetRefused: Counter<'upstream'>;
  private readonly budgetLate: Counter<'upstream'>;
  private readonly limiterFallback: Gauge<'upstream'>;
  private readonly limiterFallbacks: Counter<'upstream'>;

  constructor(options: MetricsOptions = {}) {
    this.maxOperationNames = options.maxOperationNames ?? 100;
    const registers = [this.registry];
    this.graphqlRequests = new Counter({
      name: 'graphql_requests_total',
      help: 'GraphQL operations by operation name and outcome (ok, partial, or the error code).',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.graphqlDuration = new Histogram({
      name: 'graphql_request_duration_seconds',
      help: 'Time from receiving a GraphQL operation to its last payload.',
      labelNames: ['operation'],
      // Up to the default request deadline (25 s).
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25],
      registers,
    });
    this.upstreamRequests = new Counter({
      name: 'upstream_requests_total',
      help: 'Upstream HTTP attempts by upstream, status (or timeout, network, circuit-open) and retry number (0 = first attempt).',
      labelNames: ['upstream', 'status', 'retry'],
      registers,
    });
    this.upstreamDuration = new Histogram({
      name: 'upstream_request_duration_seconds',
      help: 'Duration of upstream HTTP attempts by upstream and route template.',
      labelNames: ['upstream', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.loaderBatchSize = new Histogram({
      name: 'loader_batch_size',
      help: 'Keys per DataLoader batch (each key is one upstream request at most).',
      labelNames: ['loader'],
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers,
    });
    this.circuitBreakerState = new Gauge({
      name: 'circuit_breaker_state',
      help: 'Circuit breaker per upstream: 0 closed, 1 half-open, 2 open.',
      labelNames: ['upstream'],
      registers,
    });
    const waitBuckets = [0.001, 0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25];
    this.callCapRefused = new Counter({
      name: 'upstream_call_cap_refused_total',
      help: 'Upstream calls not made because their GraphQL request reached MAX_UPSTREAM_CALLS_PER_REQUEST.',
      labelNames: ['upstream'],
      registers,
    });
    this.dedupeHits = new Counter({
      name: 'upstream_dedupe_hits_total',
      help: 'Upstream GETs that joined an identical call (same credential) already in flight instead of being sent.',
      labelNames: ['upstream'],
      registers,
    });
    this.throttledCredentials = new Counter({
      name: 'upstream_credential_throttled_total',
      help: 'Upstream 429 answers that started or extended a backoff of the credential they answered.',
      labelNames: ['upstream'],
      registers,
    });
    this.credentialBackoff = new Histogram({
      name: 'upstream_credential_backoff_seconds',
      help: 'Time calls waited because their credential was backing off after a 429 (outcome waited, or refused: the backoff outlasted the deadline).',
      labelNames: ['upstream', 'outcome'],
      buckets: waitBuckets,
      registers,
    });
    this.queueWait = new Histogram({
      name: 'upstream_fair_share_wait_seconds',
      help: 'Time calls waited for a slot of the upstream pool (fair share across requests and credentials).',
      labelNames: ['upstream'],
      buckets: waitBuckets,
      registers,
    });
    this.budgetWait = new Histogram({
      name: 'upstream_rate_budget_wait_seconds',
      help: 'Time upstream attempts waited for the rate budget (USERS_API_RATE_LIMIT / VCARD_API_RATE_LIMIT).',
      labelNames: ['upstream'],
      buckets: waitBuckets,
      registers,
    });
    this.budgetRefused = new Counter({
      name: 'upstream_rate_budget_refused_total',
      help: 'Upstream attempts not sent because the rate budget had no room before the request deadline.',
      labelNames: ['upstream'],
      registers,
    });
    this.budgetLate = new Counter({
      name: 'upstream_rate_budget_late_total',
      help: 'Upstream attempts that missed their reserved rate-budget slot (busy event loop) and reserved another instead of being sent late.',
      labelNames: ['upstream'],
      registers,
    });
    this.limiterFallback = new Gauge({
      name: 'upstream_rate_limiter_fallback',
      help: '1 while the shared (Redis) rate budget is unreachable and this instance keeps its own share, else 0.',
      labelNames: ['upstream'],
      registers,
    });
    this.limiterFallbacks = new Counter({
      name: 'upstream_rate_limiter_fallbacks_total',
      help: 'Times the shared (Redis) rate budget became unreachable and this instance fell back to its own share.',
      labelNames: ['upstream'],
      registers,
    });
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /**
   * `upstream_cache_requests_total{upstream,result}` read at scrape time from the cache's own
   * counters: a hit makes no upstream attempt, so it shows in no other metric.
   */
  observeCache(caches: Record<string, { stats: CacheStats }>): void {
    new Counter({
      name: 'upstream_cache_requests_total',
      help: 'Cross-request cache lookups by upstream and result (hit; miss, which went upstream; revalidated, a miss the upstream answered 304).',
      labelNames: ['upstream', 'result'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [upstream, { stats }] of Object.entries(caches)) {
          this.inc({ upstream, result: 'hit' }, stats.hits);
          this.inc({ upstream, result: 'miss' }, stats.misses);
          this.inc({ upstream, result: 'revalidated' }, stats.revalidated);
        }
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition of every metric. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  /** The label for an operation name: `anonymous`, the name, or `other` past the cap. */
  operationLabel(name: string | undefined): string {
    if (name === undefined || name === '') return 'anonymous';
    if (!OPERATION_NAME.test(name)) return 'other';
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= this.maxOperationNames) return 'other';
    this.operationNames.add(name);
    return name;
  }

  /** `operation` must come from operationLabel; `outcome` is ok, partial or an error code. */
  readonly graphqlOperation = (operation: string, outcome: string, seconds: number): void => {
    const bounded = outcome === 'ok' || outcome === 'partial' || ERROR_CODE.test(outcome);
    this.graphqlRequests.inc({ operation, outcome: bounded ? outcome : 'error' });
    this.graphqlDuration.observe({ operation }, seconds);
  };

  readonly upstreamAttempt = (event: AttemptEvent): void => {
    this.upstreamRequests.inc({
      upstream: event.upstream,
      status: String(event.status),
      retry: String(event.attempt - 1),
    });
    // A refusal by the open circuit sent nothing: its zero duration would only skew the histogram.
    if (event.status !== 'circuit-open') {
      this.upstreamDuration.observe(
        { upstream: event.upstream, route: event.route },
        event.durationMs / 1000,
      );
    }
  };

  readonly loaderBatch = (loader: string, size: number): void => {
    this.loaderBatchSize.observe({ loader }, size);
  };

  readonly circuitState = (upstream: string, state: CircuitState): void => {
    this.circuitBreakerState.set({ upstream }, CIRCUIT_STATE_VALUE[state]);
  };

  /** The tenant policies' events (src/upstream/tenancy.ts, rate-budget.ts). */
  readonly tenancy = {
    capRefused: (upstream: string): void => void this.callCapRefused.inc({ upstream }),
    dedupeHit: (upstream: string): void => void this.dedupeHits.inc({ upstream }),
    throttled: (upstream: string): void => void this.throttledCredentials.inc({ upstream }),
    backoff: (upstream: string, waitedMs: number, refused: boolean): void =>
      void this.credentialBackoff.observe(
        { upstream, outcome: refused ? 'refused' : 'waited' },
        waitedMs / 1000,
      ),
    queued: (upstream: string, ms: number): void =>
      void this.queueWait.observe({ upstream }, ms / 1000),
    budgetWaited: (upstream: string, ms: number): void =>
      void this.budgetWait.observe({ upstream }, ms / 1000),
    budgetRefused: (upstream: string): void => void this.budgetRefused.inc({ upstream }),
    budgetLate: (upstream: string): void => void this.budgetLate.inc({ upstream }),
    limiterFallback: (upstream: string, active: boolean): void => {
      this.limiterFallback.set({ upstream }, active ? 1 : 0);
      if (active) this.limiterFallbacks.inc({ upstream });
    },
  };
}
