// createContext(request): what one GraphQL request carries — its id, credentials, deadline and its
// own loaders. Nothing here outlives the request.
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Services } from './services.js';
import type { Loaders } from './loaders.js';
import { createLoaders } from './loaders.js';
import type { Deadline } from './upstream/call.js';
import { RequestScope, callOf } from './upstream/call.js';

export interface GatewayContext {
  requestId: string;
  deadline: Deadline;
  /** Shared by the operations of one HTTP request (a batch): per-request upstream policies. */
  upstreamScope: RequestScope;
  loaders: Loaders;
  services: Services;
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

// Weak: an entry lives exactly as long as its request.
const requestIds = new WeakMap<Request, string>();
const arrivals = new WeakMap<Request, number>();
const scopes = new WeakMap<Request, RequestScope>();

/** A client-sent X-Request-ID is kept when harmless, so logs on both sides line up. */
export function requestIdOf(request: Request): string {
  let id = requestIds.get(request);
  if (id === undefined) {
    const sent = request.headers.get('x-request-id');
    id = sent !== null && SAFE_REQUEST_ID.test(sent) ? sent : randomUUID();
    requestIds.set(request, id);
  }
  return id;
}

/**
 * When the request arrived (epoch ms): the first call stamps it. The server calls this as early as
 * it sees the request, so the deadline counts the time spent receiving and parsing it too.
 */
export function arrivedAt(request: Request): number {
  let at = arrivals.get(request);
  if (at === undefined) {
    at = Date.now();
    arrivals.set(request, at);
  }
  return at;
}

/** One per HTTP request, whatever the number of operations in it. */
function upstreamScopeOf(request: Request, deadlineMs: number): RequestScope {
  let scope = scopes.get(request);
  if (scope === undefined) {
    const arrived = arrivedAt(request);
    scope = new RequestScope(requestIdOf(request), arrived, {
      at: arrived + deadlineMs,
      signal: followAbort(request.signal),
    });
    scopes.set(request, scope);
  }
  return scope;
}

export function createContext(request: Request, services: Services): GatewayContext {
  const scope = upstreamScopeOf(request, services.config.requestDeadlineMs);
  // Only these two headers are forwarded, each to its own upstream. Without them the upstream's
  // service credential applies (the auth step of its chain).
  const loaders = createLoaders({
    users: services.users,
    vcards: services.vcards,
    usersCall: callOf(scope, request.headers.get('authorization') ?? undefined),
    vcardCall: callOf(scope, request.headers.get('x-auth-token') ?? undefined),
    ...(services.metrics === undefined ? {} : { onBatch: services.metrics.loaderBatch }),
  });
  return {
    requestId: scope.requestId,
    deadline: scope.deadline,
    upstreamScope: scope,
    loaders,
    services,
  };
}

/**
 * A native AbortSignal that aborts when the client hangs up. The server adapter's request.signal
 * is a proxy: its `aborted` can stay false after the hang-up, and Node 24's AbortSignal.any()
 * refuses it ("is not of type AbortSignal"), while its 'abort' event fires on every Node version.
 */
function followAbort(source: AbortSignal): AbortSignal {
  const controller = new AbortController();
  // Every upstream call of the request waits on this signal (its deadline, a budget slot, a shared
  // call): 50 vCards are 50 listeners, bounded by MAX_UPSTREAM_CALLS_PER_REQUEST, not a leak. Node's
  // default of 10 printed a MaxListenersExceededWarning, stack trace included, for such requests.
  setMaxListeners(0, controller.signal);
  if (source.aborted) controller.abort(source.reason);
  else source.addEventListener('abort', () => controller.abort(source.reason), { once: true });
  return controller.signal;
}
