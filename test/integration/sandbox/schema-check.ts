// A deliberately small OpenAPI-schema checker (type, required, properties, items, enum, $ref): just
// enough to prove the simulators' real answers match the descriptions they publish.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resolve(schema: unknown, root: unknown): Record<string, unknown> {
  if (!isRecord(schema)) throw new Error('schema is not an object');
  const ref = schema['$ref'];
  if (typeof ref !== 'string') return schema;
  let node: unknown = root;
  for (const part of ref.replace(/^#\//, '').split('/'))
    node = isRecord(node) ? node[part] : undefined;
  return resolve(node, root);
}

/** Problems found, as "path: message" strings; empty when the value conforms. */
export function check(value: unknown, schema: unknown, root: unknown, path = '$'): string[] {
  const s = resolve(schema, root);
  const problems: string[] = [];
  const type = s['type'];
  const actual = Array.isArray(value)
    ? 'array'
    : value === null
      ? 'null'
      : Number.isInteger(value)
        ? 'integer'
        : typeof value;
  if (typeof type === 'string') {
    const ok = type === actual || (type === 'number' && actual === 'integer');
    if (!ok) return [`${path}: expected ${type}, got ${actual}`];
  }
  const allowed = s['enum'];
  if (Array.isArray(allowed) && !allowed.includes(value as Json)) {
    problems.push(`${path}: ${JSON.stringify(value)} not in enum`);
  }
  if (isRecord(value)) {
    const required = s['required'];
    if (Array.isArray(required)) {
      for (const key of required) {
        if (typeof key === 'string' && !(key in value)) problems.push(`${path}: missing ${key}`);
      }
    }
    const properties = s['properties'];
    if (isRecord(properties)) {
      for (const [key, sub] of Object.entries(properties)) {
        if (key in value) problems.push(...check(value[key], sub, root, `${path}.${key}`));
      }
    }
  }
  if (Array.isArray(value) && s['items'] !== undefined) {
    value.forEach((item, i) => problems.push(...check(item, s['items'], root, `${path}[${i}]`)));
  }
  return problems;
}
