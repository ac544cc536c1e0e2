// The vCard text reader against ical.js (the independent oracle, ical-reader.ts), card by card: on
// our writer's text, on ical.js-written crossbar text, and on hostile, half-broken cards.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { VCard } from '../../../src/domain.js';
import { documentToVcard3TextWithIcal } from '../../../sandbox/vcard3-text.js';
import { vcardFromDocument } from '../../../src/vcard/from-document.js';
import { VCardParseError, vcardFromCard, vcardFromText } from '../../../src/vcard/from-text.js';
import { vcardToText } from '../../../src/vcard/to-text.js';
import { hostileText, userDocument } from './arbitraries.js';
import { readVCardWithIcal } from './ical-reader.js';

const RUNS = Number(process.env['VCARD_PROPERTY_RUNS'] ?? 400);

function outcome(read: () => VCard): VCard | 'not a vCard' {
  try {
    return read();
  } catch (error) {
    if (error instanceof VCardParseError) return 'not a vCard';
    throw error;
  }
}

const oracle = (text: string): VCard | 'not a vCard' =>
  outcome(() => vcardFromCard(readVCardWithIcal(text), readVCardWithIcal));
const reader = (text: string): VCard | 'not a vCard' => outcome(() => vcardFromText(text));

const escapes = fc.constantFrom(
  '\\',
  '\\\\',
  '\\;',
  '\\,',
  '\\n',
  '\\N',
  '\\:',
  ';',
  ',',
  ':',
  '"',
  '^n',
  "^'",
  '^^',
  '=',
);
const value = fc
  .array(
    fc.oneof(
      escapes,
      hostileText,
      fc.constantFrom(
        '19800102',
        '--0102',
        '1980-01-02T10:00:00Z',
        '-0500',
        'tel:+1-555',
        'BEGIN:VCARD\\nFN:A\\nEND:VCARD',
        'a,b',
        'a;b;c;d',
      ),
    ),
    {
      maxLength: 4,
    },
  )
  .map((parts) => parts.join('').replace(/[\r\n]/g, ' '));
const name = fc.constantFrom(
  'FN',
  'N',
  'NICKNAME',
  'TITLE',
  'ROLE',
  'BDAY',
  'NOTE',
  'EMAIL',
  'TEL',
  'ADR',
  'TZ',
  'LANG',
  'X-LANG',
  'SORT-STRING',
  'RELATED',
  'AGENT',
  'item1.TEL',
  'a.b.TZ',
  'item2.N',
  'X-FOO',
  'fn',
  'Tel',
);
const param = fc.oneof(
  fc.constantFrom(
    'TYPE=WORK',
    'TYPE=work,voice',
    'TYPE="HOME,FAX"',
    'type=Voice',
    'WORK',
    'PREF',
    'VALUE=text',
    'VALUE=uri',
    'VALUE=date',
    'VALUE=date-time',
    'VALUE=time',
    'VALUE=utc-offset',
    'VALUE=vcard',
    'VALUE=boolean',
    'VALUE=integer',
    'VALUE=timestamp',
    'VALUE=date-and-or-time',
    'VALUE=language-tag',
    'VALUE=phone-number',
    'VALUE=unknown',
    'LABEL="Main St^nBerlin"',
    'SORT-AS="Lee,Ann"',
    'TYPE=agent',
    'X-P="a:b;c"',
    'X-Q=a\\,b',
    'TYPE="a","b"',
    '',
  ),
  value.map((v) => `X-R=${v.replace(/[;:"]/g, '')}`),
);
const propertyLine = fc
  .tuple(name, fc.array(param, { maxLength: 3 }), value)
  .map(([n, params, v]) => `${[n, ...params].join(';')}:${v}`);
const oddLine = fc.constantFrom(
  '',
  ' ',
  'garbage',
  ':x',
  ';X=1:y',
  'BEGIN:X',
  'END:X',
  'END:VCARD',
  'BEGIN:VCARD',
  'FN;X="open:x',
  'TEL;:1',
);
const versionLine = fc.constantFrom(
  ['VERSION:3.0'],
  ['VERSION:4.0'],
  [],
  ['VERSION:2.1'],
  ['version:4.0'],
  ['item1.VERSION:4.0'],
);

