// The vcard simulator's OpenAPI description: "Get User Vcard" and the two crossbar endpoints that
// issue X-Auth-Tokens (api_auth, user_auth).
import { errorResponses, int, jsonContent, pathParam, rateLimited, ref, str } from './openapi.js';
import type { Schema } from './openapi.js';

export function vcardOpenApi(url: string): object {
  const requestIdHeader: Schema = {
    'X-Request-ID': { schema: str, description: 'Same value as request_id in the body' },
  };
  const recording: Schema = {
    type: 'object',
    properties: {
      enabled: { type: 'boolean' },
      format: str,
      record_min_sec: int,
      record_on_answer: { type: 'boolean' },
      record_on_bridge: { type: 'boolean' },
      record_sample_rate: int,
      time_limit: int,
      url: str,
    },
  };
  const recordingDirection: Schema = {
    type: 'object',
    properties: { any: recording, offnet: recording, onnet: recording },
  };
  const namedNumber: Schema = { type: 'object', properties: { name: str, number: str } };
  return {
    openapi: '3.0.3',
    info: {
      title: 'Vinix crossbar: Get User Vcard (sandbox simulator)',
      version: '2.0.0',
    },
    servers: [{ url }],
    security: [{ authToken: [] }],
    paths: {
      '/accounts/{account_id}/users/{user_id}/vcard': {
        get: {
          operationId: 'getUserVcard',
          summary: 'Get User Vcard',
          parameters: [
            pathParam('account_id', str, 'Vinix account identifier.'),
            pathParam('user_id', str, 'User identifier.'),
          ],
          responses: {
            '200': {
              description: 'The user document as JSON, or the card as vCard 3.0 text',
              headers: requestIdHeader,
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['data'],
                    properties: { data: ref('UserDocument') },
                  },
                },
                'text/vcard': { schema: str },
                'text/x-vcard': { schema: str },
              },
            },
            ...errorResponses(
              {
                '401': 'Invalid, missing, expired or revoked X-Auth-Token',
                '404': 'Unknown account, user or vcard',
              },
              'Error',
              requestIdHeader,
            ),
            ...rateLimited('Error', requestIdHeader),
          },
        },
      },
      '/api_auth': {
        put: {
          operationId: 'apiAuth',
          summary: 'Exchange an account API key for an auth token',
          security: [],
          requestBody: {
            required: true,
            content: jsonContent({
              type: 'object',
              required: ['data'],
              properties: {
                data: { type: 'object', required: ['api_key'], properties: { api_key: str } },
              },
            }),
          },
          responses: {
            '201': {
              description: 'A new auth token',
              headers: requestIdHeader,
              content: jsonContent(ref('AuthAnswer')),
            },
            ...errorResponses(
              { '400': 'Body is not the documented JSON', '401': 'Unknown API key' },
              'Error',
              requestIdHeader,
            ),
          },
        },
      },
      '/user_auth': {
        put: {
          operationId: 'userAuth',
          summary: 'Exchange user credentials for an auth token',
          description:
            'credentials is the hex md5 of "username:password" (or sha1 with method "sha"), as ' +
            "in Kazoo's crossbar.",
          security: [],
          requestBody: {
            required: true,
            content: jsonContent({
              type: 'object',
              required: ['data'],
              properties: {
                data: {
                  type: 'object',
                  required: ['credentials', 'account_name'],
                  properties: {
                    credentials: str,
                    account_name: str,
                    method: { type: 'string', enum: ['md5', 'sha'] },
                  },
                },
              },
            }),
          },
          responses: {
            '201': {
              description: 'A new auth token',
              headers: requestIdHeader,
              content: jsonContent(ref('AuthAnswer')),
            },
            ...errorResponses(
              {
                '400': 'Body is not the documented JSON',
                '401': 'Unknown user, wrong password or account name',
              },
              'Error',
              requestIdHeader,
            ),
          },
        },
      },
    },
    components: {
      securitySchemes: { authToken: { type: 'apiKey', in: 'header', name: 'X-Auth-Token' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['code', 'message', 'request_id'],
          properties: { code: str, message: str, request_id: str },
        },
        AuthAnswer: {
          type: 'object',
          required: ['auth_token', 'data', 'request_id', 'revision', 'status'],
          properties: {
            auth_token: str,
            data: {
              type: 'object',
              required: ['account_id'],
              properties: {
                account_id: str,
                owner_id: { ...str, description: 'user_auth only: the user document id' },
                language: str,
                is_reseller: { type: 'boolean' },
              },
            },
            request_id: str,
            revision: str,
            status: { type: 'string', enum: ['success'] },
          },
        },
        UserDocument: {
          type: 'object',
          description: 'Crossbar user document (only the commonly used properties are listed)',
          required: ['username', 'enabled', 'priv_level'],
          additionalProperties: true,
          properties: {
            call_forward: { type: 'object' },
            call_recording: {
              type: 'object',
              properties: {
                any: recordingDirection,
                inbound: recordingDirection,
                outbound: recordingDirection,
              },
            },
            caller_id: {
              type: 'object',
              properties: {
                internal: namedNumber,
                external: namedNumber,
                emergency: namedNumber,
                asserted: {
                  type: 'object',
                  properties: { name: str, number: str, realm: str },
                },
              },
            },
            email: str,
            enabled: { type: 'boolean' },
            first_name: str,
            last_name: str,
            language: str,
            password: str,
            presence_id: str,
            priv_level: { type: 'string', enum: ['user', 'admin'] },
            profile: {
              type: 'object',
              properties: {
                addresses: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['address', 'types'],
                    properties: { address: str, types: { type: 'array', items: str } },
                  },
                },
                assistant: str,
                birthday: str,
                nicknames: { type: 'array', items: str },
                note: str,
                role: str,
                'sort-string': str,
                title: str,
              },
            },
            timezone: str,
            username: str,
            voicemail: { type: 'object' },
          },
        },
      },
    },
  };
}
