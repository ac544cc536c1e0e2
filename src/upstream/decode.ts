// The one way upstream bodies are decoded: validated at the boundary, never echoed in an error.
import type { z } from 'zod';
import { UpstreamError } from '../errors.js';
import type { UpstreamName } from '../errors.js';
import type { RawResponse } from './chain.js';

/** JSON body -> validated value; anything unexpected is `malformed` (UPSTREAM_ERROR), body not echoed. */
export function decodeJson<S extends z.ZodType>(
  upstream: UpstreamName,
  response: RawResponse,
  schema: S,
): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch {
    throw malformed(upstream, response);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw malformed(upstream, response);
  return parsed.data;
}

/**
 * JSON body -> value by a hand-written decoder that answers undefined where its zod specification
 * would refuse (users-decoder.ts: the hot path, property-tested against the schema).
 */
export function decodeJsonWith<T>(
  upstream: UpstreamName,
  response: RawResponse,
  decode: (json: unknown) => T | undefined,
): T {
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch {
    throw malformed(upstream, response);
  }
  const value = decode(json);
  if (value === undefined) throw malformed(upstream, response);
  return value;
}

export function malformed(upstream: UpstreamName, response: RawResponse): UpstreamError {
  return new UpstreamError(
    upstream,
    { kind: 'malformed', status: response.status },
    response.requestId,
  );
}
