// A user document as vCard 3.0 text, the way a real crossbar answers `text/vcard`, written with
// ical.js's own writer (ICAL.Component / ICAL.Property) so that it is independent of our
// serializer (to-text.ts). The sandbox simulator serves it; the tests compare it with the JSON path.
// Text values are passed raw (untrimmed, unescaped), as an upstream would: reading them back is
// from-text.ts's job. Only what a crossbar would validate or ical.js's writer cannot represent is
// prepared here: FN and the phone numbers use the same policy as the JSON path (from-document.ts),
// and birthdays, TYPE values and the language tag are normalised (see below).
import ICAL from 'ical.js';
import type { UserDocument } from '../src/vcard/document.js';
import { formattedNameFor, phoneEntriesFor } from '../src/vcard/from-document.js';
import { cleanLanguage, cleanTypes, normalizeBirthday } from '../src/vcard/normalize.js';

/**
 * ical.js escapes LF in text but writes CR raw, which would put bare CRs on the wire; a crossbar
 * stores text with LF line breaks, so the fixture does too.
 */
function lf(value: string): string {
  return value.replace(/\r\n?/g, '\n');
}

function present(value: string | null | undefined): value is string {
  return value !== null && value !== undefined && value.trim() !== '';
}

export function documentToVcard3TextWithIcal(doc: UserDocument): string {
  const card = new ICAL.Component('vcard');
  card.addPropertyWithValue('version', '3.0');
  card.addPropertyWithValue('fn', formattedNameFor(doc));

  const name = new ICAL.Property('n', card);
  name.setValue([lf(doc.last_name ?? ''), lf(doc.first_name ?? ''), '', '', '']);
  card.addProperty(name);

  const profile = doc.profile;
  const nicknames = (profile?.nicknames ?? []).filter(present).map(lf);
  if (nicknames.length > 0) {
    const nickname = new ICAL.Property('nickname', card);
    nickname.setValues(nicknames);
    card.addProperty(nickname);
  }
  addText(card, 'title', profile?.title);
  addText(card, 'role', profile?.role);
  // ical.js's 3.0 BDAY is a date: free text would be rewritten by its date writer, so a crossbar
  // that validates birthdays (and this fixture) sends only dates.
  const birthday = normalizeBirthday(profile?.birthday);
  if (birthday !== null) {
    const bday = new ICAL.Property('bday', card);
    bday.resetType('date');
    bday.setValue(birthday);
    card.addProperty(bday);
  }
  addText(card, 'note', profile?.note);
  addText(card, 'email', doc.email);

  // One TEL per caller-id role, duplicates included: merging identical numbers is the reader's job.
  for (const entry of phoneEntriesFor(doc)) {
    if (entry.number === null) continue;
    const tel = new ICAL.Property('tel', card);
    tel.setValue(entry.number);
    tel.setParameter('type', [...entry.types]);
    card.addProperty(tel);
  }

  for (const entry of profile?.addresses ?? []) {
    if (!present(entry.address)) continue;
    const adr = new ICAL.Property('adr', card);
    adr.setValue(['', '', lf(entry.address), '', '', '', '']);
    // TYPE values must be tokens: ical.js would write a comma inside one unquoted, splitting it.
    const types = cleanTypes(entry.types);
    if (types.length > 0) adr.setParameter('type', types);
    card.addProperty(adr);
  }

  if (present(doc.timezone)) {
    // 3.0 TZ defaults to utc-offset, which ical.js truncates to 7 characters ("Europe/").
    const tz = new ICAL.Property('tz', card);
    tz.resetType('text');
    tz.setValue(lf(doc.timezone));
    card.addProperty(tz);
  }
  // 3.0 has no LANG; the extension property is unknown to ical.js and written without escaping,
  // so only a well-formed tag is sent.
  const language = cleanLanguage(doc.language);
  if (language !== null) card.addPropertyWithValue('x-lang', language);
  addText(card, 'sort-string', profile?.['sort-string']);
  if (present(profile?.assistant)) {
    // AGENT;VALUE=text: accepted by ical.js and common among 3.0 writers (RFC 2426 would embed a
    // vCard, which is what our own serializer does; from-text reads both).
    const agent = new ICAL.Property('agent', card);
    agent.resetType('text');
    agent.setValue(lf(profile.assistant));
    card.addProperty(agent);
  }
  // ical.js ends the last line without a line break; a server sends a complete last line.
  return `${card.toString()}\r\n`;
}

function addText(card: ICAL.Component, name: string, value: string | null | undefined): void {
  if (present(value)) card.addPropertyWithValue(name, lf(value));
}
