// fast-check generators for crossbar user documents: hostile text (Unicode incl. emoji and
// combining marks, controls, CR/LF, the characters vCard escapes, very long values), missing and
// null fields, empty profiles.
import fc from 'fast-check';
import type { UserDocument } from '../../../src/vcard/document.js';

/** Characters and sequences that stress escaping, folding and UTF-8 handling. */
const nasty = fc.constantFrom(
  '\\',
  ',',
  ';',
  ':',
  '\n',
  '\r\n',
  '\r',
  ' ',
  '\t',
  '"',
  '^',
  '=',
  '\\;',
  '\\,',
  '\\n',
  'é',
  'e\u0301',
  'n\u0303\u0323',
  '🎉',
  '👩‍👩‍👧',
  '🇩🇪',
  '中文',
  '\u0000',
  '\u0007',
  '\u007F',
  '\uFEFF',
  'BEGIN:VCARD',
  'END:VCARD',
);

/** Any text, with a strong bias towards the troublesome parts. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .array(fc.oneof(nasty, fc.string({ unit: 'grapheme', maxLength: 4 })), { maxLength: 12 })
      .map((parts) => parts.join('')),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 301, maxLength: 420 }) },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.oneof(nasty, fc.constantFrom('ü', '€', '𝄞', 'abc')), {
        minLength: 150,
        maxLength: 250,
      })
      .map((parts) => parts.join('')),
  },
);

const maybe = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | null> =>
  fc.option(arbitrary, { nil: null });

/** Numbers as a PBX stores them; a small pool makes identical numbers across roles likely. */
export const phoneNumber: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '+14155550100',
    '1001',
    ' +1 (415) 555-0100 ',
    '+49 30 1234567',
    '555,123;ext\\9',
  ),
  fc.stringMatching(/^\+?[0-9 ().,;\\-]{1,24}$/),
);

const addressType = fc.oneof(
  fc.constantFrom(
    'dom',
    'intl',
    'postal',
    'parcel',
    'home',
    'work',
    'pref',
    'WORK',
    'Home',
    ' x-Custom ',
  ),
  fc.string({ unit: 'binary-ascii', maxLength: 6 }),
);

const birthday = fc.oneof(
  fc
    .date({
      min: new Date('1900-01-01T00:00:00Z'),
      max: new Date('2099-12-31T00:00:00Z'),
      noInvalidDate: true,
    })
    .chain((date) => {
      const iso = date.toISOString();
      return fc.constantFrom(
        iso.slice(0, 10),
        iso.slice(0, 10).replace(/-/g, ''),
        iso,
        `--${iso.slice(5, 10)}`,
      );
    }),
  hostileText,
);

const callerIdEntry = maybe(
  fc.record({ name: maybe(hostileText), number: maybe(phoneNumber) }, { requiredKeys: [] }),
);

export const userDocument: fc.Arbitrary<UserDocument> = fc.record(
  {
    first_name: maybe(hostileText),
    last_name: maybe(hostileText),
    username: maybe(hostileText),
    email: maybe(fc.oneof(fc.emailAddress(), hostileText)),
    presence_id: maybe(fc.oneof(phoneNumber, fc.constant('1001@realm.example.com'), hostileText)),
    timezone: maybe(
      fc.oneof(fc.constantFrom('America/Los_Angeles', 'Europe/Berlin', 'UTC'), hostileText),
    ),
    language: maybe(fc.oneof(fc.constantFrom('en-US', 'de', 'fr-ca', 'zh-Hant-TW'), hostileText)),
    caller_id: maybe(
      fc.record(
        {
          internal: callerIdEntry,
          external: callerIdEntry,
          emergency: callerIdEntry,
          asserted: callerIdEntry,
        },
        { requiredKeys: [] },
      ),
    ),
    profile: maybe(
      fc.record(
        {
          addresses: maybe(
            fc.array(
              fc.record(
                {
                  address: maybe(hostileText),
                  types: maybe(fc.array(addressType, { maxLength: 4 })),
                },
                { requiredKeys: [] },
              ),
              { maxLength: 3 },
            ),
          ),
          assistant: maybe(hostileText),
          birthday: maybe(birthday),
          nicknames: maybe(fc.array(hostileText, { maxLength: 4 })),
          note: maybe(hostileText),
          role: maybe(hostileText),
          'sort-string': maybe(hostileText),
          title: maybe(hostileText),
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
);
