// The upstream user document carries secrets (password, voicemail, call recording, forwarding,
// metaflows, …). Only contact details may reach the model, its JSON, or the vCard text.
import { describe, expect, it } from 'vitest';
import { userDocumentEnvelopeSchema, userDocumentSchema } from '../../../src/vcard/document.js';
import { documentToVcard3TextWithIcal } from '../../../sandbox/vcard3-text.js';
import { vcardFromDocument } from '../../../src/vcard/from-document.js';
import { vcardFromText } from '../../../src/vcard/from-text.js';
import { vcardToText } from '../../../src/vcard/to-text.js';
import { sampleUserDocumentEnvelope } from './sample-document.js';

/** Paths (dot-joined) of the document fields that are contact details, hence allowed through. */
const CONTACT_PATHS = [
  /^first_name$/,
  /^last_name$/,
  /^username$/,
  /^email$/,
  /^presence_id$/,
  /^timezone$/,
  /^language$/,
  /^caller_id\.(internal|external|emergency|asserted)\.(name|number)$/,
  /^profile\.addresses\.\d+\.(address|types\.\d+)$/,
  /^profile\.(assistant|birthday|note|role|sort-string|title)$/,
  /^profile\.nicknames\.\d+$/,
];

/**
 * The sample document with every string leaf replaced by a value unique to its path, so that any
 * value found downstream can be traced back to the field it came from. Contact numbers stay
 * numbers and the birthday a date, so that they reach the card.
 */
function tagLeaves(value: unknown, path: string[], secrets: string[]): unknown {
  if (typeof value === 'string') {
    // Paths are relative to the envelope's `data`.
    const field = path.slice(1).join('.');
    const isContact = CONTACT_PATHS.some((pattern) => pattern.test(field));
    let tagged = `«${field}»`;
    if (field.endsWith('number') || field === 'presence_id')
      tagged = `+1555${String(++numbers).padStart(4, '0')}`;
    if (field === 'profile.birthday') tagged = '1980-01-02';
    if (!isContact) secrets.push(tagged);
    return tagged;
  }
  if (Array.isArray(value))
    return value.map((item, index) => tagLeaves(item, [...path, String(index)], secrets));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, tagLeaves(item, [...path, key], secrets)]),
    );
  }
  return value;
}

let numbers = 0;
const secrets: string[] = [];
const taggedEnvelope = tagLeaves(sampleUserDocumentEnvelope, [], secrets);
// Secrets that are not strings in the sample (or are the sample's own values).
const SECRET_KEYS = [
  'password',
  'voicemail',
  'call_recording',
  'call_forward',
  'metaflows',
  'require_password_update',
  'priv_level',
];

describe('secrets of the user document', () => {
  it('the tagged sample has secrets to leak (sanity check of this test)', () => {
    expect(secrets).toContain('«password»');
    expect(secrets).toContain('«caller_id.asserted.realm»');
    // Secret phone numbers look like contact numbers: call forwarding, voicemail callback.
    expect(secrets.filter((secret) => secret.startsWith('+1555')).length).toBeGreaterThanOrEqual(2);
  });

  it('the envelope schema strips everything that is not a contact detail', () => {
    const { data } = userDocumentEnvelopeSchema.parse(taggedEnvelope);
    const json = JSON.stringify(data);
    for (const key of SECRET_KEYS) expect(data).not.toHaveProperty(key);
    for (const secret of secrets) expect(json).not.toContain(secret);
    expect(Object.keys(data).sort()).toEqual(
      [
        'caller_id',
        'email',
        'first_name',
        'language',
        'last_name',
        'presence_id',
        'profile',
        'timezone',
        'username',
      ].sort(),
    );
    // Nested unknown keys go too (caller_id.asserted.realm).
    expect(json).not.toContain('realm');
  });

  it('neither the model, its JSON, nor the vCard text of either version holds a secret', () => {
    const { data } = userDocumentEnvelopeSchema.parse(taggedEnvelope);
    const card = vcardFromDocument(data);
    const outputs = [
      JSON.stringify(card),
      vcardToText(card, '4.0'),
      vcardToText(card, '3.0'),
      documentToVcard3TextWithIcal(data),
    ];
    for (const output of outputs) {
      for (const secret of secrets) expect(output).not.toContain(secret);
      for (const key of SECRET_KEYS)
        expect(output.toLowerCase()).not.toContain(key.replace(/_/g, ''));
    }
    expect(card.formattedName).toBe('«first_name» «last_name»');
    expect(card.title).toBe('«profile.title»');
    expect(card.phones.map((phone) => phone.number)).toHaveLength(5);
  });

  it('the verbatim sample maps to its contact details only', () => {
    const { data } = userDocumentEnvelopeSchema.parse(sampleUserDocumentEnvelope);
    const card = vcardFromDocument(data);
    expect(card).toMatchObject({
      formattedName: 'string string',
      addresses: [{ address: 'string', types: ['dom'] }],
      birthday: null, // "string" is not a date
      language: 'string', // but it is a well-formed language tag
    });
    expect(vcardFromText(documentToVcard3TextWithIcal(data))).toEqual(card);
  });

  it('a document passed without the schema still cannot put secrets in the card (only known keys are read)', () => {
    // vcardFromDocument reads fields by name; even an unparsed document with extra keys yields
    // only contact details.
    const unparsed = { ...userDocumentSchema.parse({ first_name: 'Ann' }), password: 'hunter2' };
    const card = vcardFromDocument(unparsed);
    expect(JSON.stringify(card)).not.toContain('hunter2');
    expect(vcardToText(card)).not.toContain('hunter2');
  });
});
