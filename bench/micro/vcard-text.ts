// Micro-benchmark: vCard text → VCard with the gateway's line reader (src/vcard/text-reader.ts)
// against the previous ical.js path (kept as the test oracle), side by side on the same cards.
// Run: npx tsx bench/micro/vcard-text.ts [--rounds 9] [--cards 2000]
import { performance } from 'node:perf_hooks';
import { userDocumentSchema, type UserDocument } from '../../src/vcard/document.js';
import { documentToVcard3TextWithIcal } from '../../sandbox/vcard3-text.js';
import { vcardFromDocument } from '../../src/vcard/from-document.js';
import { vcardFromCard, vcardFromText } from '../../src/vcard/from-text.js';
import { readVCard } from '../../src/vcard/text-reader.js';
import { vcardToText } from '../../src/vcard/to-text.js';
import { readVCardWithIcal } from '../../test/unit/vcard/ical-reader.js';
import { sampleUserDocumentEnvelope } from '../../test/unit/vcard/sample-document.js';
import { option } from './args.js';

const ROUNDS = option('rounds', 9);
const CARDS = option('cards', 2000);

const FIRST = ['Ann', 'Bob', 'Zoë', 'José', 'Li', 'Åsa', 'Chidi', 'Noor'];
const LAST = ['Lee', "O'Brien", 'Müller', 'García', 'Wang', 'Nakamura', 'Okafor', 'Smith, Jr.'];

/** Crossbar-like documents: the sample answer with names, numbers and notes varied per card. */
function documents(count: number): UserDocument[] {
  const base = userDocumentSchema.parse(sampleUserDocumentEnvelope.data);
  return Array.from({ length: count }, (_, i) => ({
    ...base,
    first_name: FIRST[i % FIRST.length] ?? 'Ann',
    last_name: LAST[(i * 3) % LAST.length] ?? 'Lee',
    email: `user${i}@example.com`,
    presence_id: String(1000 + i),
    profile: {
      ...base.profile,
      note: i % 3 === 0 ? `Desk ${i}; floor 2, wing B\nback at 3` : `Desk ${i}`,
      title: 'Engineer',
    },
  }));
}

interface Contender {
  name: string;
  cards: readonly string[];
  read: (text: string) => unknown;
}

interface Figure {
  name: string;
  medianMicros: number;
  minMicros: number;
}

/**
 * Rounds are interleaved (each contender once per round), so that load from other processes on a
 * shared machine falls on all of them alike; the median round is reported.
 */
function measure(contenders: readonly Contender[]): Figure[] {
  const perCard = contenders.map(() => [] as number[]);
  for (const { cards, read } of contenders) for (const text of cards) read(text); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    contenders.forEach(({ cards, read }, i) => {
      const started = performance.now();
      for (const text of cards) read(text);
      perCard[i]?.push(((performance.now() - started) * 1000) / cards.length);
    });
  }
  return contenders.map(({ name }, i) => {
    const sorted = (perCard[i] ?? []).sort((a, b) => a - b);
    return {
      name,
      medianMicros: sorted[Math.floor(sorted.length / 2)] ?? NaN,
      minMicros: sorted[0] ?? NaN,
    };
  });
}

const docs = documents(CARDS);
const crossbar3 = docs.map(documentToVcard3TextWithIcal);
const ours4 = docs.map((doc) => vcardToText(vcardFromDocument(doc), '4.0'));
const icalCard = (text: string): unknown =>
  vcardFromCard(readVCardWithIcal(text), readVCardWithIcal);

const contenders: Contender[] = [];
for (const [label, cards] of [
  ['crossbar 3.0 text (ical.js-written)', crossbar3],
  ['our 4.0 text', ours4],
] as const) {
  contenders.push(
    { name: `${label}: vcardFromText, line reader`, cards, read: vcardFromText },
    { name: `${label}: vcardFromText, ical.js path`, cards, read: icalCard },
    { name: `${label}: reader only, line reader`, cards, read: readVCard },
    { name: `${label}: reader only, ical.js path`, cards, read: readVCardWithIcal },
  );
}
const figures = measure(contenders);

console.log(
  `node ${process.version}, ${CARDS} cards, ${ROUNDS} rounds, median (min) µs per card, ` +
    `mean card ${Math.round(crossbar3.reduce((n, t) => n + t.length, 0) / CARDS)} chars (3.0)`,
);
for (const f of figures) {
  console.log(
    `${f.name.padEnd(64)} ${f.medianMicros.toFixed(2).padStart(8)} (${f.minMicros.toFixed(2)})`,
  );
}
