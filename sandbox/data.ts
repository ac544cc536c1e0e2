// Seeded, deterministic data behind both simulators. One record per user carries what the users API
// serves (its snake_case JSON) and what the vcard API serves (the full crossbar user document, secrets
// included, because the gateway must prove it strips them). Everything derives from the seed, the
// account id and the user's ordinal in its account, so a dataset can be rebuilt bit for bit and
// users added later (drift tests) do not disturb the ones already there.
import {
  EXAMPLE_USERS,
  FIRST_NAMES,
  LAST_NAMES,
  CONTACT_TYPES,
  AREA_CODES,
  TAGS,
  TITLES,
  ROLES,
  TIMEZONES,
  LANGUAGES,
  STREETS,
  CITIES,
} from './seeds.js';
import type { UserSeed } from './seeds.js';

/** mulberry32: tiny, fast, good enough for test data, and identical on every platform. */
export function mulberry32(seed: number): () => number {
  const prng = new Prng(seed);
  return () => prng.next();
}

/**
 * mulberry32 with its state in a plain field, so that generator state stored in a Dataset compares
 * with deep equality (a closure would not).
 */
export class Prng {
  constructor(public state: number) {
    this.state = state >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }
}

/** FNV-1a over a string: turns (seed, account, ordinal) into an independent per-user seed. */
function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Users API shapes (as documented in users-api.txt), exactly as the simulator writes them. Named
// *Json, not *Dto: src/upstream/users-schema.ts's UserDto is what the gateway reads back, a more
// tolerant shape (nulls, numbers as strings).

export interface DidJson {
  phone_number: string;
  custom_tag?: string;
}

export interface ExtensionJson {
  dids: DidJson[];
  extension_number: string;
}

export interface ContactNumberJson {
  type: string;
  value: string;
}

export interface UserJson {
  email?: string;
  login_name: string;
  first_name?: string;
  last_name?: string;
  id: number;
  contact_numbers: ContactNumberJson[];
  extensions: ExtensionJson[];
}

// ---------------------------------------------------------------------------------------------
// vcard API document (crossbar user document, vcard-api.txt)

export interface ProfileAddress {
  address: string;
  types: string[];
}

export interface UserProfile {
  addresses?: ProfileAddress[];
  assistant?: string;
  birthday?: string;
  nicknames?: string[];
  note?: string;
  role?: string;
  'sort-string'?: string;
  title?: string;
}

export interface ProfileSeed extends UserProfile {
  timezone?: string;
  language?: string;
}

/** The full crossbar user document the vcard API answers, secrets included. */
export type SandboxUserDocument = ReturnType<typeof buildUserDocument>;

/** How the vcard API answers for a user. */
export type VcardFormat = 'application/json' | 'text/vcard' | 'text/x-vcard';

export interface UserRecord {
  accountId: string;
  /** The numeric user id, unique across all accounts of a dataset. */
  id: number;
  /** Position of the user in its account when it was created; decides the special cases below. */
  ordinal: number;
  /** Exactly what the users API serves for this user. */
  user: UserJson;
  /** Exactly what the vcard API serves (as JSON, or as vCard 3.0 text derived from it). */
  document: SandboxUserDocument;
  /** The vcard API's answer type for this user; null = the vcard API answers 404. */
  vcardFormat: VcardFormat | null;
}

export interface Dataset {
  readonly seed: number;
  /** accountId -> users in upstream order. Mutable: drift tests insert and delete users. */
  readonly accounts: Map<string, UserRecord[]>;
  /** Counters that keep ids unique and later additions deterministic. Plain data on purpose. */
  readonly counters: {
    nextUserId: number;
    nextDid: number;
    /** accountId -> next ordinal */
    ordinals: Record<string, number>;
    /** accountId -> next extension number */
    extensions: Record<string, number>;
  };
}

/** 'example': the 12 hand-picked users of the example account; a number: that many generated users. */
export type AccountSpec = 'example' | number;

export interface DatasetSpec {
  seed?: number;
  /**
   * accountId -> its users. Default SANDBOX_ACCOUNTS. Accounts are created in the object's key
   * order, which JavaScript makes ascending for integer-like keys such as "1001".
   */
  accounts?: Readonly<Record<string, AccountSpec>>;
}

export const EXAMPLE_ACCOUNT_ID = '1001';
export const DEFAULT_SEED = 20240601;
/** What `npm start` and the tests serve: an example account, an empty one and a multi-page one. */
export const SANDBOX_ACCOUNTS: Readonly<Record<string, AccountSpec>> = {
  [EXAMPLE_ACCOUNT_ID]: 'example',
  '1002': 0,
  '1003': 350,
};

