// vCard text (3.0 as crossbar answers `text/vcard`, or 4.0) → VCard, parsed with ical.js.
// Properties we do not map are ignored. ical.js's jCard output is `any`; it is narrowed here.
import ICAL from 'ical.js';
import type { VCard, VCardAddress, VCardPhone } from '../domain.js';
import { UNKNOWN_NAME } from './from-document.js';
import {
  addPhone,
  cleanLanguage,
  cleanList,
  cleanPhone,
  cleanText,
  cleanTypes,
  normalizeBirthday,
} from './normalize.js';

/** The body is not a (supported) vCard; the client maps this to UPSTREAM_ERROR. */
export class VCardParseError extends Error {
  override name = 'VCardParseError';
}

/** One jCard property: [name, params, value type, ...values]. */
interface CardProperty {
  name: string;
  params: Record<string, unknown>;
  type: string;
  values: unknown[];
}

export function vcardFromText(text: string): VCard {
  const properties = parseCard(text);
  const all = (name: string): CardProperty[] =>
    properties.filter((property) => property.name === name);
  const first = (name: string): CardProperty | undefined =>
    properties.find((property) => property.name === name);

  const name = first('n');
  const nameComponents = name === undefined ? [] : structuredComponents(name);
  const lastName = cleanText(nameComponents[0]);
  const firstName = cleanText(nameComponents[1]);

  const phones: VCardPhone[] = [];
  for (const tel of all('tel')) addPhone(phones, cleanPhone(phoneNumber(tel)), typesOf(tel));

  const addresses: VCardAddress[] = [];
  for (const adr of all('adr')) {
    const address = addressText(adr);
    if (address !== null) addresses.push({ address, types: typesOf(adr) });
  }

  const emails = cleanList(all('email').map(textOf));
  const fullName = cleanText([firstName, lastName].filter((part) => part !== null).join(' '));
  const sortAs = name === undefined ? null : cleanText(paramText(name.params['sort-as']));

  return {
    // FN is mandatory, but a lenient reader still gives the non-null GraphQL field a value.
    formattedName: cleanText(textOf(first('fn'))) ?? fullName ?? emails[0] ?? UNKNOWN_NAME,
    firstName,
    lastName,
    nicknames: cleanList(all('nickname').flatMap((property) => property.values.map(decoded))),
    title: cleanText(textOf(first('title'))),
    role: cleanText(textOf(first('role'))),
    birthday: normalizeBirthday(textOf(first('bday'))),
    note: cleanText(textOf(first('note'))),
    emails,
    phones,
    addresses,
    timezone: cleanText(textOf(first('tz'))),
    language: cleanLanguage(textOf(first('lang') ?? first('x-lang'))),
    sortString: sortAs ?? cleanText(textOf(first('sort-string'))),
    assistant: assistantOf(properties),
  };
}

// ---------------------------------------------------------------------------------------------
// Parsing

function parseCard(text: string): CardProperty[] {
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
  const segments: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of head) {
    if (char === '"') quoted = !quoted;
    if (char === ';' && !quoted) {
      segments.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  segments.push(current);
  return segments
    .map((segment, index) =>
      index > 0 && !segment.includes('=') && segment !== '' ? `TYPE=${segment}` : segment,
    )
    .join(';');
}

/** Index after the `:` that ends the name and parameters (a `:` inside a quoted parameter does not). */
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

// ---------------------------------------------------------------------------------------------
// Values

function decoded(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/**
 * The whole value of a single-text property. Multi-valued designs (3.0 NOTE) split on unescaped
 * commas, which other writers leave in; the parts are joined back.
 */
function textOf(property: CardProperty | undefined): string | null {
  if (property === undefined) return null;
  const parts = property.values.map(decoded).filter((part) => part !== null);
  return parts.length === 0 ? null : parts.join(',');
}

/** Components of N/ADR; a component that is itself a comma list (4.0) is joined back with commas. */
function structuredComponents(property: CardProperty): string[] {
  const value = property.values[0];
  const components = Array.isArray(value) ? value : [value];
  return components.map((component) => {
    if (typeof component === 'string') return component;
    return Array.isArray(component)
      ? component.filter((part) => typeof part === 'string').join(',')
      : '';
  });
}

/** A parameter value: a string, or (repeated or comma-listed) nested arrays of strings. */
function paramValues(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.flatMap(paramValues) : [];
}

function paramText(value: unknown): string | null {
  const values = paramValues(value);
  return values.length === 0 ? null : values.join(',');
}

/**
 * TYPE values, lower-cased. ical.js gives `TYPE=a,b` as an array and repeated TYPE parameters as
 * nested arrays (`["WORK", ["voice", "cell"]]`); a quoted `TYPE="a,b"` may stay one string.
 */
function typesOf(property: CardProperty): string[] {
  return cleanTypes(paramValues(property.params['type']).flatMap((type) => type.split(',')));
}

function phoneNumber(property: CardProperty): string | null {
  const value = textOf(property);
  // A 4.0 URI value (`tel:+1-555-0100`) is a number for the model; text values stay as written.
  return value !== null && property.type === 'uri' ? value.replace(/^tel:/i, '') : value;
}

/**
 * The address as one text. Our writer (and crossbar) put the free-text address in the street
 * component; a 4.0 LABEL parameter is the formatted address when present; otherwise the non-empty
 * components of a structured address are joined.
 */
function addressText(property: CardProperty): string | null {
  const label = cleanText(paramText(property.params['label']));
  if (label !== null) return label;
  return cleanText(
    structuredComponents(property)
      .map((component) => cleanText(component))
      .filter((component) => component !== null)
      .join(', '),
  );
}

/**
 * The assistant: 4.0 RELATED;TYPE=agent (text or URI), else 3.0 AGENT, whose default value is an
 * embedded vCard (its FN is the name) and which ical.js also accepts as text or URI.
 */
function assistantOf(properties: readonly CardProperty[]): string | null {
  const related = properties.find(
    (property) => property.name === 'related' && typesOf(property).includes('agent'),
  );
  if (related !== undefined) return cleanText(textOf(related));
  const agent = properties.find((property) => property.name === 'agent');
  const value = textOf(agent);
  if (value === null) return null;
  // Only a `vcard` value (AGENT's default type; `unknown` in a 4.0 card) is an embedded card:
  // AGENT;VALUE=text may well say "BEGIN:VCARD".
  const embedded = agent?.type === 'vcard' || agent?.type === 'unknown';
  if (embedded && /^\s*BEGIN:VCARD/i.test(value)) {
    try {
      return cleanText(textOf(parseCard(value).find((property) => property.name === 'fn')));
    } catch (error) {
      // A broken embedded card loses the assistant, not the whole card.
      if (error instanceof VCardParseError) return null;
      throw error;
    }
  }
  return cleanText(value);
}
