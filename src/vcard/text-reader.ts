// A vCard text reader (RFC 6350 4.0 / RFC 2426 3.0) for the properties from-text.ts maps. It reads
// what ical.js read before (lenient in the same places, refusing the same bodies), in one pass per
// line and without building ical.js's jCard: 3x faster than the ical.js path side by side, 2x with
// the mapping (bench/micro/README.md). ical.js stays in the tests as the independent oracle
// (test/unit/vcard/ical-reader.ts), compared card by card on generated and hostile text.
//
// Escapes (one rule for every value, taken left to right): `\\` is a backslash; `\,` a comma; `\;`
// a semicolon (RFC 2426 requires 3.0 writers to escape every `;`); `\n` and `\N` a line break; any
// other pair stays as written. Separators after an escaped backslash are real (`N:a\\;b` is two
// components). Parameter values have no backslash escapes (RFC 6350 §5), only RFC 6868's `^n`,
// `^'` and `^^`. Structure (which properties are lists or `;`-structured, the value types and
// their spelling: 3.0 TEL keeps no backslash, dates gain their dashes, …) is ical.js's design for
// the two versions, as is its rule that a card whose first property is not VERSION:4.0 is read
// with the 3.0 rules. Values are decoded in text-values.ts.
import { WANTED, decodeProperty, type CardProperty } from './text-values.js';

/** One property: name without group, parameters by lower-case name, value type, values. */
export type { CardProperty } from './text-values.js';

/** The body is not a (supported) vCard. */
export class VCardReadError extends Error {
  override name = 'VCardReadError';
}

/** Names whose `\;` stays escaped until the value is split (from-text.ts's list, kept as is). */
const COMPOUND = new Set(['n', 'adr', 'org', 'gender', 'clientpidmap', 'geo']);

/** Reads every card of the body (errors anywhere refuse the body); returns the first vCard's properties. */
export function readVCard(text: string): CardProperty[] {
  const reader = new Reader();
  const lines = unfold(text.startsWith('\uFEFF') ? text.slice(1) : text);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] ?? '';
    if (i === 0) line = line.replace(/^[ \t]+/, '');
    if (i === lines.length - 1) line = line.trim();
    if (line !== '') reader.line(line);
  }
  return reader.finish();
}

/** RFC 6350 §3.2: CRLF (or LF) followed by a space or tab continues the line. */
function unfold(text: string): string[] {
  const lines: string[] = [];
  for (const physical of text.split('\n')) {
    const line = physical.endsWith('\r') ? physical.slice(0, -1) : physical;
    const last = lines.length - 1;
    if (last >= 0 && (line.startsWith(' ') || line.startsWith('\t'))) {
      lines[last] += line.slice(1);
    } else {
      lines.push(line);
    }
  }
  return lines;
}

/**
 * Components nest as ical.js nests them: arrays `[name, properties, children]` under a root array,
 * with its stack discipline (END pops whatever is open), so that the same bodies are refused.
 * Arrays are loose on purpose: like ical.js, a property line between cards lands in whatever array
 * sits at index 1, which spoils that card (it no longer has the shape of one).
 */
type Loose = unknown[];

class Reader {
  private readonly root: Loose = [];
  private stack: Loose[] = [this.root];
  private current: Loose | undefined = this.root;
  /** Undefined until the first BEGIN; then 4.0 rules until a card starts otherwise. */
  private design: 'v4' | 'v3' | undefined;
  private firstComponentIsCard = false;

  line(raw: string): void {
    const prepared = prepare(raw);
    const parsed = splitLine(prepared.line);
    if (parsed.kind !== 'property') {
      this.structure(parsed.kind, valueAt(prepared, parsed.valueAt));
      return;
    }
    const current = this.current;
    // ical.js fails on a property outside any card (no design yet, or nothing to hold it).
    if (this.design === undefined || current === undefined) throw lineError(raw);
    const target = current[1];
    if (!Array.isArray(target)) throw lineError(raw);
    const grouped = parsed.name;
    const name = grouped.includes('.') ? (grouped.split('.')[1] ?? '') : grouped;
    const firstOfCard = current[0] === 'vcard' && target.length === 0;
    const property = WANTED.has(name)
      ? decodeProperty(name, parsed.params, valueAt(prepared, parsed.valueAt), {
          design: this.design,
          compound: prepared.compound,
        })
      : { name, params: {}, type: 'unknown', values: [] };
    if (firstOfCard && !(grouped === 'version' && property.values[0] === '4.0')) {
      this.design = 'v3';
    }
    target.push(property);
  }

