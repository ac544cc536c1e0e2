// The sandbox's seed tables: the hand-picked users of the example account and the word lists the
// generated accounts draw from. Data only; data.ts turns them into a dataset.
import type { ProfileSeed } from './data.js';

export interface UserSeed {
  first?: string;
  last?: string;
  login: string;
  email?: string;
  contacts: [type: string, value: string][];
  extensions: { number: string; dids: [phone: string, tag?: string][] }[];
  profile: ProfileSeed;
}

// Hand-picked so that every escaping and absence case shows up on the first page of the example
// account. Positions matter (see vcardFormatForOrdinal): 2 (comma) and 10 (backslash, newlines) are
// text/vcard, 6 (semicolon) is text/x-vcard, so vCard text escaping is exercised; 5 has no vcard.
export const EXAMPLE_USERS: readonly UserSeed[] = [
  {
    // The users API docs' sample user.
    first: 'John',
    last: 'Smith',
    login: 'jsmith',
    email: 'john.smith@example.com',
    contacts: [['Home', '14155550100']],
    extensions: [{ number: '789', dids: [['14155550100', 'My Tag']] }],
    profile: {
      title: 'Account Executive',
      role: 'Sales',
      birthday: '1980-04-12',
      nicknames: ['Johnny'],
      addresses: [{ address: '100 Market St, San Francisco, CA 94105, USA', types: ['work'] }],
      'sort-string': 'Smith',
      assistant: 'Reception',
      timezone: 'America/Los_Angeles',
      language: 'en-US',
    },
  },
  {
    first: 'Zoë',
    last: 'Åkesson',
    login: 'zakesson',
    // Mixed case: filters are case-insensitive.
    email: 'Zoe.Akesson@Example.com',
    contacts: [
      ['Mobile', '46701234567'],
      ['Work', '4686001234'],
    ],
    extensions: [
      {
        number: '790',
        dids: [['4686001234', 'Stockholm office'], ['4686001235']],
      },
    ],
    profile: {
      title: 'Ingenjör',
      nicknames: ['Zo', 'Zozo'],
      addresses: [{ address: 'Storgatan 1, 111 23 Stockholm, Sverige', types: ['work', 'intl'] }],
      'sort-string': 'Akesson',
      timezone: 'Europe/Stockholm',
      language: 'sv-SE',
    },
  },
  {
    first: 'Robert',
    last: 'Smith, Jr.',
    login: 'rsmithjr',
    email: 'robert.smith.jr@example.com',
    contacts: [['Work', '12125550142']],
    extensions: [{ number: '791', dids: [['12125550142', 'VP, Sales']] }],
    profile: {
      title: 'VP, Sales',
      role: 'Executive, East',
      birthday: '1975-11-30',
      'sort-string': 'Smith Jr',
      timezone: 'America/New_York',
      language: 'en-US',
    },
  },
  {
    first: 'José',
    last: 'Núñez-García',
    login: 'jnunez',
    email: 'jose.nunez@example.com',
    contacts: [],
    extensions: [
      { number: '792', dids: [] },
      { number: '793', dids: [['34911234567']] },
    ],
    profile: {
      note: 'Prefers e-mail.\nOut of office on Fridays.\nSpeaks Spanish and English.',
      title: 'Ingeniero de soporte',
      addresses: [
        { address: 'Calle de Alcalá 42, 28014 Madrid, España', types: ['work', 'postal'] },
        { address: 'Apartado 7, 28080 Madrid', types: ['home', 'parcel'] },
      ],
      timezone: 'Europe/Madrid',
      language: 'es-ES',
    },
  },
  {
    first: 'Chloé',
    last: "O'Brien",
    login: 'cobrien',
    email: 'chloe.obrien@example.com',
    contacts: [],
    extensions: [],
    profile: { title: 'Intern', timezone: 'Europe/Dublin', language: 'en-IE' },
  },
  {
    first: 'Wei',
    last: 'Li',
    login: 'wli',
    email: 'wei.li@example.com',
    contacts: [['Mobile', '8613800138000']],
    extensions: [{ number: '794', dids: [['862161234567', 'Shanghai']] }],
    profile: { title: 'Analyst', timezone: 'Asia/Shanghai', language: 'zh-CN' },
  },
  {
    first: 'Anne-Marie',
    last: 'Dupont; Durand',
    login: 'amdupont',
    email: 'anne-marie.dupont@example.com',
    contacts: [
      ['Home', '33140000001'],
      ['Work', '33140000002'],
    ],
    extensions: [{ number: '795', dids: [['33140000002']] }],
    profile: {
      title: 'Directrice; Finances',
      note: 'Bureau: 3e étage; porte B',
      nicknames: ['AM'],
      addresses: [{ address: '12 rue de Rivoli; 75004 Paris; France', types: ['work'] }],
      'sort-string': 'Dupont',
      timezone: 'Europe/Paris',
      language: 'fr-FR',
    },
  },
  {
    // No first or last name: a shared reception login.
    login: 'reception',
    email: 'reception@example.com',
    contacts: [['Work', '14155550199']],
    extensions: [
      {
        number: '700',
        dids: [['14155550199', 'Main line'], ['14155550198', 'After hours'], ['14155550197']],
      },
    ],
    profile: { note: 'Front desk', timezone: 'America/Los_Angeles', language: 'en-US' },
  },
  {
    first: 'Mei',
    last: 'Chen',
    login: 'mchen',
    email: 'mei.chen@example.com',
    contacts: [['Mobile', '14155550111']],
    extensions: [{ number: '796', dids: [['14155550111', 'Direct']] }],
    // An empty profile: nothing beyond name, email and numbers.
    profile: {},
  },
  {
    first: 'Élodie',
    last: 'Fontaine',
    login: 'efontaine',
    email: 'elodie.fontaine@example.com',
    contacts: [
      ['Home', '33450000001'],
      ['Mobile', '33650000002'],
      ['Work', '33450000003'],
    ],
    extensions: [
      {
        number: '797',
        dids: [['33450000003', 'Lyon'], ['33450000004', 'Support'], ['33450000005']],
      },
      { number: '798', dids: [['33450000006', 'Fax']] },
      { number: '799', dids: [] },
    ],
    profile: {
      title: 'Responsable support',
      role: 'Support',
      birthday: '1990-02-28',
      nicknames: ['Élo'],
      addresses: [{ address: '5 place Bellecour, 69002 Lyon, France', types: ['work', 'dom'] }],
      assistant: 'Anne-Marie Dupont',
      timezone: 'Europe/Paris',
      language: 'fr-FR',
    },
  },
  {
    first: 'Dana',
    last: 'Back\\slash',
    login: 'dbackslash',
    email: 'dana.backslash@example.com',
    contacts: [['Work', '14155550123']],
    extensions: [{ number: '800', dids: [['14155550123', 'C:\\Tags\\Dana']] }],
    profile: {
      title: 'Domain\\Admin',
      note: 'Line one, with a comma;\nline two; with a semicolon\nline three \\ with a backslash',
      'sort-string': 'Backslash',
      timezone: 'America/Chicago',
      language: 'en-US',
    },
  },
  {
    first: 'Søren',
    last: 'Kierkegaard',
    login: 'skierkegaard',
    // No email address.
    contacts: [['Home', '4533120000']],
    extensions: [{ number: '801', dids: [['4533120001', 'København']] }],
    profile: {
      title: 'Filosof',
      birthday: '1813-05-05',
      addresses: [{ address: 'Nytorv 2, 1450 København K, Danmark', types: ['home', 'dom'] }],
      timezone: 'Europe/Copenhagen',
      language: 'da-DK',
    },
  },
];

