// Command-line options of the bench scripts: node:util's parseArgs (unknown flags are errors),
// plus the checks it leaves out (numbers in range, lists of known names).
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Parses `argv` against `spec`; throws on an unknown flag or a missing value. */
export function parseFlags<const S extends OptionSpec>(argv: string[], spec: S) {
  return parseArgs({ args: argv, options: spec, strict: true, allowPositionals: false }).values;
}

/** A numeric flag's value, or its default; throws when it is not a number in [min, max]. */
export function numberFlag(
  name: string,
  raw: string | undefined,
  fallback: number,
  range: { min: number; max: number; integer?: boolean },
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  const ok =
    Number.isFinite(value) &&
    value >= range.min &&
    value <= range.max &&
    (range.integer !== true || Number.isInteger(value));
  if (!ok) {
    const kind = range.integer === true ? 'an integer' : 'a number';
    throw new Error(`--${name}: ${raw} is not ${kind} from ${range.min} to ${range.max}`);
  }
  return value;
}

/** A comma-separated flag's names, each one of `all`; all of them when the flag is absent. */
export function listFlag<T extends string>(
  name: string,
  raw: string | undefined,
  all: readonly T[],
): T[] {
  if (raw === undefined) return [...all];
  return raw.split(',').map((item) => {
    const picked = all.find((known) => known === item.trim());
    if (picked === undefined)
      throw new Error(`--${name}: unknown ${item} (one of ${all.join(', ')})`);
    return picked;
  });
}

/** Repeated `NAME=VALUE` flags as an object. */
export function envFlag(name: string, raw: readonly string[] | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of raw ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`--${name} needs NAME=VALUE, got ${pair}`);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}