  private structure(kind: 'begin' | 'end', value: string): void {
    if (kind === 'end') {
      this.current = this.stack.pop();
      return;
    }
    const component: Loose = [value.toLowerCase(), [], []];
    const current = this.current;
    const holder = this.stack.length === 1 ? current : current?.[2];
    if (!Array.isArray(holder)) throw new VCardReadError('The body is not a vCard');
    holder.push(component);
    if (current !== undefined) this.stack.push(current);
    this.current = component;
    if (this.design === undefined) {
      // ical.js picks the rules of the first component for the whole body; a body that does not
      // start with a vCard is not one (ical.js would read a later card with iCalendar rules).
      this.design = 'v4';
      this.firstComponentIsCard = component[0] === 'vcard';
    }
  }

  finish(): CardProperty[] {
    if (this.stack.length > 1) {
      throw new VCardReadError('The body is not a vCard: a component began but did not end');
    }
    if (!this.firstComponentIsCard) throw new VCardReadError('The body holds no vCard');
    const card = this.root.find(isCard);
    if (card === undefined) throw new VCardReadError('The body holds no vCard');
    const version = card[1].find((property) => property.name === 'version')?.values[0];
    // 2.1 uses other escaping rules (and QUOTED-PRINTABLE); reading it as 3.0 would garble values.
    // A missing VERSION is read as 3.0.
    if (version !== undefined && version !== '3.0' && version !== '4.0') {
      throw new VCardReadError(`Unsupported vCard version ${String(version)}`);
    }
    return card[1];
  }
}

function isCard(value: unknown): value is ['vcard', CardProperty[], unknown[]] {
  return (
    Array.isArray(value) &&
    value.length === 3 &&
    value[0] === 'vcard' &&
    Array.isArray(value[1]) &&
    Array.isArray(value[2])
  );
}

function lineError(line: string): VCardReadError {
  return new VCardReadError(`The body is not a vCard (line "${line.slice(0, 40)}")`);
}

// ---------------------------------------------------------------------------------------------
// Lines

interface Prepared {
  /** The line as its parameters are parsed: bare TYPE values named, TZ read as text. */
  line: string;
  /** Where the value starts in `line` and in `raw` (the value itself is never rewritten). */
  headLength: number;
  raw: string;
  rawValueStart: number;
  /** Whether `\;` stays escaped in the value until it is split (see COMPOUND). */
  compound: boolean;
}

/**
 * The rewrites from-text.ts did before ical.js read a line (same conditions): `TEL;WORK;VOICE`
 * names its bare TYPE values; 3.0 TZ without VALUE is read as text, since its default, utc-offset,
 * would be cut to 7 characters (`TZ:America/New_York` is common).
 */
function prepare(raw: string): Prepared {
  const nameEnd = raw.search(/[;:]/);
  const unchanged: Prepared = {
    line: raw,
    headLength: raw.length,
    raw,
    rawValueStart: raw.length,
    compound: true,
  };
  if (nameEnd <= 0) return unchanged;
  const name = raw.slice(0, nameEnd).toLowerCase();
  const property = name.slice(name.lastIndexOf('.') + 1);
  const valueStart = valueStartOf(raw, nameEnd);
  if (valueStart < 0) return unchanged;
  let head = bareTypesNamed(raw.slice(0, valueStart - 1));
  if (property === 'tz' && !/;VALUE=/i.test(head)) head += ';VALUE=text';
  return {
    line: `${head}:${raw.slice(valueStart)}`,
    headLength: head.length + 1,
    raw,
    rawValueStart: valueStart,
    compound: COMPOUND.has(property),
  };
}

/** The value as escaped text: taken from the raw line, or (rarely) partly from the rewritten head. */
function valueAt(prepared: Prepared, at: number): string {
  if (at >= prepared.headLength) {
    return prepared.raw.slice(prepared.rawValueStart + at - prepared.headLength);
  }
  // The value reaches back into the parameters, whose backslashes are literal.
  const head = prepared.line.slice(at, prepared.headLength - 1).replace(/\\/g, '\\\\');
  return `${head}:${prepared.raw.slice(prepared.rawValueStart)}`;
}

function bareTypesNamed(head: string): string {
  const segments: string[] = [];
  let start = 0;
  let quoted = false;
  for (let index = 0; index < head.length; index++) {
    const char = head[index];
    if (char === '"') quoted = !quoted;
    else if (char === ';' && !quoted) {
      segments.push(head.slice(start, index));
      start = index + 1;
    }
  }
  segments.push(head.slice(start));
  return segments
    .map((segment, index) =>
      index > 0 && !segment.includes('=') && segment !== '' ? `TYPE=${segment}` : segment,
    )
    .join(';');
}