export const FIRST_NAMES = [
  'James',
  'Mary',
  'John',
  'Patricia',
  'Robert',
  'Jennifer',
  'Michael',
  'Linda',
  'David',
  'Elizabeth',
  'Zoë',
  'José',
  'Chloé',
  'Søren',
  'Ana',
  'Mateo',
  'Aiko',
  'Hiroshi',
  'Olga',
  'Dmitri',
  'Fatima',
  'Omar',
  'Priya',
  'Arjun',
  'Ingrid',
  'Lars',
  'Noémie',
  'François',
  'Siobhán',
  'Łukasz',
  'Mei',
  'Kwame',
  'Amara',
  'Björn',
  'Renée',
];

export const LAST_NAMES = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Hernández',
  'López',
  'Müller',
  'Schmidt',
  'Dubois',
  'Lefèvre',
  'Rossi',
  'Nakamura',
  'Tanaka',
  'Ivanova',
  'Kowalski',
  "O'Brien",
  'Andersson',
  'Åkesson',
  'Nguyen',
  'Chen',
  'Okafor',
  'Mensah',
  'Patel',
  'Khan',
  'Dvořák',
  'Ødegård',
];

export const CONTACT_TYPES = ['Home', 'Mobile', 'Work'] as const;
export const AREA_CODES = ['415', '212', '646', '312', '617', '206'];
export const TAGS = ['Main line', 'Sales', 'Support', 'Fax', 'Direct', 'Billing', 'After hours'];
export const TITLES = [
  'Engineer',
  'Account Manager',
  'Support Agent',
  'Director',
  'Designer',
  'Analyst',
];
export const ROLES = ['Engineering', 'Sales', 'Support', 'Operations', 'Marketing'];
export const TIMEZONES = ['America/New_York', 'Europe/London', 'Europe/Paris', 'Asia/Tokyo', 'UTC'];
export const LANGUAGES = ['en-US', 'en-GB', 'fr-FR', 'de-DE', 'ja-JP', 'es-ES'];
export const STREETS = ['Main St', 'Oak Ave', 'Rue de la Paix', 'Königstraße', 'Elm Rd'];
export const CITIES = [
  'Springfield, IL 62701, USA',
  '75002 Paris, France',
  '70173 Stuttgart, Deutschland',
];