/**
 * The vcard API's behaviour is a pure function of the ordinal, so tests can reason about it:
 * ordinal % 12 === 5 → no vcard (404); ordinal % 4 === 2 → vCard text (text/x-vcard when
 * ordinal % 24 === 6, i.e. once among the 12 example users); otherwise JSON.
 */
export function vcardFormatForOrdinal(ordinal: number): VcardFormat | null {
  if (ordinal % 12 === 5) return null;
  if (ordinal % 24 === 6) return 'text/x-vcard';
  if (ordinal % 4 === 2) return 'text/vcard';
  return 'application/json';
}

export function hasVcard(record: UserRecord): boolean {
  return record.vcardFormat !== null;
}

/** The users of an account whose vcard answer is `format` (null: users without a vcard). */
export function usersWithVcardFormat(
  dataset: Dataset,
  accountId: string,
  format: VcardFormat | null,
): UserRecord[] {
  return (dataset.accounts.get(accountId) ?? []).filter((r) => r.vcardFormat === format);
}

export function findUser(
  dataset: Dataset,
  accountId: string,
  userId: string | number,
): UserRecord | undefined {
  const id = typeof userId === 'number' ? userId : /^\d+$/.test(userId) ? Number(userId) : NaN;
  // A linear scan: 5,000 comparisons cost microseconds, and an index would go stale when tests
  // mutate the arrays directly.
  return dataset.accounts.get(accountId)?.find((r) => r.id === id);
}

export function createDataset(spec: DatasetSpec = {}): Dataset {
  const seed = spec.seed ?? DEFAULT_SEED;
  const dataset: Dataset = {
    seed,
    accounts: new Map(),
    // The docs' sample user id; ids grow from there.
    counters: { nextUserId: 869048, nextDid: 0, ordinals: {}, extensions: {} },
  };
  for (const [accountId, accountSpec] of Object.entries(spec.accounts ?? SANDBOX_ACCOUNTS)) {
    dataset.accounts.set(
      accountId,
      accountSpec === 'example'
        ? EXAMPLE_USERS.map((example) => makeRecord(dataset, accountId, example))
        : generateUsers(dataset, accountId, accountSpec, seed),
    );
  }
  return dataset;
}

/**
 * An account of `count` generated users (e.g. 5,000 for benchmarks), in a new dataset holding only
 * that account, or (re)created inside `into` (an existing account of that id is replaced).
 */
export function createLargeAccount(
  accountId: string,
  count: number,
  seed: number = DEFAULT_SEED,
  into?: Dataset,
): Dataset {
  const dataset = into ?? createDataset({ seed, accounts: {} });
  dataset.counters.ordinals[accountId] = 0;
  dataset.counters.extensions[accountId] = 100;
  dataset.accounts.set(accountId, generateUsers(dataset, accountId, count, seed));
  return dataset;
}

/** Inserts `count` new users before position `atIndex` of an existing account; returns them. */
export function insertUsers(
  dataset: Dataset,
  accountId: string,
  atIndex: number,
  count: number,
): UserRecord[] {
  const users = accountUsers(dataset, accountId);
  const added = generateUsers(dataset, accountId, count, dataset.seed);
  users.splice(Math.max(0, Math.min(atIndex, users.length)), 0, ...added);
  return added;
}

/** Removes `count` users from position `atIndex` of an existing account; returns them. */
export function deleteUsers(
  dataset: Dataset,
  accountId: string,
  atIndex: number,
  count: number,
): UserRecord[] {
  return accountUsers(dataset, accountId).splice(atIndex, count);
}

function accountUsers(dataset: Dataset, accountId: string): UserRecord[] {
  const users = dataset.accounts.get(accountId);
  if (users === undefined) throw new Error(`sandbox dataset has no account ${accountId}`);
  return users;
}

// ---------------------------------------------------------------------------------------------
// Generation

function generateUsers(
  dataset: Dataset,
  accountId: string,
  count: number,
  seed: number,
): UserRecord[] {
  const logins = new Set((dataset.accounts.get(accountId) ?? []).map((r) => r.user.login_name));
  const users: UserRecord[] = [];
  for (let i = 0; i < count; i++) {
    const ordinal = dataset.counters.ordinals[accountId] ?? 0;
    const rng = new Prng(hashSeed(`${seed}:${accountId}:${ordinal}`));
    users.push(
      makeRecord(dataset, accountId, generateSeed(dataset, accountId, ordinal, rng, logins)),
    );
  }
  return users;
}

