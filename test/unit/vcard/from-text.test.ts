// Example tests for reading vCard text written by others (3.0 crossbar answers, 4.0 cards) and
// for bodies that are not vCards.
import { describe, expect, it } from 'vitest';
import { VCardParseError, vcardFromText } from '../../../src/vcard/from-text.js';

const card3 = (...body: string[]): string =>
  ['BEGIN:VCARD', 'VERSION:3.0', ...body, 'END:VCARD', ''].join('\r\n');
const card4 = (...body: string[]): string =>
  ['BEGIN:VCARD', 'VERSION:4.0', ...body, 'END:VCARD', ''].join('\r\n');

describe('vcardFromText', () => {
  it('reads a typical crossbar 3.0 answer', () => {
    const card = vcardFromText(
      card3(
        'FN:Ann Lee',
        'N:Lee;Ann;;;',
        'NICKNAME:Annie,A\\,L',
        'TITLE:Boss',
        'ROLE:Dev',
        'BDAY:19800102',
        'NOTE:line 1\\nline 2\\; with\\, escapes \\\\',
        'EMAIL;TYPE=INTERNET:ann@example.com',
        'TEL;TYPE=WORK,VOICE:+1 415 555 0100',
        'ADR;TYPE=WORK:;;Main St 1;;;;',
        'TZ:-05:00',
        'SORT-STRING:Lee',
        'AGENT;VALUE=text:Bob',
        'X-UNKNOWN;X-P=1:ignored',
        'PHOTO;ENCODING=b;TYPE=JPEG:AAAA',
      ),
    );
    expect(card).toEqual({
      formattedName: 'Ann Lee',
      firstName: 'Ann',
      lastName: 'Lee',
      nicknames: ['Annie', 'A,L'],
      title: 'Boss',
      role: 'Dev',
      birthday: '1980-01-02',
      note: 'line 1\nline 2; with, escapes \\',
      emails: ['ann@example.com'],
      phones: [{ number: '+1 415 555 0100', types: ['work', 'voice'] }],
      addresses: [{ address: 'Main St 1', types: ['work'] }],
      timezone: '-05:00',
      language: null,
      sortString: 'Lee',
      assistant: 'Bob',
    });
  });

  it('lower-cases and merges TYPE parameters given as comma lists or repeated', () => {
    const card = vcardFromText(
      card3('FN:x', 'TEL;TYPE=WORK;type=Voice,CELL;TYPE=work:1', 'TEL;TYPE="HOME,FAX":2'),
    );
    expect(card.phones).toEqual([
      { number: '1', types: ['work', 'voice', 'cell'] },
      { number: '2', types: ['home', 'fax'] },
    ]);
  });

  it('merges identical numbers from several TEL lines', () => {
    const card = vcardFromText(
      card3('FN:x', 'TEL;TYPE=work:1001', 'TEL;TYPE=x-emergency:1001', 'TEL:1002'),
    );
    expect(card.phones).toEqual([
      { number: '1001', types: ['work', 'x-emergency'] },
      { number: '1002', types: [] },
    ]);
  });

  it('reads 4.0 tel: URIs as numbers', () => {
    const card = vcardFromText(
      card4('FN:x', 'TEL;VALUE=uri;TYPE="voice,home":tel:+1-555-555-5555'),
    );
    expect(card.phones).toEqual([{ number: '+1-555-555-5555', types: ['voice', 'home'] }]);
  });

  describe('addresses', () => {
    it('reads the street component (where our writer and crossbar put the free-text address)', () => {
      expect(
        vcardFromText(card3('FN:x', 'ADR:;;Main St 1\\nBerlin\\; 2nd\\, floor;;;;')).addresses,
      ).toEqual([{ address: 'Main St 1\nBerlin; 2nd, floor', types: [] }]);
    });

    it('joins the components of a structured address from other writers', () => {
      const card = vcardFromText(
        card4('FN:x', 'ADR;TYPE=home:PO Box 7;Apt 2;Main St 1,Backyard;Berlin;;10115;Germany'),
      );
      expect(card.addresses).toEqual([
        { address: 'PO Box 7, Apt 2, Main St 1,Backyard, Berlin, 10115, Germany', types: ['home'] },
      ]);
    });

    it('prefers a 4.0 LABEL parameter', () => {
      const card = vcardFromText(
        card4('FN:x', 'ADR;LABEL="Main St 1^nBerlin":;;Main St 1;Berlin;;;'),
      );
      expect(card.addresses).toEqual([{ address: 'Main St 1\nBerlin', types: [] }]);
    });

    it('skips empty addresses', () => {
      expect(vcardFromText(card3('FN:x', 'ADR;TYPE=work:;;;;;;')).addresses).toEqual([]);
    });
  });

  describe('assistant', () => {
    it('reads RELATED;TYPE=agent (4.0) and ignores other relations', () => {
      const card = vcardFromText(
        card4(
          'FN:x',
          'RELATED;TYPE=friend;VALUE=text:Carl',
          'RELATED;TYPE=AGENT;VALUE=text:Bob\\, Jr.',
        ),
      );
      expect(card.assistant).toBe('Bob, Jr.');
      expect(
        vcardFromText(card4('FN:x', 'RELATED;TYPE=friend;VALUE=text:Carl')).assistant,
      ).toBeNull();
    });

    it('reads a 3.0 AGENT as embedded vCard, text or URI', () => {
      const embedded =
        'AGENT:BEGIN:VCARD\\nVERSION:3.0\\nFN:Susan\\\\, T.\\nTEL:+1-919-555-1234\\nEMAIL\\;INTERNET:s@example.com\\nEND:VCARD\\n';
      expect(vcardFromText(card3('FN:x', embedded)).assistant).toBe('Susan, T.');
      expect(vcardFromText(card3('FN:x', 'AGENT;VALUE=text:BEGIN:VCARD')).assistant).toBe(
        'BEGIN:VCARD',
      );
      expect(
        vcardFromText(
          card3('FN:x', 'AGENT;VALUE=uri:CID:JQPUBLIC.part3.960129T083020.xyzMail@example.com'),
        ).assistant,
      ).toBe('CID:JQPUBLIC.part3.960129T083020.xyzMail@example.com');
      expect(vcardFromText(card3('FN:x', 'AGENT:BEGIN:VCARD\\nFN:broken')).assistant).toBeNull();
    });
  });

  describe('sort string', () => {
    it('reads SORT-AS on N (4.0) and SORT-STRING (3.0, or left in a 4.0 card)', () => {
      expect(vcardFromText(card4('FN:x', 'N;SORT-AS="Lee,Ann":Lee;Ann;;;')).sortString).toBe(
        'Lee,Ann',
      );
      expect(vcardFromText(card3('FN:x', 'SORT-STRING:Lee\\, A')).sortString).toBe('Lee, A');
      expect(vcardFromText(card4('FN:x', 'SORT-STRING:Lee\\, A\\nB')).sortString).toBe('Lee, A\nB');
    });
  });

  describe('escaping quirks of ical.js that are worked around', () => {
    it('decodes \\; in non-compound 3.0 text (ical.js leaves it)', () => {
      const card = vcardFromText(card3('FN:a\\;b', 'TITLE:\\\\\\;', 'NOTE:x\\\\;y'));
      expect(card).toMatchObject({ formattedName: 'a;b', title: '\\;', note: 'x\\;y' });
    });

    it('splits components correctly after an escaped backslash (ical.js treats \\\\; as escaped)', () => {
      const card = vcardFromText(
        card3('FN:x', 'N:Lee\\\\;Ann\\\\;;;', 'NICKNAME:a\\\\,b', 'ADR:;;st\\\\;;;;'),
      );
      expect(card).toMatchObject({
        lastName: 'Lee\\',
        firstName: 'Ann\\',
        nicknames: ['a\\', 'b'],
        addresses: [{ address: 'st\\', types: [] }],
      });
    });

    it('keeps backslashes in parameter values literal (ical.js decodes them)', () => {
      expect(vcardFromText(card4('FN:x', 'N;SORT-AS="a\\,b\\\\c\\n":;;;;')).sortString).toBe(
        'a\\,b\\\\c\\n',
      );
    });

    it('decodes values of properties ical.js does not know (3.0 X-LANG, 4.0 AGENT)', () => {
      expect(vcardFromText(card3('FN:x', 'X-LANG:de-DE')).language).toBe('de-DE');
      expect(vcardFromText(card4('FN:x', 'AGENT:Bob\\, Jr.\\\\')).assistant).toBe('Bob, Jr.\\');
    });

    it('reads 3.0 TZ with VALUE=text whole (ical.js truncates utc-offset values to 7 characters)', () => {
      expect(vcardFromText(card3('FN:x', 'TZ;VALUE=text:America/Los_Angeles')).timezone).toBe(
        'America/Los_Angeles',
      );
    });

    it('reads 3.0 TZ without VALUE=text whole too (its default, utc-offset, would be truncated)', () => {
      expect(vcardFromText(card3('FN:x', 'TZ:America/Los_Angeles')).timezone).toBe(
        'America/Los_Angeles',
      );
      expect(vcardFromText(card3('FN:x', 'item1.TZ:Europe/Berlin')).timezone).toBe('Europe/Berlin');
      expect(vcardFromText(card3('FN:x', 'TZ:-05:00')).timezone).toBe('-05:00');
      // An explicit VALUE is left to ical.js, which writes a 4.0 offset in extended form.
      expect(vcardFromText(card4('FN:x', 'TZ;VALUE=utc-offset:-0500')).timezone).toBe('-05:00');
    });

    it('unfolds lines folded inside escapes and multi-byte characters', () => {
      const card = vcardFromText(
        ['BEGIN:VCARD', 'VERSION:4.0', 'FN:a\\', ' nb ü', ' 🎉\\', ' ,c', 'END:VCARD', ''].join(
          '\r\n',
        ),
      );
      expect(card.formattedName).toBe('a\nb ü🎉,c');
    });

    it('accepts a byte order mark before BEGIN:VCARD', () => {
      expect(vcardFromText(`\uFEFF${card3('FN:Ann')}`).formattedName).toBe('Ann');
    });

    it('accepts LF line endings, a missing final line break, and a missing VERSION', () => {
      expect(vcardFromText('BEGIN:VCARD\nVERSION:3.0\nFN:Ann\nEND:VCARD').formattedName).toBe(
        'Ann',
      );
      expect(vcardFromText('BEGIN:VCARD\r\nFN:Ann\r\nEND:VCARD\r\n').formattedName).toBe('Ann');
    });
  });

  it('derives FN when it is missing or empty: name, then e-mail, then "Unknown"', () => {
    expect(vcardFromText(card3('N:Lee;Ann;;;')).formattedName).toBe('Ann Lee');
    expect(vcardFromText(card3('FN: ', 'EMAIL:a@example.com')).formattedName).toBe('a@example.com');
    expect(vcardFromText(card3()).formattedName).toBe('Unknown');
  });

  it('takes the first card of a body with several', () => {
    const text = card4('FN:First') + card4('FN:Second');
    expect(vcardFromText(text).formattedName).toBe('First');
  });

  it('reads a grouped property (item1.TEL)', () => {
    expect(vcardFromText(card4('FN:x', 'item1.TEL;VALUE=text:+1')).phones).toEqual([
      { number: '+1', types: [] },
    ]);
  });

  describe('bodies that are not vCards throw VCardParseError', () => {
    it.each([
      ['empty', ''],
      ['whitespace', ' \r\n '],
      ['plain text', 'hello'],
      ['JSON', '{"data":{"first_name":"Ann"}}'],
      ['HTML with a colon', '<html><body>Error: 502 Bad Gateway</body></html>'],
      ['an iCalendar', 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n'],
      ['an unterminated card', 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\n'],
      ['vCard 2.1', 'BEGIN:VCARD\r\nVERSION:2.1\r\nFN:x\r\nEND:VCARD\r\n'],
      ['a broken parameter', 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN;X="open:x\r\nEND:VCARD\r\n'],
    ])('%s', (_, body) => {
      expect(() => vcardFromText(body)).toThrow(VCardParseError);
    });
  });
});

describe('vcardFromText leniency', () => {
  it('reads bare TYPE values (TEL;WORK;VOICE) that ical.js would reject', () => {
    const card = vcardFromText(
      card3(
        'FN:x',
        'TEL;WORK;VOICE:1',
        'EMAIL;INTERNET;PREF:a@example.com',
        'ADR;HOME;TYPE=postal:;;s;;;;',
      ),
    );
    expect(card.phones).toEqual([{ number: '1', types: ['work', 'voice'] }]);
    expect(card.emails).toEqual(['a@example.com']);
    expect(card.addresses).toEqual([{ address: 's', types: ['home', 'postal'] }]);
  });
});
