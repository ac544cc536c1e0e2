// VCard → vCard text (RFC 6350 4.0, or RFC 2426 3.0). Hand-written on purpose: ical.js is the
// independent checker in the tests, and its writer has quirks we do not want on the wire (bare
// CRs, no CRLF after END:VCARD, 76-octet continuation lines: its fold leaves the space uncounted).
import type { VCard, VCardAddress, VCardPhone } from '../domain.js';
import { cleanLanguage, cleanTypes, normalizeBirthday } from './normalize.js';

export type VCardVersion = '4.0' | '3.0';

const CRLF = '\r\n';
/** RFC 6350 §3.2: lines SHOULD NOT be longer than 75 octets, excluding the line break. */
const MAX_LINE_OCTETS = 75;

export function vcardToText(card: VCard, version: VCardVersion = '4.0'): string {
  const v4 = version === '4.0';
  const text = (value: string): string => escapeText(value, v4);
  const lines: string[] = ['BEGIN:VCARD', `VERSION:${version}`];

  lines.push(`FN:${text(card.formattedName)}`);
  // N always has its 5 components (family;given;additional;prefixes;suffixes): 3.0 requires N.
  const name = [card.lastName ?? '', card.firstName ?? '', '', '', '']
    .map(escapeComponent)
    .join(';');
  // 4.0 moved SORT-STRING into the SORT-AS parameter of N.
  const sortAs = v4 && card.sortString !== null ? `;SORT-AS="${escapeParam(card.sortString)}"` : '';
  lines.push(`N${sortAs}:${name}`);

  if (card.nicknames.length > 0) lines.push(`NICKNAME:${card.nicknames.map(text).join(',')}`);
  if (card.title !== null) lines.push(`TITLE:${text(card.title)}`);
  if (card.role !== null) lines.push(`ROLE:${text(card.role)}`);

  // Only dates are written (see normalizeBirthday). 4.0 dates are in basic format (RFC 6350
  // §4.3.1: 19800102, --0412); 3.0 takes the extended ISO 8601 form.
  const birthday = normalizeBirthday(card.birthday);
  if (birthday !== null)
    lines.push(`BDAY:${v4 ? birthday.replace(/(\d)-(\d)/g, '$1$2') : birthday}`);

  if (card.note !== null) lines.push(`NOTE:${text(card.note)}`);
  for (const email of card.emails) lines.push(`EMAIL:${text(email)}`);
  for (const phone of card.phones) lines.push(telLine(phone, v4));
  for (const address of card.addresses) lines.push(adrLine(address));

  // 3.0 TZ defaults to a UTC offset; a zone name needs VALUE=text there (4.0's default is text).
  if (card.timezone !== null) lines.push(`TZ${v4 ? '' : ';VALUE=text'}:${text(card.timezone)}`);
  // LANG is a language-tag value (no escaping) and exists only in 4.0; 3.0 needs an x-name.
  const language = cleanLanguage(card.language);
  if (language !== null) lines.push(`${v4 ? 'LANG' : 'X-LANG'}:${language}`);
  if (!v4 && card.sortString !== null) lines.push(`SORT-STRING:${text(card.sortString)}`);

  if (card.assistant !== null) {
    // The assistant is a name, not a card or a URI. Both 4.0 RELATED (default URI) and 3.0 AGENT
    // (default an embedded vCard) may be reset to text (RFC 6350 §6.6.6, RFC 2426 §3.5.4), and
    // ical.js reads both as text. This is also what the crossbar fixture writes.
    const property = v4 ? 'RELATED;TYPE=agent' : 'AGENT';
    lines.push(`${property};VALUE=text:${text(card.assistant)}`);
  }

  lines.push('END:VCARD');
  return lines.map(fold).join(CRLF) + CRLF;
}

function telLine(phone: VCardPhone, v4: boolean): string {
  // 4.0 TEL SHOULD be a URI and ical.js assumes one; a free-form number says VALUE=text.
  const value = v4 ? ';VALUE=text' : '';
  return `TEL${value}${typeParam(phone.types)}:${escapeText(phone.number, v4)}`;
}

function adrLine(address: VCardAddress): string {
  // The upstream address is free text, so it goes whole into the street component of the 7
  // (pobox;ext;street;locality;region;code;country); from-text reads it back from there.
  const components = ['', '', escapeComponent(address.address), '', '', '', ''];
  return `ADR${typeParam(address.types)}:${components.join(';')}`;
}

function typeParam(types: readonly string[]): string {
  const tokens = cleanTypes(types);
  return tokens.length > 0 ? `;TYPE=${tokens.join(',')}` : '';
}

/** One line break escape (`\n`) for LF, CRLF and CR alike. */
function escapeNewlines(value: string): string {
  return value.replace(/\r\n|\r|\n/g, '\\n');
}

/**
 * A text value. `\` and `,` are always escaped. `;` is escaped in 3.0, where RFC 2426 requires it;
 * in 4.0 it is left alone in non-compound values: RFC 6350's `text` grammar has no `\;` (it is
 * only MAY in §3.4), and ical.js's 4.0 reader would keep the backslash.
 */
function escapeText(value: string, v4: boolean): string {
  const special = v4 ? /[\\,]/g : /[\\,;]/g;
  return escapeNewlines(value.replace(special, (char) => `\\${char}`));
}

/** A component of N or ADR: `;` separates components there, so it is escaped in both versions. */
function escapeComponent(value: string): string {
  return escapeNewlines(value.replace(/[\\,;]/g, (char) => `\\${char}`));
}

/**
 * A quoted parameter value with RFC 6868 escapes (`^^`, `^n`, `^'`), the only way to carry `"` and
 * line breaks in a parameter; ical.js decodes them.
 */
function escapeParam(value: string): string {
  return value.replace(/\r\n|[\r\n^"]/g, (char) =>
    char === '^' ? '^^' : char === '"' ? "^'" : '^n',
  );
}

function utf8Length(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  if (codePoint < 0x10000) return 3;
  return 4;
}

/**
 * Folds a content line into physical lines of at most 75 octets; each continuation starts with one
 * space (which counts). Iterating by code point never splits a UTF-8 sequence or a surrogate pair.
 */
function fold(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = utf8Length(char.codePointAt(0) ?? 0);
    if (octets + size > MAX_LINE_OCTETS) {
      parts.push(current);
      current = ' ';
      octets = 1;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join(CRLF);
}
