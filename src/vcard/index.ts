// The vCard mapping: upstream user document or vCard text → VCard model → vCard text.
export { userDocumentEnvelopeSchema, userDocumentSchema } from './document.js';
export type { UserDocument, UserDocumentInput } from './document.js';
export { vcardFromDocument } from './from-document.js';
export { VCardParseError, vcardFromCard, vcardFromText } from './from-text.js';
export { readVCard } from './text-reader.js';
export type { CardProperty } from './text-reader.js';
export { vcardToText } from './to-text.js';
export type { VCardVersion } from './to-text.js';