/** Index after the `:` that ends the name and parameters (a `:` inside quotes does not). */
function valueStartOf(line: string, nameEnd: number): number {
  if (line[nameEnd] === ':') return nameEnd + 1;
  let quoted = false;
  for (let index = nameEnd; index < line.length; index++) {
    const char = line[index];
    if (char === '"') quoted = !quoted;
    else if (char === ':' && !quoted) return index + 1;
  }
  return -1;
}

type SplitLine =
  | { kind: 'begin' | 'end'; valueAt: number }
  | { kind: 'property'; name: string; params: Record<string, unknown>; valueAt: number };

/** Name, parameters and where the value starts, found the way ical.js finds them. */
function splitLine(line: string): SplitLine {
  const valuePos = line.indexOf(':');
  let paramPos = line.indexOf(';');
  if (paramPos !== -1 && valuePos !== -1 && paramPos > valuePos) paramPos = -1;
  if (paramPos !== -1) {
    const name = line.slice(0, paramPos).toLowerCase();
    const { params, lastValue, lastValuePos } = parseParameters(line.slice(paramPos), line);
    if (lastValuePos === -1) throw lineError(line);
    const lastParamIndex = lastValue + lastValuePos + paramPos;
    const colon = line.slice(Math.max(0, lastParamIndex)).indexOf(':');
    if (colon === -1) throw lineError(line);
    return { kind: 'property', name, params, valueAt: Math.max(0, lastParamIndex) + colon + 1 };
  }
  if (valuePos === -1) throw lineError(line);
  const name = line.slice(0, valuePos).toLowerCase();
  if (name === 'begin' || name === 'end') return { kind: name, valueAt: valuePos + 1 };
  return { kind: 'property', name, params: {}, valueAt: valuePos + 1 };
}

const RFC6868: Record<string, string> = { "^'": '"', '^n': '\n', '^^': '^' };
const rfc6868 = (pair: string): string => RFC6868[pair] ?? pair;

/**
 * ical.js's parameter loop (parse.js, _parseParameters), on the parameters of one line. Its
 * position arithmetic is kept, since it decides where the value starts. `lastValue` is the length
 * ical.js counts for the last value (the parts of a list, without their commas).
 */
function parseParameters(
  text: string,
  line: string,
): { params: Record<string, unknown>; lastValue: number; lastValuePos: number } {
  // A plain object, as ical.js's: `__proto__=x` sets nothing (its value is a string).
  const params: Record<string, unknown> = {};
  let lastParam = 0;
  let pos: number | false = 0;
  let lastValue = 0;
  let valuePos = -1;
  while (pos !== false && (pos = text.indexOf('=', pos + 1)) !== -1) {
    const name = text.slice(lastParam + 1, pos);
    if (name.length === 0) throw lineError(line);
    const lcname = name.toLowerCase();
    const multi = lcname === 'type';
    let value: string;
    if (text[pos + 1] === '"') {
      valuePos = pos + 2;
      pos = text.indexOf('"', valuePos);
      if (multi && pos !== -1) {
        while (text[pos + 1] === ',' && text[pos + 2] === '"') pos = text.indexOf('"', pos + 3);
      }
      if (pos === -1) throw lineError(line);
      value = text.slice(valuePos, pos);
      lastParam = text.indexOf(';', pos);
      const propValuePos = text.indexOf(':', pos);
      if (lastParam === -1 || (propValuePos !== -1 && lastParam > propValuePos)) pos = false;
    } else {
      valuePos = pos + 1;
      let nextPos = text.indexOf(';', valuePos);
      const propValuePos = text.indexOf(':', valuePos);
      if (propValuePos !== -1 && nextPos > propValuePos) {
        nextPos = propValuePos;
        pos = false;
      } else if (nextPos === -1) {
        nextPos = propValuePos === -1 ? text.length : propValuePos;
        pos = false;
      } else {
        lastParam = nextPos;
        pos = nextPos;
      }
      value = text.slice(valuePos, nextPos);
    }
    const before = value.length;
    if (value.includes('^')) value = value.replace(/\^['n^]/g, rfc6868);
    valuePos += before - value.length;
    if (multi) {
      const parts = value.split(',');
      const parsed = parts.length === 1 ? value : parts;
      lastValue = value.length - (parts.length - 1);
      const existing = params[lcname];
      if (existing === undefined) params[lcname] = parsed;
      else if (Array.isArray(existing)) existing.push(parsed);
      else params[lcname] = [existing, parsed];
    } else {
      lastValue = value.length;
      params[lcname] = value;
    }
  }
  return { params, lastValue, lastValuePos: valuePos };
}
