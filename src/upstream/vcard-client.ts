// The vcard API (Kazoo-style crossbar, "Get User Vcard") as a domain call. Answers are either the
// JSON user document or vCard text; both become the same VCard model, without the document's secrets.
import { z } from 'zod';
import type { VCard } from '../domain.js';
import { UpstreamError } from '../errors.js';
import { userDocumentEnvelopeSchema } from '../vcard/document.js';
import { vcardFromDocument } from '../vcard/from-document.js';
import { VCardParseError, vcardFromText } from '../vcard/from-text.js';
import { fetchThrough } from '../cache/upstream-cache.js';
import type { UpstreamCache } from '../cache/upstream-cache.js';
import type { CallContext } from './call.js';
import { decodeJson, malformed } from './call.js';
import type { Deadline, UpstreamHttp, UpstreamResponse } from './http.js';

const apiAuthAnswer = z.object({ auth_token: z.string().min(1) });

/**
 * Service credential for the vcard API obtained with an API key (`PUT /api_auth`). The token is
 * cached; concurrent callers share one exchange (single flight), and a 401 refreshes it once.
 */
export class VcardTokenProvider {
  private current: Promise<string> | undefined;

  constructor(
    private readonly http: UpstreamHttp,
    private readonly apiKey: string,
  ) {}

  token(deadline: Deadline, requestId: string): Promise<string> {
    this.current ??= this.exchange(deadline, requestId).catch((error: unknown) => {
      this.current = undefined;
      throw error;
    });
    return this.current;
  }

  /** Drops `stale` so the next caller exchanges the key again; a newer token is kept. */
  async invalidate(stale: string): Promise<void> {
    const current = this.current;
    if (current !== undefined && (await current.catch(() => undefined)) === stale) {
      if (this.current === current) this.current = undefined;
    }
  }

  private async exchange(deadline: Deadline, requestId: string): Promise<string> {
    const response = await this.http.request(
      {
        method: 'PUT',
        path: '/api_auth',
        route: '/api_auth',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'x-request-id': requestId,
        },
        body: JSON.stringify({ data: { api_key: this.apiKey } }),
      },
      deadline,
    );
    return decodeJson('vcard', response, apiAuthAnswer).auth_token;
  }
}

export class VcardClient {
  constructor(
    private readonly http: UpstreamHttp,
    private readonly tokens?: VcardTokenProvider,
    /** The cross-request cache, when CACHE_TTL_MS turns it on (keyed by the token sent). */
    private readonly cache?: UpstreamCache,
  ) {}

  /** The user's card, or null when the vcard API does not know the user (404). */
  async getVcard(accountId: string, userId: string, call: CallContext): Promise<VCard | null> {
    const path = `/accounts/${encodeURIComponent(accountId)}/users/${encodeURIComponent(userId)}/vcard`;
    const fromKey = call.credential === undefined && this.tokens !== undefined;
    let token = call.credential ?? (await this.tokens?.token(call.deadline, call.requestId));
    for (let refreshed = false; ; refreshed = true) {
      if (token === undefined) throw new UpstreamError('vcard', { kind: 'missing-credentials' });
      try {
        return await fetchThrough<VCard | null>(
          this.cache,
          this.http,
          {
            method: 'GET',
            path,
            route: '/accounts/:account_id/users/:user_id/vcard',
            headers: {
              'x-auth-token': token,
              accept: 'application/json, text/vcard;q=0.9, text/x-vcard;q=0.8',
              'x-request-id': call.requestId,
            },
          },
          call.deadline,
          decodeCard,
          { value: null },
        );
      } catch (error) {
        if (!(error instanceof UpstreamError)) throw error;
        if (error.status === 404) return null;
        if (error.status === 401 && fromKey && !refreshed && this.tokens) {
          await this.tokens.invalidate(token);
          token = await this.tokens.token(call.deadline, call.requestId);
          continue;
        }
        throw error;
      }
    }
  }
}

function decodeCard(response: UpstreamResponse): VCard {
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