/**
 * A line (unfolded) whose first `=` after its `;` comes after its first `:`, with a backslash after
 * that colon: where the oracle's backslash rewriting changes what ical.js reads (see the test).
 */
function paramsPastColonWithBackslash(text: string): boolean {
  return text
    .replace(/\r?\n[ \t]/g, '')
    .split(/\r?\n/)
    .some((line) => {
      const semicolon = line.indexOf(';');
      const colon = line.indexOf(':');
      if (semicolon === -1 || colon === -1 || semicolon > colon) return false;
      return line.indexOf('=', semicolon) > colon && line.includes('\\', colon);
    });
}

const hostileCard = fc
  .record({
    version: versionLine,
    versionFirst: fc.boolean(),
    lines: fc.array(
      fc.oneof({ weight: 6, arbitrary: propertyLine }, { weight: 1, arbitrary: oddLine }),
      {
        maxLength: 8,
      },
    ),
    eol: fc.constantFrom('\r\n', '\n'),
    foldEvery: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
    tail: fc.constantFrom(
      '',
      '\r\n',
      'BEGIN:VCARD\r\nFN:second\r\nEND:VCARD\r\n',
      'X:after\r\n',
      '  ',
    ),
    bom: fc.boolean(),
  })
  .map(({ version, versionFirst, lines, eol, foldEvery, tail, bom }) => {
    const body = versionFirst ? [...version, ...lines] : [...lines, ...version];
    const fold = (line: string): string => {
      if (foldEvery === undefined || line.length <= foldEvery) return line;
      const parts: string[] = [];
      for (let i = 0; i < line.length; i += foldEvery) parts.push(line.slice(i, i + foldEvery));
      return parts.join(`${eol} `);
    };
    const text = ['BEGIN:VCARD', ...body.map(fold), 'END:VCARD', ''].join(eol) + tail;
    return bom ? `\uFEFF${text}` : text;
  });

describe('readVCard against ical.js (the oracle)', () => {
  it('reads our own 4.0 and 3.0 text as ical.js does', () => {
    fc.assert(
      fc.property(userDocument, fc.constantFrom('3.0', '4.0'), (doc, version) => {
        const text = vcardToText(vcardFromDocument(doc), version);
        expect(reader(text)).toEqual(oracle(text));
      }),
      { numRuns: RUNS },
    );
  });

  it('reads ical.js-written crossbar 3.0 text as ical.js does', () => {
    fc.assert(
      fc.property(userDocument, (doc) => {
        const text = documentToVcard3TextWithIcal(doc);
        expect(reader(text)).toEqual(oracle(text));
      }),
      { numRuns: RUNS },
    );
  });

  it('reads hostile and half-broken cards as ical.js does (or refuses the same ones)', () => {
    fc.assert(
      fc.property(hostileCard, (text) => {
        fc.pre(!paramsPastColonWithBackslash(text));
        expect(reader(text)).toEqual(oracle(text));
      }),
      { numRuns: RUNS * 5 },
    );
  });

  // The one known divergence, found by the property above (once in about 30,000 generated cards): in
  // `FN;:="\\\,:"` the first `=` after `;` lies past the first `:`, so ical.js reads `:` as a
  // parameter name and the rest as a quoted parameter value. On the raw line ical.js then finds no
  // colon after that value and refuses the line, as the reader does. The oracle first rewrites
  // backslash pairs after the first colon (its workaround for ical.js's escapes), which shortens
  // that "parameter" and moves ical.js's colon search inside it: it read the name `"`.
  it('refuses a line whose parameters run past its first colon, as ical.js does on the raw line', () => {
    const text = 'BEGIN:VCARD\r\nFN;:="\\\\\\,:"\r\nVERSION:3.0\r\nEND:VCARD\r\n';
    expect(paramsPastColonWithBackslash(text)).toBe(true);
    expect(reader(text)).toBe('not a vCard');
    expect(oracle(text)).toMatchObject({ formattedName: '"' });
  });
});
