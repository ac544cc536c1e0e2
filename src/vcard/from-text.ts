// vCard text (3.0 as crossbar answers `text/vcard`, or 4.0) → VCard, read by text-reader.ts.
// Properties we do not map are ignored.
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
import { readVCard, VCardReadError, type CardProperty } from './text-reader.js';

/** The body is not a (supported) vCard; the client maps this to UPSTREAM_ERROR. */
export class VCardParseError extends Error {
  override name = 'VCardParseError';
}

/** Reads the properties of the first card of a body; throws VCardParseError for anything else. */
export type CardReader = (text: string) => CardProperty[];

const readCard: CardReader = (text) => {
  try {
    return readVCard(text);
  } catch (error) {
    if (error instanceof VCardReadError) throw new VCardParseError(error.message, { cause: error });
    throw error;
  }
};

export function vcardFromText(text: string): VCard {
  return vcardFromCard(readCard(text), readCard);
}

/** The card's properties → VCard; `read` reads an embedded card (3.0 AGENT). */
export function vcardFromCard(properties: readonly CardProperty[], read: CardReader): VCard {
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
    assistant: assistantOf(properties, read),
  };
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
 * TYPE values, lower-cased. The reader gives `TYPE=a,b` as an array and repeated TYPE parameters as
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
 * embedded vCard (its FN is the name) and which may also be given as text or URI.
 */
function assistantOf(properties: readonly CardProperty[], read: CardReader): string | null {
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
      return cleanText(textOf(read(value).find((property) => property.name === 'fn')));
    } catch (error) {
      // A broken embedded card loses the assistant, not the whole card.
      if (error instanceof VCardParseError) return null;
      throw error;
    }
  }
  return cleanText(value);
}
