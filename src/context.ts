// createContext(request): what one GraphQL request carries — its id, credentials, deadline and its
// own loaders. Nothing here outlives the request.
import { randomUUID } from 'node:crypto';
import type { Services } from './services.js';
import type { Loaders } from './loaders.js';
import { createLoaders } from './loaders.js';
import type { Deadline } from './upstream/http.js';

export interface GatewayContext {
  requestId: string;
  deadline: Deadline;
  loaders: Loaders;
  services: Services;
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

// Weak: an entry lives exactly as long as its request.
const requestIds = new WeakMap<Request, string>();

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

export function createContext(request: Request, services: Services): GatewayContext {
  const requestId = requestIdOf(request);
  const deadline: Deadline = {
    at: Date.now() + services.config.requestDeadlineMs,
    signal: followAbort(request.signal),
  };
  const { config } = services;
  // Only these two headers are forwarded, each to its own upstream.
  const authorization =
    request.headers.get('authorization') ??
    (config.usersApiToken === undefined ? undefined : `Bearer ${config.usersApiToken}`);
  const authToken = request.headers.get('x-auth-token') ?? config.vcardApiToken;
  const loaders = createLoaders({
    users: services.users,
    vcards: services.vcards,
    usersCall: { credential: authorization, requestId, deadline },
    vcardCall: { credential: authToken, requestId, deadline },
    ...(services.metrics === undefined ? {} : { onBatch: services.metrics.loaderBatch }),
  });
  return { requestId, deadline, loaders, services };
}

/**
 * A native AbortSignal that aborts when the client hangs up. The server adapter's request.signal
 * is a proxy: its `aborted` can stay false after the hang-up, and Node 24's AbortSignal.any()
 * refuses it ("is not of type AbortSignal"), while its 'abort' event fires on every Node version.
 */
function followAbort(source: AbortSignal): AbortSignal {
  const controller = new AbortController();
  if (source.aborted) controller.abort(source.reason);
  else source.addEventListener('abort', () => controller.abort(source.reason), { once: true });
  return controller.signal;
}
