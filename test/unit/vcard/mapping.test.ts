// Example tests for each mapping rule: document → VCard, and VCard → vCard 4.0 / 3.0 text.
import { describe, expect, it } from 'vitest';
import type { VCard } from '../../../src/domain.js';
import { userDocumentSchema, type UserDocument } from '../../../src/vcard/document.js';
import { vcardFromDocument } from '../../../src/vcard/from-document.js';
import { vcardFromText } from '../../../src/vcard/from-text.js';
import { vcardToText } from '../../../src/vcard/to-text.js';

const fullDocument: UserDocument = {
  first_name: 'Ann',
  last_name: 'Lee',
  username: 'ann',
  email: 'ann@example.com',
  presence_id: '1001',
  timezone: 'Europe/Berlin',
  language: 'de-DE',
  caller_id: {
    internal: { name: 'Ann', number: '1001' },
    external: { name: 'ACME', number: '+14155550100' },
    asserted: { number: '+14155550100' },
    emergency: { number: '+14155550199' },
  },
  profile: {
    addresses: [{ address: 'Main St 1\nBerlin', types: ['WORK', 'dom'] }],
    assistant: 'Bob, Jr.',
    birthday: '1980-01-02',
    nicknames: ['Annie', 'A;L'],
    note: 'a,b;c\\d\r\ne',
    role: 'Developer',
    'sort-string': 'Lee',
    title: 'Boss',
  },
};

const emptyCard: VCard = {
  formattedName: 'Unknown',
  firstName: null,
  lastName: null,
  nicknames: [],
  title: null,
  role: null,
  birthday: null,
  note: null,
  emails: [],
  phones: [],
  addresses: [],
  timezone: null,
  language: null,
  sortString: null,
  assistant: null,
};

function lines(text: string): string[] {
  return text.split('\r\n');
}

