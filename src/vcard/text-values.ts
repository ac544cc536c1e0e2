// Values of the properties text-reader.ts hands over: ical.js's designs for vCard 4.0 and 3.0 (which
// properties are lists or `;`-structured, their default value types) and the escapes and spellings
// of each value type (see text-reader.ts for the rules).

/** One property of a card as the reader hands it over (jCard-like). */
export interface CardProperty {
  name: string;
  params: Record<string, unknown>;
  type: string;
  /** Strings, `null` for values of non-text types (numbers, booleans), arrays for structure. */
  values: unknown[];
}

interface PropertyDesign {
  type: string;
  structured?: true;
  multi?: true;
  /** 3.0 BDAY: a value with a `T` is a date-time. */
  detect?: true;
}

const TEXT: PropertyDesign = { type: 'text' };
const TEXT_LIST: PropertyDesign = { type: 'text', multi: true };
const STRUCTURED: PropertyDesign = { type: 'text', structured: true, multi: true };

/** Only the properties from-text.ts reads; any other property is never decoded. */
const V4: Record<string, PropertyDesign> = {
  adr: STRUCTURED,
  bday: { type: 'date-and-or-time' },
  email: TEXT,
  fn: TEXT,
  lang: { type: 'language-tag' },
  n: STRUCTURED,
  nickname: TEXT_LIST,
  note: TEXT,
  related: { type: 'uri' },
  role: TEXT,
  tel: { type: 'uri' },
  title: TEXT,
  tz: TEXT,
  version: TEXT,
};
const V3: Record<string, PropertyDesign> = {
  adr: STRUCTURED,
  agent: { type: 'vcard' },
  bday: { type: 'date-time', detect: true },
  email: TEXT,
  fn: TEXT,
  n: STRUCTURED,
  nickname: TEXT_LIST,
  note: TEXT_LIST,
  role: TEXT,
  'sort-string': TEXT,
  tel: { type: 'phone-number' },
  title: TEXT,
  tz: { type: 'utc-offset' },
  version: TEXT,
};

/** The properties from-text.ts maps (and VERSION): no other property is decoded. */
export const WANTED = new Set([...Object.keys(V4), ...Object.keys(V3), 'x-lang']);

export interface Rules {
  design: 'v4' | 'v3';
  compound: boolean;
}

export function decodeProperty(
  name: string,
  params: Record<string, unknown>,
  value: string,
  rules: Rules,
): CardProperty {
  const details = (rules.design === 'v4' ? V4 : V3)[name];
  let type: string;
  if (details?.detect === true && value !== '') {
    type = value.includes('T') ? 'date-time' : 'date';
  } else {
    const given = params['value'];
    type = typeof given === 'string' ? given.toLowerCase() : (details?.type ?? 'unknown');
  }
  delete params['value'];
  const structured = details?.structured === true;
  let values: unknown[];
  if (structured) {
    const components: unknown[] = [];
    for (const component of splitEscaped(value, ';')) {
      const parts: unknown[] = [];
      for (const part of splitEscaped(component, ',')) {
        parts.push(decodeValue(part, type, rules, true));
      }
      components.push(parts.length === 1 ? parts[0] : parts);
    }
    values = [components.length === 1 ? components[0] : components];
  } else if (details?.multi === true) {
    values = [];
    for (const part of splitEscaped(value, ',')) values.push(decodeValue(part, type, rules, false));
  } else {
    values = [decodeValue(value, type, rules, false)];
  }
  return { name, params, type, values };
}

