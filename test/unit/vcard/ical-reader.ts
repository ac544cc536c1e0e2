// The independent oracle for src/vcard/text-reader.ts: the way the gateway read vCard text before
// (ical.js's parser, with from-text.ts's workarounds for three of its quirks; the workarounds'
// scanners rewritten as regular expressions so that no code is shared with the reader). The
// property tests compare the two card by card (text-reader.test.ts).
import ICAL from 'ical.js';
import { VCardParseError } from '../../../src/vcard/from-text.js';
import type { CardProperty } from '../../../src/vcard/text-reader.js';

// ---------------------------------------------------------------------------------------------
// Parsing

export function readVCardWithIcal(text: string): CardProperty[] {
  // A byte order mark (Windows tools write one) would make ical.js read `BEGIN` as a property name.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const backslash = placeholderFor(body);
  let parsed: unknown;
  try {
    parsed = ICAL.parse(prepareForIcal(body, backslash));
  } catch (error) {
    // ical.js throws ParserError for malformed lines, and TypeErrors for input that never opens a
    // component (e.g. JSON or HTML with a colon): all of it means "not a vCard".
    throw new VCardParseError('The body is not a vCard', { cause: error });
  }
  // One component, or a list when the body holds several; the first vCard is the card.
  const components = isComponent(parsed)
    ? [parsed]
    : Array.isArray(parsed)
      ? parsed.filter(isComponent)
      : [];
  const card = components.find((component) => component[0] === 'vcard');
  if (card === undefined) throw new VCardParseError('The body holds no vCard');

  const properties = card[1].flatMap((entry) => {
    const property = toProperty(entry, backslash);
    return property === undefined ? [] : [property];
  });
  const version = properties.find((property) => property.name === 'version')?.values[0];
  // 2.1 uses other escaping rules (and QUOTED-PRINTABLE); reading it as 3.0 would garble values.
  // A missing VERSION is tolerated and read as 3.0, as ical.js does.
  if (version !== undefined && version !== '3.0' && version !== '4.0') {
    throw new VCardParseError(`Unsupported vCard version ${String(version)}`);
  }
  return properties;
}

type Component = [string, unknown[], unknown[]];