describe('vcardFromDocument', () => {
  it('maps every contact field of a full document', () => {
    expect(vcardFromDocument(fullDocument)).toEqual({
      formattedName: 'Ann Lee',
      firstName: 'Ann',
      lastName: 'Lee',
      nicknames: ['Annie', 'A;L'],
      title: 'Boss',
      role: 'Developer',
      birthday: '1980-01-02',
      note: 'a,b;c\\d\ne',
      emails: ['ann@example.com'],
      phones: [
        { number: '1001', types: ['work'] },
        { number: '+14155550100', types: ['work', 'voice'] },
        { number: '+14155550199', types: ['x-emergency'] },
      ],
      addresses: [{ address: 'Main St 1\nBerlin', types: ['work', 'dom'] }],
      timezone: 'Europe/Berlin',
      language: 'de-DE',
      sortString: 'Lee',
      assistant: 'Bob, Jr.',
    } satisfies VCard);
  });

  it('gives an empty document (and an empty profile) a card with FN "Unknown" and nothing else', () => {
    expect(vcardFromDocument({})).toEqual(emptyCard);
    expect(vcardFromDocument({ profile: {} })).toEqual(emptyCard);
    expect(vcardFromDocument({ profile: { addresses: [], nicknames: [] }, caller_id: {} })).toEqual(
      emptyCard,
    );
  });

  it('tolerates null everywhere', () => {
    const doc = userDocumentSchema.parse({
      first_name: null,
      last_name: null,
      email: null,
      caller_id: { internal: null, external: { name: null, number: null } },
      profile: { addresses: [{ address: null, types: null }], nicknames: null, birthday: null },
    });
    expect(vcardFromDocument(doc)).toEqual(emptyCard);
  });

  describe('FN from the best available name', () => {
    it.each<[string, UserDocument, string]>([
      ['first and last', { first_name: ' Ann ', last_name: ' Lee ' }, 'Ann Lee'],
      ['first only', { first_name: 'Ann', last_name: '  ' }, 'Ann'],
      ['last only', { last_name: 'Lee' }, 'Lee'],
      ['username', { first_name: '', username: 'alee', email: 'ann@example.com' }, 'alee'],
      ['email', { email: 'ann@example.com', presence_id: '1001' }, 'ann@example.com'],
      ['presence id', { presence_id: 'ann@realm.example.com' }, 'ann@realm.example.com'],
      ['nothing', { first_name: ' \t ', username: '\u0000' }, 'Unknown'],
    ])('%s', (_, doc, formattedName) => {
      expect(vcardFromDocument(doc).formattedName).toBe(formattedName);
    });

    it('keeps N from last/first even when FN comes from elsewhere', () => {
      const card = vcardFromDocument({ last_name: 'Lee', username: 'alee' });
      expect(card).toMatchObject({ formattedName: 'Lee', firstName: null, lastName: 'Lee' });
      expect(lines(vcardToText(card))).toContain('N:Lee;;;;');
    });
  });

  describe('TEL from the caller-id numbers', () => {
    it('types internal as work, external and asserted as work+voice, emergency as x-emergency', () => {
      const card = vcardFromDocument({
        caller_id: {
          internal: { number: '1001' },
          external: { number: '+1 415 555 0100' },
          asserted: { number: '+14155550111' },
          emergency: { number: '+14155550199' },
        },
      });
      expect(card.phones).toEqual([
        { number: '1001', types: ['work'] },
        { number: '+1 415 555 0100', types: ['work', 'voice'] },
        { number: '+14155550111', types: ['work', 'voice'] },
        { number: '+14155550199', types: ['x-emergency'] },
      ]);
    });

    it('lists an identical number once, merging the types in order', () => {
      const card = vcardFromDocument({
        caller_id: {
          internal: { number: '+14155550100' },
          external: { number: ' +14155550100 ' },
          emergency: { number: '+14155550100' },
        },
      });
      expect(card.phones).toEqual([
        { number: '+14155550100', types: ['work', 'voice', 'x-emergency'] },
      ]);
    });

    it('adds the presence id only when it is a phone number', () => {
      expect(vcardFromDocument({ presence_id: '1002' }).phones).toEqual([
        { number: '1002', types: ['work'] },
      ]);
      expect(vcardFromDocument({ presence_id: '+1 (415) 555-0100' }).phones).toHaveLength(1);
      expect(vcardFromDocument({ presence_id: '1002@realm.example.com' }).phones).toEqual([]);
      expect(vcardFromDocument({ presence_id: 'ann' }).phones).toEqual([]);
      expect(
        vcardFromDocument({ presence_id: '1001', caller_id: { internal: { number: '1001' } } })
          .phones,
      ).toEqual([{ number: '1001', types: ['work'] }]);
    });

    it('drops backslashes and collapses line breaks in numbers', () => {
      expect(
        vcardFromDocument({ caller_id: { internal: { number: '10\\01\n 2' } } }).phones,
      ).toEqual([{ number: '1001 2', types: ['work'] }]);
    });
  });

  it('maps addresses with lower-cased token types, skipping empty addresses and junk types', () => {
    const card = vcardFromDocument({
      profile: {
        addresses: [
          { address: '  ', types: ['home'] },
          { address: 'Main St 1', types: ['DOM', 'Postal', 'dom', 'a,b', 'x y', ''] },
          { address: 'PO Box 7' },
        ],
      },
    });
    expect(card.addresses).toEqual([
      { address: 'Main St 1', types: ['dom', 'postal'] },
      { address: 'PO Box 7', types: [] },
    ]);
  });

  it('keeps non-empty nicknames in order', () => {
    expect(
      vcardFromDocument({ profile: { nicknames: ['', ' Annie ', '\n', 'A,L'] } }).nicknames,
    ).toEqual(['Annie', 'A,L']);
  });

  it.each<[string, string | null]>([
    ['1980-01-02', '1980-01-02'],
    ['19800102', '1980-01-02'],
    ['1980-01-02T10:00:00Z', '1980-01-02'],
    ['--04-12', '--04-12'],
    ['--0412', '--04-12'],
    ['1980-13-02', null],
    ['April 3', null],
    ['', null],
  ])('normalises the birthday %j to %j', (birthday, expected) => {
    expect(vcardFromDocument({ profile: { birthday } }).birthday).toBe(expected);
  });

  it('keeps only well-formed language tags', () => {
    expect(vcardFromDocument({ language: ' en-US ' }).language).toBe('en-US');
    expect(vcardFromDocument({ language: 'en_US' }).language).toBeNull();
    expect(vcardFromDocument({ language: 'en, de' }).language).toBeNull();
  });

  it('normalises text: trimmed, LF line breaks, no control characters, no lone surrogates', () => {
    const card = vcardFromDocument({
      profile: { note: ' \u0000a\r\nb\rc\u0007\ud800 ', title: '\t' },
    });
    expect(card.note).toBe('a\nb\nc\uFFFD');
    expect(card.title).toBeNull();
  });

  it('does not map caller-id names (they are the call display name, not the contact name)', () => {
    const card = vcardFromDocument({ caller_id: { external: { name: 'ACME Sales' } } });
    expect(JSON.stringify(card)).not.toContain('ACME');
  });

  it('reads a caller-id number stored as a JSON number', () => {
    const doc = userDocumentSchema.parse({ caller_id: { external: { number: 14155550100 } } });
    expect(vcardFromDocument(doc).phones).toEqual([
      { number: '14155550100', types: ['work', 'voice'] },
    ]);
  });
});