/** Splits on `separator` where it is not the second character of an escape pair. */
function splitEscaped(value: string, separator: string): string[] {
  if (!value.includes(separator)) return [value];
  const parts: string[] = [];
  let start = 0;
  for (let index = 0; index < value.length; index++) {
    const char = value[index];
    if (char === '\\') index++;
    else if (char === separator) {
      parts.push(value.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(value.slice(start));
  return parts;
}

/** What an escape pair `\c` becomes, by value type (module-level: no closure per value). */
const enum Escapes {
  /** Text: `\\`, `\,`, `\n`/`\N`, and `\;` where it is decoded; other pairs stay. */
  Text,
  /** Text where `\;` stays escaped (a compound name that is not split on `;`). */
  TextKeepSemicolon,
  /** No escapes but `\\` (and `\;` outside N/ADR): dates, offsets, URIs in 3.0, … */
  Raw,
  RawKeepSemicolon,
  /** 3.0 phone numbers: every backslash dropped, except an escaped one. */
  Phone,
}

function decodePair(char: string, escapes: Escapes): string {
  if (char === '\\') return char;
  switch (escapes) {
    case Escapes.Phone:
      return char;
    case Escapes.Raw:
      return char === ';' ? char : `\\${char}`;
    case Escapes.RawKeepSemicolon:
      return `\\${char}`;
    default:
      if (char === ',') return char;
      if (char === 'n' || char === 'N') return '\n';
      if (char === ';' && escapes === Escapes.Text) return char;
      return `\\${char}`;
  }
}

/** Escape pairs resolved left to right (a lone backslash at the end is a pair with ''). */
function unescape(value: string, escapes: Escapes): string {
  let index = value.indexOf('\\');
  if (index === -1) return value;
  let out = '';
  let start = 0;
  while (index !== -1) {
    out += value.slice(start, index) + decodePair(value.charAt(index + 1), escapes);
    start = index + 2;
    index = start < value.length ? value.indexOf('\\', start) : -1;
  }
  return start < value.length ? out + value.slice(start) : out;
}

function decodeValue(
  value: string,
  type: string,
  rules: Rules,
  structured: boolean,
): string | null {
  const text = !rules.compound || structured ? Escapes.Text : Escapes.TextKeepSemicolon;
  const raw = rules.compound ? Escapes.RawKeepSemicolon : Escapes.Raw;
  switch (type) {
    case 'text':
      return unescape(value, text);
    case 'unknown':
      return unescape(value, Escapes.Text);
    case 'phone-number':
      return unescape(value, Escapes.Phone);
    case 'boolean':
    case 'integer':
    case 'float':
      return null;
  }
  if (rules.design === 'v4') {
    switch (type) {
      case 'uri':
        return unescape(value, text);
      case 'date':
        return date4(unescape(value, raw));
      case 'time':
        return time4(unescape(value, raw));
      case 'date-time':
      case 'date-and-or-time':
        return dateAndOrTime4(unescape(value, raw));
      case 'timestamp':
        return icalDateTime(unescape(value, raw));
      case 'utc-offset':
        return utcOffset4(unescape(value, raw));
      default:
        return unescape(value, raw);
    }
  }
  switch (type) {
    case 'vcard':
      return unescape(value, Escapes.Text);
    case 'date':
      return date4(unescape(value, raw));
    case 'date-time':
      return dateAndOrTime4(unescape(value, raw));
    case 'time':
      return icalTime(unescape(value, raw));
    case 'utc-offset':
      return unescape(value, raw).slice(0, 7);
    default:
      return unescape(value, raw);
  }
}

// The date and time spellings of ical.js's designs (design.js), applied the same way.

function icalDate(value: string): string {
  return `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
}

function icalDateTime(value: string): string {
  const result = `${icalDate(value)}T${value.slice(9, 11)}:${value.slice(11, 13)}:${value.slice(13, 15)}`;
  return value[15] === 'Z' ? `${result}Z` : result;
}

function icalTime(value: string): string {
  if (value.length < 6) return value;
  const result = `${value.slice(0, 2)}:${value.slice(2, 4)}:${value.slice(4, 6)}`;
  return value[6] === 'Z' ? `${result}Z` : result;
}

function date4(value: string): string {
  if (value.length === 8) return icalDate(value);
  if (value[0] === '-' && value.length === 6) return `${value.slice(0, 4)}-${value.slice(4)}`;
  return value;
}

function time4(value: string): string {
  const last = value.length - 1;
  const signAt = value.length - 5;
  const sign = value[signAt];
  let zone = '';
  let time = value;
  if (value[last] === 'Z') {
    zone = 'Z';
    time = value.slice(0, Math.max(0, last));
  } else if (value.length > 6 && (sign === '-' || sign === '+')) {
    zone = value.slice(signAt);
    time = value.slice(0, Math.max(0, signAt));
  }
  if (time.length === 6) time = `${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4, 6)}`;
  else if (time.length === 4 && time[0] !== '-') time = `${time.slice(0, 2)}:${time.slice(2, 4)}`;
  else if (time.length === 5) time = `${time.slice(0, 3)}:${time.slice(3, 5)}`;
  if (zone.length === 5 && (zone[0] === '-' || zone[0] === '+')) {
    zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  }
  return time + zone;
}

function dateAndOrTime4(value: string): string {
  const parts = value.split('T');
  const date = parts[0] ?? '';
  const time = parts[1] ?? '';
  return (date === '' ? '' : date4(date)) + (time === '' ? '' : `T${time4(time)}`);
}

function utcOffset4(value: string): string {
  if (value.length < 6) return `${value.slice(0, 3)}:${value.slice(3, 5)}`;
  return `${value.slice(0, 3)}:${value.slice(3, 5)}:${value.slice(5, 7)}`;
}