function generateSeed(
  dataset: Dataset,
  accountId: string,
  ordinal: number,
  rng: Prng,
  logins: Set<string>,
): UserSeed {
  // Rare shapes the gateway must tolerate: no names at all, no last name, no email.
  const nameless = ordinal % 37 === 17;
  const first = nameless ? undefined : rng.pick(FIRST_NAMES);
  const last = nameless || ordinal % 23 === 9 ? undefined : rng.pick(LAST_NAMES);
  const baseLogin = ascii(`${(first ?? 'user').charAt(0)}${last ?? first ?? 'user'}`) || 'user';
  let login = baseLogin;
  for (let n = 2; logins.has(login); n++) login = `${baseLogin}${n}`;
  logins.add(login);
  const email =
    ordinal % 19 === 11
      ? undefined
      : ordinal % 9 === 4
        ? `${capitalize(login)}@Example.com`
        : `${login}@example.com`;

  const contacts: [string, string][] = shuffled(rng, CONTACT_TYPES)
    .slice(0, rng.int(0, 3))
    .map((type) => [
      type,
      `1${rng.pick(AREA_CODES)}555${String(rng.int(0, 9999)).padStart(4, '0')}`,
    ]);

  const extensions: UserSeed['extensions'] = [];
  for (let e = rng.int(0, 3); e > 0; e--) {
    const next = dataset.counters.extensions[accountId] ?? 100;
    dataset.counters.extensions[accountId] = next + rng.int(1, 3);
    const dids: [string, string?][] = [];
    for (let d = rng.int(0, 3); d > 0; d--) {
      // Unique across the whole dataset, like real phone numbers.
      const phone = String(16465000000 + dataset.counters.nextDid++);
      dids.push(rng.chance(0.65) ? [phone, rng.pick(TAGS)] : [phone]);
    }
    extensions.push({ number: String(next), dids });
  }

  const emptyProfile = ordinal % 7 === 3;
  const profile: ProfileSeed = emptyProfile
    ? {}
    : {
        title: rng.pick(TITLES),
        role: rng.pick(ROLES),
        ...(rng.chance(0.5)
          ? {
              birthday: `19${rng.int(50, 99)}-${pad2(rng.int(1, 12))}-${pad2(rng.int(1, 28))}`,
            }
          : {}),
        ...(rng.chance(0.3) ? { nicknames: [(first ?? login).slice(0, 3)] } : {}),
        ...(rng.chance(0.5)
          ? {
              addresses: [
                {
                  address: `${rng.int(1, 999)} ${rng.pick(STREETS)}, ${rng.pick(CITIES)}`,
                  types: [rng.pick(['work', 'home']), rng.pick(['dom', 'intl', 'postal'])],
                },
              ],
            }
          : {}),
        ...(rng.chance(0.2) ? { note: `Generated user ${ordinal}.\nSecond line.` } : {}),
        ...(last === undefined ? {} : { 'sort-string': ascii(last) }),
        timezone: rng.pick(TIMEZONES),
        language: rng.pick(LANGUAGES),
      };

  return {
    ...(first === undefined ? {} : { first }),
    ...(last === undefined ? {} : { last }),
    login,
    ...(email === undefined ? {} : { email }),
    contacts,
    extensions,
    profile,
  };
}

function makeRecord(dataset: Dataset, accountId: string, seed: UserSeed): UserRecord {
  const ordinal = dataset.counters.ordinals[accountId] ?? 0;
  dataset.counters.ordinals[accountId] = ordinal + 1;
  const id = dataset.counters.nextUserId;
  // Gaps between ids, as in a real multi-tenant system.
  dataset.counters.nextUserId += 1 + (hashSeed(`${dataset.seed}:id:${id}`) % 7);
  const dto: UserJson = {
    ...(seed.email === undefined ? {} : { email: seed.email }),
    login_name: seed.login,
    ...(seed.first === undefined ? {} : { first_name: seed.first }),
    ...(seed.last === undefined ? {} : { last_name: seed.last }),
    id,
    contact_numbers: seed.contacts.map(([type, value]) => ({ type, value })),
    extensions: seed.extensions.map((e) => ({
      dids: e.dids.map(([phone, tag]) => ({
        phone_number: phone,
        ...(tag === undefined ? {} : { custom_tag: tag }),
      })),
      extension_number: e.number,
    })),
  };
  return {
    accountId,
    id,
    ordinal,
    user: dto,
    document: buildUserDocument(dto, seed.profile),
    vcardFormat: vcardFormatForOrdinal(ordinal),
  };
}