describe('vcardToText', () => {
  const card = vcardFromDocument(fullDocument);

  it('writes vCard 4.0 by default', () => {
    expect(vcardToText(card)).toBe(
      [
        'BEGIN:VCARD',
        'VERSION:4.0',
        'FN:Ann Lee',
        'N;SORT-AS="Lee":Lee;Ann;;;',
        'NICKNAME:Annie,A;L',
        'TITLE:Boss',
        'ROLE:Developer',
        'BDAY:19800102',
        'NOTE:a\\,b;c\\\\d\\ne',
        'EMAIL:ann@example.com',
        'TEL;VALUE=text;TYPE=work:1001',
        'TEL;VALUE=text;TYPE=work,voice:+14155550100',
        'TEL;VALUE=text;TYPE=x-emergency:+14155550199',
        'ADR;TYPE=work,dom:;;Main St 1\\nBerlin;;;;',
        'TZ:Europe/Berlin',
        'LANG:de-DE',
        'RELATED;TYPE=agent;VALUE=text:Bob\\, Jr.',
        'END:VCARD',
        '',
      ].join('\r\n'),
    );
  });

  it('writes valid vCard 3.0: every ; escaped, TZ as text, SORT-STRING, X-LANG, AGENT as text', () => {
    expect(vcardToText(card, '3.0')).toBe(
      [
        'BEGIN:VCARD',
        'VERSION:3.0',
        'FN:Ann Lee',
        'N:Lee;Ann;;;',
        'NICKNAME:Annie,A\\;L',
        'TITLE:Boss',
        'ROLE:Developer',
        'BDAY:1980-01-02',
        'NOTE:a\\,b\\;c\\\\d\\ne',
        'EMAIL:ann@example.com',
        'TEL;TYPE=work:1001',
        'TEL;TYPE=work,voice:+14155550100',
        'TEL;TYPE=x-emergency:+14155550199',
        'ADR;TYPE=work,dom:;;Main St 1\\nBerlin;;;;',
        'TZ;VALUE=text:Europe/Berlin',
        'X-LANG:de-DE',
        'SORT-STRING:Lee',
        'AGENT;VALUE=text:Bob\\, Jr.',
        'END:VCARD',
        '',
      ].join('\r\n'),
    );
  });

  it('always writes FN and N with 5 components, and nothing for empty fields', () => {
    for (const version of ['4.0', '3.0'] as const) {
      expect(vcardToText(emptyCard, version)).toBe(
        ['BEGIN:VCARD', `VERSION:${version}`, 'FN:Unknown', 'N:;;;;', 'END:VCARD', ''].join('\r\n'),
      );
    }
  });

  it('escapes separators inside N and ADR components but not between them', () => {
    const text = vcardToText({
      ...emptyCard,
      lastName: 'Lee; Jr, \\',
      firstName: 'A\nB',
      addresses: [{ address: 'a;b,c', types: [] }],
    });
    expect(lines(text)).toContain('N:Lee\\; Jr\\, \\\\;A\\nB;;;');
    expect(lines(text)).toContain('ADR:;;a\\;b\\,c;;;;');
  });

  it('writes a 4.0 birthday without a year as --MMDD, and 3.0 as --MM-DD', () => {
    const noYear = { ...emptyCard, birthday: '--04-12' };
    expect(lines(vcardToText(noYear))).toContain('BDAY:--0412');
    expect(lines(vcardToText(noYear, '3.0'))).toContain('BDAY:--04-12');
  });

  it('quotes SORT-AS with RFC 6868 escapes', () => {
    const text = vcardToText({ ...emptyCard, sortString: 'a"b^c\nd;e:f' });
    expect(lines(text)).toContain(`N;SORT-AS="a^'b^^c^nd;e:f":;;;;`);
    expect(vcardFromText(text).sortString).toBe('a"b^c\nd;e:f');
  });

  it('folds at 75 octets without splitting a UTF-8 sequence; continuation lines start with one space', () => {
    const note = `${'x'.repeat(70)}ü🎉${'€'.repeat(30)}`;
    const text = vcardToText({ ...emptyCard, note });
    const noteLines = text.split('\r\n').slice(4, -2);
    expect(noteLines).toEqual([
      `NOTE:${'x'.repeat(70)}`,
      ` ü🎉${'€'.repeat(22)}`,
      ` ${'€'.repeat(8)}`,
    ]);
    for (const line of noteLines) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(vcardFromText(text).note).toBe(note);
  });

  it('uses CRLF after every line, the last one included', () => {
    const text = vcardToText(card);
    expect(text.endsWith('END:VCARD\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });
});
