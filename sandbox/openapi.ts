// OpenAPI 3.0 descriptions the simulators serve at GET /openapi.json. They describe what the
// simulators actually send (the tests validate real answers against these schemas), which is the
// documented upstream behaviour plus the details the docs leave open (error bodies, 400s).

export type Schema = Record<string, unknown>;

export const str: Schema = { type: 'string' };
export const int: Schema = { type: 'integer' };
export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

export function pathParam(name: string, schema: Schema, description: string): Schema {
  return { name, in: 'path', required: true, schema, description };
}

export function queryParam(name: string, schema: Schema, description: string): Schema {
  return { name, in: 'query', required: false, schema, description };
}

export function jsonContent(schema: Schema): Schema {
  return { 'application/json': { schema } };
}

export function errorResponses(
  statuses: Record<string, string>,
  errorSchema: string,
  headers?: Schema,
) {
  return Object.fromEntries(
    Object.entries(statuses).map(([status, description]) => [
      status,
      { description, content: jsonContent(ref(errorSchema)), ...(headers ? { headers } : {}) },
    ]),
  );
}

/** The 429 a simulator's own rate limit answers (rate-limit.ts). */
export function rateLimited(errorSchema: string, headers: Schema = {}): Schema {
  return {
    '429': {
      description: 'Above the rate limit (only when one is set)',
      headers: {
        ...headers,
        'Retry-After': { schema: int, description: 'Seconds until a request is admitted again' },
      },
      content: jsonContent(ref(errorSchema)),
    },
  };
}
