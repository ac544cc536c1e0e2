// The vcard API (Kazoo-style crossbar, "Get User Vcard") as a domain call. Answers are either the
// JSON user document or vCard text; both become the same VCard model, without the document's
// secrets. Credentials (a forwarded token, or one obtained with VCARD_API_KEY) are the auth step's.
import type { VCard } from '../domain.js';
import { userDocumentEnvelopeSchema } from '../vcard/document.js';
import { vcardFromDocument } from '../vcard/from-document.js';
import { VCardParseError, vcardFromText } from '../vcard/from-text.js';
import type { Call } from './call.js';
import type { RawResponse, Send } from './chain.js';
import { valueOf } from './chain.js';
import { decodeJson, malformed } from './decode.js';
import { vcardSchema } from './domain-schemas.js';

const ACCEPT = 'application/json, text/vcard;q=0.9, text/x-vcard;q=0.8';
const CARD_CACHE = { schema: vcardSchema, notFoundIsAnswer: true } as const;

export class VcardClient {
  constructor(private readonly send: Send) {}

  /** The user's card, or null when the vcard API does not know the user (404). */
  async getVcard(accountId: string, userId: string, call: Call): Promise<VCard | null> {
    const reply = await this.send(
      {
        method: 'GET',
        path: `/accounts/${encodeURIComponent(accountId)}/users/${encodeURIComponent(userId)}/vcard`,
        route: '/accounts/:account_id/users/:user_id/vcard',
        headers: { accept: ACCEPT, 'x-request-id': call.requestId },
        decode: decodeCard,
        cache: CARD_CACHE,
      },
      call,
    );
    if (!reply.ok && reply.status === 404) return null;
    return valueOf('vcard', reply);
  }
}

function decodeCard(response: RawResponse): VCard {
  const mediaType = response.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) {
    return vcardFromDocument(decodeJson('vcard', response, userDocumentEnvelopeSchema).data);
  }
  if (
    mediaType === 'text/vcard' ||
    mediaType === 'text/x-vcard' ||
    mediaType === 'text/directory'
  ) {
    try {
      return vcardFromText(response.body);
    } catch (error) {
      if (error instanceof VCardParseError) throw malformed('vcard', response);
      throw error;
    }
  }
  throw malformed('vcard', response);
}
