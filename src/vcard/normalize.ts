// Value normalisation shared by every path into the VCard model (JSON document, vCard text, and
// the ical.js fixture). Both upstream formats must give the same card for the same user, so every
// reader applies exactly these functions; each is idempotent, so a card read back from our own
// text is unchanged.
import type { VCardPhone } from '../domain.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// C0 controls except TAB and LF, and DEL: vCard text has no way to carry them (RFC 6350 §3.3
// VALUE-CHAR), and they carry no contact information.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F]/g;

/**
 * Trimmed text with line breaks as LF, without control characters or lone surrogates (which UTF-8
 * cannot encode); null when nothing is left. CRLF and CR become LF because vCard text has a single
 * newline escape (`\n`), so CRLF could not survive a round trip anyway.
 */
export function cleanText(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const cleaned = value
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(/\r\n?/g, '\n')
    .replace(CONTROL, '')
    .trim();
  return cleaned === '' ? null : cleaned;
}

/** Non-empty cleaned entries, in order. */
export function cleanList(
  values: readonly (string | null | undefined)[] | null | undefined,
): string[] {
  const result: string[] = [];
  for (const value of values ?? []) {
    const cleaned = cleanText(value);
    if (cleaned !== null) result.push(cleaned);
  }
  return result;
}

/**
 * TYPE parameter values: lower-case (vCard TYPE values are case-insensitive), deduplicated, and
 * only tokens (letters, digits, `-`: RFC 6350 iana-token / x-name). Anything else could not be
 * written as an unquoted parameter value, and a comma inside would split into two types on the way
 * back, so it is dropped rather than mangled.
 */
export function cleanTypes(
  values: readonly (string | null | undefined)[] | null | undefined,
): string[] {
  const result: string[] = [];
  for (const value of values ?? []) {
    const type = value?.trim().toLowerCase() ?? '';
    if (/^[a-z0-9-]+$/.test(type) && !result.includes(type)) result.push(type);
  }
  return result;
}

/**
 * A phone number as text. Whitespace runs (including line breaks) collapse to one space and
 * backslashes are removed: neither belongs in a dialable number, and ical.js's 3.0 `phone-number`
 * reader drops every backslash, so keeping them would make the two upstream formats disagree.
 */
export function cleanPhone(value: string | null | undefined): string | null {
  const text = cleanText(value);
  if (text === null) return null;
  const cleaned = text.replace(/\\/g, '').replace(/\s+/g, ' ').trim();
  return cleaned === '' ? null : cleaned;
}

/** Whether a presence id is itself a dialable number (an extension or E.164), not `user@realm`. */
export function isPhoneNumber(value: string): boolean {
  return /^\+?[0-9][0-9 ().-]*$/.test(value) && /[0-9].*[0-9]/.test(value);
}

/**
 * A language tag (BCP 47 characters only) or null. LANG is a language-tag value, not text: it has
 * no escaping, so anything else could not be written safely.
 */
export function cleanLanguage(value: string | null | undefined): string | null {
  const text = cleanText(value);
  return text !== null && /^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$/.test(text) ? text : null;
}

/**
 * A birthday as an ISO 8601 calendar date `YYYY-MM-DD`, or `--MM-DD` without a year; null for
 * anything else. vCard 3.0 BDAY has no text value type and ical.js re-interprets free text as a
 * date(-time) (e.g. a `T` in the text is read as a time separator), so only dates travel. Basic
 * format (`19800102`) and date-times (`1980-01-02T10:00:00Z`, time dropped) are accepted.
 */
export function normalizeBirthday(value: string | null | undefined): string | null {
  const text = cleanText(value);
  if (text === null) return null;
  const full = /^(\d{4})-?(\d{2})-?(\d{2})(?:T[0-9:.+\-Z]*)?$/.exec(text);
  if (full) {
    const [, year = '', month = '', day = ''] = full;
    return validMonthDay(month, day) ? `${year}-${month}-${day}` : null;
  }
  const noYear = /^--(\d{2})-?(\d{2})$/.exec(text);
  if (noYear) {
    const [, month = '', day = ''] = noYear;
    return validMonthDay(month, day) ? `--${month}-${day}` : null;
  }
  return null;
}

function validMonthDay(month: string, day: string): boolean {
  const m = Number(month);
  const d = Number(day);
  return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/**
 * Adds a phone, merging its types into an earlier entry with the identical number: the caller-id
 * numbers are often the same number under several roles, and a card lists each number once.
 */
export function addPhone(
  phones: VCardPhone[],
  number: string | null,
  types: readonly string[],
): void {
  if (number === null) return;
  const existing = phones.find((phone) => phone.number === number);
  if (existing === undefined) {
    phones.push({ number, types: cleanTypes(types) });
    return;
  }
  existing.types = cleanTypes([...existing.types, ...types]);
}
