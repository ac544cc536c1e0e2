// Simulator of the Vinix crossbar "Get User Vcard" endpoint (vcard-api.txt) and of PUT /api_auth,
// which exchanges an account API key for an X-Auth-Token. Users answer JSON or vCard 3.0 text as
// their dataset record says; errors are {"code","message","request_id"} with X-Request-ID.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { UserDocument } from '../vcard/document.js';
import { documentToVcard3TextWithIcal } from '../vcard/fixtures.js';
import { EXAMPLE_ACCOUNT_ID, createDataset, findUser } from './data.js';
import type { Dataset, SandboxUserDocument } from './data.js';
import { vcardOpenApi } from './openapi.js';
import { decodeSegments, json, startSimulator } from './simulator.js';
import type { SimRequest, SimResponse, SimulatorHandle, SimulatorOptions } from './simulator.js';

export interface VcardSimulatorOptions extends SimulatorOptions {
  dataset?: Dataset;
  /** A static token accepted in X-Auth-Token. */
  requiredToken?: string;
  /** The API key PUT /api_auth accepts; tokens it issues are accepted in X-Auth-Token. */
  apiKey?: string;
}

export interface VcardSimulator extends SimulatorHandle {
  dataset: Dataset;
  /** Expires every token issued by /api_auth (the static requiredToken stays valid). */
  revokeTokens(): void;
}

const apiAuthBody = z.object({ data: z.object({ api_key: z.string() }) });

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

export async function startVcardSimulator(
  options: VcardSimulatorOptions = {},
): Promise<VcardSimulator> {
  const dataset = options.dataset ?? createDataset();
  const issued = new Set<string>();
  const open = options.requiredToken === undefined && options.apiKey === undefined;

  const authorised = (request: SimRequest): boolean => {
    if (open) return true;
    const token = request.headers['x-auth-token'];
    if (typeof token !== 'string') return false;
    return token === options.requiredToken || issued.has(token);
  };

  const apiAuth = (request: SimRequest): SimResponse => {
    if (request.method !== 'PUT') {
      return { ...vcardError(405, 'method not allowed', request), headers: { allow: 'PUT' } };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(request.body);
    } catch {
      return vcardError(400, 'body must be JSON', request);
    }
    const body = apiAuthBody.safeParse(parsed);
    if (!body.success) return vcardError(400, 'expected {"data":{"api_key":"…"}}', request);
    if (options.apiKey === undefined || body.data.data.api_key !== options.apiKey) {
      return vcardError(401, 'invalid api key', request);
    }
    const token = randomBytes(24).toString('hex');
    issued.add(token);
    // Shaped like crossbar's api_auth answer.
    return json(201, {
      auth_token: token,
      data: {
        account_id: dataset.accounts.has(EXAMPLE_ACCOUNT_ID)
          ? EXAMPLE_ACCOUNT_ID
          : ([...dataset.accounts.keys()][0] ?? ''),
        is_reseller: false,
        language: 'en-US',
      },
      request_id: request.requestId,
      status: 'success',
    });
  };

  const route = (request: SimRequest): SimResponse => {
    if (request.path === '/api_auth') return apiAuth(request);
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
    if (!authorised(request)) return vcardError(401, 'invalid credentials', request);
    if (request.method !== 'GET') {
      return { ...vcardError(405, 'method not allowed', request), headers: { allow: 'GET' } };
    }
    const [, accountId = '', , userId = ''] = segments;
    if (!dataset.accounts.has(accountId)) {
      return vcardError(404, `account ${accountId} not found`, request);
    }
    const record = findUser(dataset, accountId, userId);
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
  };

  const handle = await startSimulator(
    {
      name: 'vcard',
      route,
      error: vcardError,
      openapi: vcardOpenApi,
      requestIdHeader: true,
    },
    options,
  );
  return Object.assign(handle, {
    dataset,
    revokeTokens() {
      issued.clear();
    },
  });
}
