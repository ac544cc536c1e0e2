// One observation per attempt, however it ends (answer, refusal by the breaker, timeout, reset),
// through the hook set: the hooks' implementation (src/observability/) makes the metric samples,
// the log line and the client span, and may hand back a traceparent to send upstream.
import { UpstreamError } from '../../errors.js';
import type { UpstreamName } from '../../errors.js';
import type { Step } from '../chain.js';
import type { AttemptStatus, UpstreamHooks } from '../hooks.js';

export function observe(upstream: UpstreamName, hooks: UpstreamHooks): Step {
  return (next) => async (req, call) => {
    const probe = hooks.attempt({
      upstream,
      method: req.method,
      route: req.route,
      attempt: req.attempt ?? 1,
    });
    const traceparent = probe.traceparent;
    const sent =
      traceparent === undefined ? req : { ...req, headers: { ...req.headers, traceparent } };
    let reply;
    try {
      reply = await next(sent, call);
    } catch (error) {
      probe.end(statusOf(error));
      throw error;
    }
    probe.end(reply.status);
    return reply;
  };
}

/** What a failed attempt is reported as: the status when an answer was read, else what happened. */
export function statusOf(error: unknown): AttemptStatus {
  if (!(error instanceof UpstreamError)) return 'network';
  const failure = error.failure;
  switch (failure.kind) {
    case 'timeout':
      return failure.clientGone ? 'client-abort' : 'timeout';
    case 'circuit-open':
      return 'circuit-open';
    case 'status':
    case 'malformed':
    case 'mismatch':
    case 'too-large':
      return failure.status;
    default:
      return 'network';
  }
}