function recordingSettings(url: string) {
  return {
    enabled: false,
    format: 'mp3',
    record_min_sec: 0,
    record_on_answer: false,
    record_on_bridge: true,
    record_sample_rate: 8000,
    time_limit: 3600,
    url,
  };
}

/** A complete crossbar user document, shaped like the vcard API docs' sample. */
function buildUserDocument(dto: UserJson, seed: ProfileSeed) {
  const { timezone, language, ...profile } = seed;
  const name = [dto.first_name, dto.last_name].filter((n) => n !== undefined).join(' ');
  const displayName = name === '' ? dto.login_name : name;
  const internal = dto.extensions[0]?.extension_number;
  const external = dto.extensions.flatMap((e) => e.dids)[0]?.phone_number;
  const recordings = `http://recordings.example.com/${dto.id}`;
  const direction = () => ({
    any: recordingSettings(recordings),
    offnet: recordingSettings(recordings),
    onnet: recordingSettings(recordings),
  });
  return {
    call_forward: {
      direct_calls_only: false,
      enabled: false,
      failover: false,
      ignore_early_media: true,
      keep_caller_id: true,
      number: dto.contact_numbers.find((c) => c.type === 'Mobile')?.value ?? '',
      require_keypress: true,
      substitute: true,
    },
    call_recording: { any: direction(), inbound: direction(), outbound: direction() },
    call_restriction: {},
    call_waiting: { enabled: true },
    caller_id: {
      ...(internal === undefined ? {} : { internal: { name: displayName, number: internal } }),
      ...(external === undefined
        ? {}
        : {
            external: { name: displayName, number: external },
            asserted: { name: displayName, number: external, realm: 'sandbox.example.com' },
          }),
      emergency: { name: displayName, number: external ?? '911' },
    },
    caller_id_options: { outbound_privacy: 'none' },
    contact_list: {},
    dial_plan: { system: ['us-e164'] },
    directories: {},
    do_not_disturb: { enabled: false },
    ...(dto.email === undefined ? {} : { email: dto.email }),
    enabled: true,
    feature_level: 'basic',
    ...(dto.first_name === undefined ? {} : { first_name: dto.first_name }),
    flags: [],
    formatters: {},
    hotdesk: { enabled: false, id: dto.login_name, keep_logged_in_elsewhere: false },
    ...(language === undefined ? {} : { language }),
    ...(dto.last_name === undefined ? {} : { last_name: dto.last_name }),
    media: {
      audio: { codecs: ['PCMU', 'PCMA', 'OPUS'] },
      bypass_media: false,
      encryption: { enforce_security: false, methods: [] },
      fax_option: false,
      ignore_early_media: false,
      progress_timeout: 8,
      video: { codecs: [] },
    },
    metaflows: {
      binding_digit: '*',
      digit_timeout: 3000,
      listen_on: 'self',
      numbers: {
        '2': { children: {}, data: {}, module: 'transfer' },
      },
      patterns: {
        '^1(\\d+)$': { children: {}, data: { captures: 1 }, module: 'park' },
      },
    },
    music_on_hold: {},
    password: `sandbox-secret-${dto.id}`,
    presence_id: internal ?? dto.login_name,
    priv_level: 'user',
    profile,
    pronounced_name: { media_id: `pronounced-${dto.id}` },
    require_password_update: false,
    ringtones: {},
    ...(timezone === undefined ? {} : { timezone }),
    username: dto.login_name,
    verified: true,
    vm_to_email_enabled: true,
    voicemail: {
      notify: {
        callback: {
          attempts: 3,
          disabled: true,
          interval_s: 300,
          number: internal ?? '',
          schedule: [0, 300, 900],
          timeout_s: 20,
        },
      },
      pin: String(1000 + (dto.id % 9000)),
    },
  };
}

function shuffled<T>(rng: Prng, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    const a = copy[i];
    const b = copy[j];
    if (a === undefined || b === undefined) continue;
    copy[i] = b;
    copy[j] = a;
  }
  return copy;
}

const NON_DECOMPOSING: Record<string, string> = { ø: 'o', å: 'a', ł: 'l', ß: 'ss', æ: 'ae' };

/** Lower-case ASCII letters and digits only, for login names. */
function ascii(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[øåłßæ]/g, (c) => NON_DECOMPOSING[c] ?? '')
    .replace(/[^a-z0-9]/g, '');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