function isComponent(value: unknown): value is Component {
  return (
    Array.isArray(value) &&
    value.length === 3 &&
    typeof value[0] === 'string' &&
    Array.isArray(value[1]) &&
    Array.isArray(value[2])
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A jCard property with every literal backslash restored. Values of types ical.js does not know
 * (X-LANG, SORT-STRING in a 4.0 card, AGENT in 4.0, …) come back raw as `unknown`, so they are
 * decoded here with the vCard text rules first.
 */
function toProperty(entry: unknown, backslash: string): CardProperty | undefined {
  if (!Array.isArray(entry)) return undefined;
  const [name, params, type, ...values]: unknown[] = entry;
  if (typeof name !== 'string' || !isRecord(params) || typeof type !== 'string') return undefined;
  const restore = (value: unknown): unknown => {
    if (typeof value === 'string') return value.split(backslash).join('\\');
    return Array.isArray(value) ? value.map(restore) : value;
  };
  const decode = (value: unknown): unknown => {
    if (typeof value === 'string' && type === 'unknown') return unescapeRaw(value);
    return Array.isArray(value) ? value.map(decode) : value;
  };
  return {
    name,
    params: Object.fromEntries(Object.entries(params).map(([key, value]) => [key, restore(value)])),
    type,
    values: values.map((value) => restore(decode(value))),
  };
}

function unescapeRaw(value: string): string {
  return value.replace(/\\([\s\S])/g, (pair, char: string) => {
    if (char === 'n' || char === 'N') return '\n';
    return char === ',' || char === ';' ? char : pair;
  });
}

/**
 * Properties whose value is split on `;` into components (vCard 3.0 and 4.0 designs of ical.js).
 * ical.js decodes `\;` only in these.
 */
const COMPOUND_PROPERTIES = new Set(['n', 'adr', 'org', 'gender', 'clientpidmap', 'geo']);

/**
 * A private-use character absent from the text, to stand for a literal backslash. One pass over
 * the text: probing with `includes` per candidate would be quadratic on a body full of them.
 */
function placeholderFor(text: string): string {
  const used = new Set<number>();
  for (const char of text) used.add(char.codePointAt(0) ?? 0);
  let codePoint = 0xe000;
  while (used.has(codePoint)) codePoint++;
  return String.fromCodePoint(codePoint);
}

/**
 * Resolves backslashes before ical.js sees them, working around three ical.js quirks:
 * - its text decoder handles `\\`, `\,` and `\n` but leaves `\;` outside compound properties,
 *   although RFC 2426 requires 3.0 writers to escape every `;` (RFC 6350 allows it);
 * - its splitter treats any separator after a backslash as escaped, so `N:a\\;b` (family name
 *   ending in a backslash) or `NICKNAME:a\\,b` is split in the wrong place;
 * - it decodes backslash escapes in parameter values, which have none (RFC 6350 §5, RFC 6868).
 * Decoded afterwards, none of this could be told apart, so the lines are unfolded the way ical.js
 * does it and then, escape pairs taken left to right: in the value an escaped backslash becomes
 * the placeholder and, outside compound properties, `\;` a bare `;` (a literal there); in the
 * parameters every backslash becomes the placeholder. toProperty turns placeholders back.
 */
function prepareForIcal(text: string, backslash: string): string {
  const lines: string[] = [];
  for (const physical of text.split('\n')) {
    const line = physical.endsWith('\r') ? physical.slice(0, -1) : physical;
    const previous = lines.pop();
    if (previous !== undefined && (line.startsWith(' ') || line.startsWith('\t'))) {
      lines.push(previous + line.slice(1));
    } else {
      if (previous !== undefined) lines.push(previous);
      lines.push(line);
    }
  }
  return lines.map((line) => prepareLine(line, backslash)).join('\r\n');
}

function prepareLine(line: string, backslash: string): string {
  const nameEnd = line.search(/[;:]/);
  if (nameEnd <= 0) return line;
  const name = line.slice(0, nameEnd).toLowerCase();
  const property = name.slice(name.lastIndexOf('.') + 1);
  const compound = COMPOUND_PROPERTIES.has(property);
  const valueStart = valueStartOf(line, nameEnd);
  if (valueStart < 0) return line;
  // Without the `:` that ends it, so that a parameter can be appended.
  let head = bareTypesNamed(line.slice(0, valueStart - 1));
  // 3.0 TZ defaults to utc-offset, which ical.js cuts to 7 characters: `TZ:America/New_York`
  // (common, if not strictly 3.0) would read as "America". As text, an offset stays unchanged.
  if (property === 'tz' && !/;VALUE=/i.test(head)) head += ';VALUE=text';
  const params = `${head}:`.split('\\').join(backslash);
  const value = line.slice(valueStart).replace(/\\[\s\S]/g, (pair) => {
    if (pair === '\\\\') return backslash;
    return pair === '\\;' && !compound ? ';' : pair;
  });
  return params + value;
}

/**
 * `TEL;WORK;VOICE:` — bare TYPE values without `TYPE=`, a vCard 2.1 habit that many 3.0 writers
 * kept (RFC 2426's own AGENT example has `EMAIL;INTERNET`) — make ical.js reject the whole card;
 * they are named here. Splits on `;` outside quotes.
 */
function bareTypesNamed(head: string): string {
  return segmentsOf(head)
    .map((segment, index) =>
      index > 0 && !segment.includes('=') && segment !== '' ? `TYPE=${segment}` : segment,
    )
    .join(';');
}

// The two scanners below are written with regular expressions on purpose: text-reader.ts scans
// the same syntax with loops, and an oracle that shares its code would share its mistakes.

/** `head` split on each `;` outside quotes (an unclosed quote runs to the end). */
function segmentsOf(head: string): string[] {
  const segment = /(?:[^;"]|"[^"]*(?:"|$))*/y;
  const segments: string[] = [];
  for (;;) {
    segments.push(segment.exec(head)?.[0] ?? '');
    if (segment.lastIndex >= head.length) return segments;
    segment.lastIndex++; // the `;`
  }
}

/** Index after the `:` that ends the name and parameters (a `:` inside a quoted parameter does not). */
function valueStartOf(line: string, nameEnd: number): number {
  const head = /^(?:[^":]|"[^"]*(?:"|$))*:/.exec(line.slice(nameEnd));
  return head === null ? -1 : nameEnd + head[0].length;
}
