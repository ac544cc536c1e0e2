import type { VCardResolvers } from '../generated/resolvers.js';
import { vcardToText } from '../vcard/to-text.js';

export const VCard: VCardResolvers = {
  text: (card, { version }) => vcardToText(card, version === 'V3' ? '3.0' : '4.0'),
};
