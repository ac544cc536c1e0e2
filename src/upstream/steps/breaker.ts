// The circuit breaker as a step: refuses at once while the upstream's circuit is open, and tells
// the breaker how each attempt ended. Only the upstream's own failures count: 5xx, timeouts,
// resets. A 429 is about one credential (steps/backoff.ts), not the upstream's health: it neither
// opens the shared circuit nor proves the upstream well (released, like a client that left). A client that went away says nothing about the upstream (released, not counted); an
// answer the gateway cannot read or that is too large still came from a working upstream.
import { UpstreamError } from '../../errors.js';
import type { UpstreamName } from '../../errors.js';
import type { Step } from '../chain.js';
import type { CircuitBreaker } from '../circuit-breaker.js';

export function breaker(upstream: UpstreamName, circuit: CircuitBreaker): Step {
  return (next) => async (req, call) => {
    if (!circuit.allow()) {
      throw new UpstreamError(upstream, { kind: 'circuit-open' }, undefined, req.attempt ?? 1);
    }
    let reply;
    try {
      reply = await next(req, call);
    } catch (error) {
      if (!(error instanceof UpstreamError)) circuit.release();
      else if (error.failure.kind === 'timeout' && error.failure.clientGone) circuit.release();
      else if (error.failure.kind === 'timeout' || error.failure.kind === 'network') {
        circuit.failure();
      } else circuit.success();
      throw error;
    }
    if (reply.status >= 500) circuit.failure();
    else if (reply.status === 429) circuit.release();
    else circuit.success();
    return reply;
  };
}
