// Environment of the bench-side servers (floors, naive gateway, Mesh).

/** A required variable, without trailing slashes (the upstream base URLs); throws when unset. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value.replace(/\/+$/, '');
}
