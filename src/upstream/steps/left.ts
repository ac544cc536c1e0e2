// A caller that left while a tenant policy kept it waiting (for a shared call, a backoff, a pool
// slot, the rate budget) is told what the deadline step tells one that left mid-attempt.
import { UpstreamError } from '../../errors.js';
import type { UpstreamName } from '../../errors.js';
import type { Call } from '../call.js';

export function whileWaiting(upstream: UpstreamName, call: Call, attempt: number) {
  return (error: unknown): never => {
    if (error instanceof UpstreamError) throw error;
    if (call.deadline.signal?.aborted === true) {
      throw new UpstreamError(upstream, { kind: 'timeout', clientGone: true }, undefined, attempt);
    }
    throw error;
  };
}
