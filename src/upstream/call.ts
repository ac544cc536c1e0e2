// What every upstream call carries from the GraphQL request, and the one way bodies are decoded.
import type { z } from 'zod';
import { UpstreamError } from '../errors.js';
import type { UpstreamName } from '../errors.js';
import type { Deadline, UpstreamResponse } from './http.js';

export interface CallContext {
  /** The header value to send (`Bearer …` for the users API, the token for the vcard API). */
  credential: string | undefined;
  requestId: string;
  deadline: Deadline;
}

/** JSON body -> validated value; anything unexpected is `malformed` (UPSTREAM_ERROR), body not echoed. */
export function decodeJson<S extends z.ZodType>(
  upstream: UpstreamName,
  response: UpstreamResponse,
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

export function malformed(upstream: UpstreamName, response: UpstreamResponse): UpstreamError {
  return new UpstreamError(
    upstream,
    { kind: 'malformed', status: response.status },
    response.requestId,
  );
}
