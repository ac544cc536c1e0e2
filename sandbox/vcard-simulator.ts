// Simulator of the Vinix crossbar "Get User Vcard" endpoint (vcard-api.txt) and of the two ways
// crossbar issues an X-Auth-Token, PUT /api_auth and PUT /user_auth (vcard-auth.ts). Users answer
// JSON or vCard 3.0 text as their dataset record says; errors are {"code","message","request_id"}
// with X-Request-ID.
import type { IncomingMessage } from 'node:http';
import type { UserDocument } from '../src/vcard/document.js';
import { SANDBOX_CREDENTIALS } from './credentials.js';
import type { VcardApiCredentials } from './credentials.js';
import { EXAMPLE_ACCOUNT_ID, createDataset, findUser } from './data.js';
import type { Dataset, SandboxUserDocument } from './data.js';
import { vcardOpenApi } from './openapi-vcard.js';
import { decodeSegments, json } from './http.js';
import type { SimRequest, SimResponse } from './http.js';
import { Simulator } from './simulator.js';
import type { SimulatorOptions } from './simulator.js';
import { API_AUTH_PATH, KazooAuth, USER_AUTH_PATH } from './vcard-auth.js';
import { documentToVcard3TextWithIcal } from './vcard3-text.js';

export interface VcardSimulatorOptions extends SimulatorOptions {
  dataset?: Dataset;
  /**
   * Real credential checks: the vcard endpoint then answers 401 unless X-Auth-Token is a token
   * that /api_auth or /user_auth issued (and has not expired) or `requiredToken`. Default false
   * (any token works), true when `requiredToken` or `apiKey` is given.
   */
  requireAuth?: boolean;
  /** A static token accepted in X-Auth-Token (implies requireAuth). */
  requiredToken?: string;
  /** The only API key PUT /api_auth accepts (implies requireAuth). Default: the seeded ones. */
  apiKey?: string;
  /** Who /user_auth and /api_auth know. Default SANDBOX_CREDENTIALS.vcard. */
  credentials?: VcardApiCredentials;
  /** How long an issued token is honoured. Default 3600. */
  tokenLifetimeSeconds?: number;
}

const ERROR_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  429: 'too_many_requests',
  500: 'internal_server_error',
  502: 'bad_gateway',
  503: 'service_unavailable',
  504: 'gateway_timeout',
};

function vcardError(status: number, message: string, request: SimRequest): SimResponse {
  return json(status, {
    code: ERROR_CODES[status] ?? `http_${status}`,
    message,
    request_id: request.requestId,
  });
}

// Answers are a pure function of the document object, and ical.js is not free: build each once.
const jsonAnswers = new WeakMap<SandboxUserDocument, string>();
const textAnswers = new WeakMap<SandboxUserDocument, string>();

function jsonAnswer(document: SandboxUserDocument): string {
  let body = jsonAnswers.get(document);
  if (body === undefined) {
    body = JSON.stringify({ data: document });
    jsonAnswers.set(document, body);
  }
  return body;
}

function textAnswer(document: SandboxUserDocument): string {
  let body = textAnswers.get(document);
  if (body === undefined) {
    // The full document (secrets included) goes in: what the card shows is the converter's choice,
    // exactly as with the real crossbar.
    const contactPart: UserDocument = document;
    body = documentToVcard3TextWithIcal(contactPart);
    textAnswers.set(document, body);
  }
  return body;
}

export class VcardSimulator extends Simulator {
  protected readonly name = 'vcard';
  protected override readonly requestIdHeader = true;
  readonly dataset: Dataset;
  /** See VcardSimulatorOptions.requireAuth; may be changed at any time. */
  requireAuth: boolean;
  /** /api_auth and /user_auth: their settings (token lifetime) may be changed at any time. */
  readonly auth: KazooAuth;
  private readonly requiredToken: string | undefined;

  constructor(options: VcardSimulatorOptions = {}) {
    super(options);
    this.dataset = options.dataset ?? createDataset();
    this.requiredToken = options.requiredToken;
    this.requireAuth =
      options.requireAuth ?? (options.requiredToken !== undefined || options.apiKey !== undefined);
    const known = options.credentials ?? SANDBOX_CREDENTIALS.vcard;
    this.auth = new KazooAuth(
      options.apiKey === undefined ? known : { ...known, apiKeys: [options.apiKey] },
      { tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600 },
      () =>
        this.dataset.accounts.has(EXAMPLE_ACCOUNT_ID)
          ? EXAMPLE_ACCOUNT_ID
          : ([...this.dataset.accounts.keys()][0] ?? ''),
      vcardError,
    );
  }

  /** Every token issued so far is expired from now on (the static requiredToken stays valid). */
  expireTokens(): void {
    this.auth.tokens.expireAll();
  }

  /** Every token issued so far is revoked (the static requiredToken stays valid). */
  revokeTokens(): void {
    this.auth.tokens.revokeAll();
  }

  protected credentialOf(headers: IncomingMessage['headers']): string | undefined {
    const token = headers['x-auth-token'];
    return Array.isArray(token) ? token.join(', ') : token;
  }

  protected override isTokenEndpoint(path: string): boolean {
    return path === API_AUTH_PATH || path === USER_AUTH_PATH;
  }

  protected error(status: number, message: string, request: SimRequest): SimResponse {
    return vcardError(status, message, request);
  }

  protected openapi(url: string): object {
    return vcardOpenApi(url);
  }

  protected route(request: SimRequest): SimResponse {
    if (request.path === API_AUTH_PATH) return this.auth.apiAuth(request);
    if (request.path === USER_AUTH_PATH) return this.auth.userAuth(request);
    const segments = decodeSegments(request.path);
    if (
      segments === undefined ||
      segments.length !== 5 ||
      segments[0] !== 'accounts' ||
      segments[2] !== 'users' ||
      segments[4] !== 'vcard'
    ) {
      return vcardError(404, 'not found', request);
    }
    const denied = this.authFailure(request);
    if (denied) return denied;
    if (request.method !== 'GET') {
      return { ...vcardError(405, 'method not allowed', request), headers: { allow: 'GET' } };
    }
    const [, accountId = '', , userId = ''] = segments;
    if (!this.dataset.accounts.has(accountId)) {
      return vcardError(404, `account ${accountId} not found`, request);
    }
    const record = findUser(this.dataset, accountId, userId);
    if (record === undefined) return vcardError(404, `user ${userId} not found`, request);
    if (record.vcardFormat === null) {
      return vcardError(404, `user ${userId} has no vcard`, request);
    }
    if (record.vcardFormat === 'application/json') {
      return {
        status: 200,
        contentType: 'application/json; charset=utf-8',
        body: jsonAnswer(record.document),
      };
    }
    return {
      status: 200,
      contentType: `${record.vcardFormat}; charset=utf-8`,
      body: textAnswer(record.document),
    };
  }

  private authFailure(request: SimRequest): SimResponse | undefined {
    const token = this.credentialOf(request.headers);
    const state = token === undefined ? 'unknown' : this.auth.tokens.state(token);
    // A token this API issued and that ran out is refused even when any other token would do.
    if (state === 'expired' || state === 'revoked') {
      return vcardError(401, `auth token ${state}`, request);
    }
    if (
      this.requireAuth &&
      state !== 'valid' &&
      (token === undefined || token !== this.requiredToken)
    ) {
      return vcardError(401, 'invalid credentials', request);
    }
    return undefined;
  }
}

export function startVcardSimulator(options: VcardSimulatorOptions = {}): Promise<VcardSimulator> {
  return new VcardSimulator(options).listen(options.port ?? 0, options.host ?? '127.0.0.1');
}
