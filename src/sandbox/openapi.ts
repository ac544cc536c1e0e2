// OpenAPI 3.0 descriptions the simulators serve at GET /openapi.json. They describe what the
// simulators actually send (the tests validate real answers against these schemas), which is the
// documented upstream behaviour plus the details the docs leave open (error bodies, 400s).

type Schema = Record<string, unknown>;

const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer' };
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

function pathParam(name: string, schema: Schema, description: string): Schema {
  return { name, in: 'path', required: true, schema, description };
}

function queryParam(name: string, schema: Schema, description: string): Schema {
  return { name, in: 'query', required: false, schema, description };
}

function jsonContent(schema: Schema): Schema {
  return { 'application/json': { schema } };
}

function errorResponses(statuses: Record<string, string>, errorSchema: string, headers?: Schema) {
  return Object.fromEntries(
    Object.entries(statuses).map(([status, description]) => [
      status,
      { description, content: jsonContent(ref(errorSchema)), ...(headers ? { headers } : {}) },
    ]),
  );
}

export function usersOpenApi(url: string, maxPageSize: number): object {
  const link: Schema = {
    type: 'object',
    required: ['href'],
    properties: { href: { type: 'string', description: 'Absolute URL' } },
  };
  const envelope = (data: Schema): Schema => ({
    type: 'object',
    required: ['page_size', 'page', 'total_pages', 'total_items', '_links', '_embedded'],
    properties: {
      page_size: { ...int, description: 'Effective page size (after clamping)' },
      page: int,
      total_pages: int,
      total_items: int,
      _links: ref('Links'),
      _embedded: { type: 'object', required: ['data'], properties: { data } },
    },
  });
  const accountId = pathParam('account_id', str, 'The Vonage Business Cloud account ID');
  const auth = errorResponses(
    {
      '401': 'Missing or invalid bearer token',
      '403': 'Token not allowed for this account',
      '404': 'Unknown account or user',
    },
    'Error',
  );
  return {
    openapi: '3.0.3',
    info: {
      title: 'User API (sandbox simulator)',
      version: '1.0.0',
      description: 'Vonage Business Cloud provisioning User API, as simulated by the sandbox.',
    },
    servers: [{ url }],
    security: [{ bearer: [] }],
    paths: {
      '/accounts/{account_id}/users': {
        get: {
          operationId: 'getAccountUsers',
          summary: 'Get account users data by account ID',
          parameters: [
            accountId,
            queryParam(
              'page_size',
              { ...int, minimum: 1, default: 10 },
              `Number of records per page (clamped to ${maxPageSize})`,
            ),
            queryParam('page', { ...int, minimum: 1, default: 1 }, 'Current page number'),
            queryParam('first_name', str, 'Filter by first name (case-insensitive exact match)'),
            queryParam('last_name', str, 'Filter by last name (case-insensitive exact match)'),
            queryParam('login_name', str, 'Filter by login name (case-insensitive exact match)'),
            queryParam('email', str, 'Filter by email address (case-insensitive exact match)'),
          ],
          responses: {
            '200': {
              description: 'Success',
              content: jsonContent(ref('UsersPage')),
            },
            ...errorResponses({ '400': 'Invalid page or page_size' }, 'Error'),
            ...auth,
          },
        },
      },
      '/accounts/{account_id}/users/{user_id}': {
        get: {
          operationId: 'getAccountUser',
          summary: 'Get user data by account ID and user ID',
          parameters: [accountId, pathParam('user_id', int, 'The Vonage Business Cloud user ID')],
          responses: {
            '200': { description: 'Success', content: jsonContent(ref('UserEnvelope')) },
            ...auth,
          },
        },
      },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Link: link,
        Links: {
          type: 'object',
          required: ['first', 'self'],
          properties: {
            first: ref('Link'),
            prev: ref('Link'),
            self: ref('Link'),
            next: ref('Link'),
          },
        },
        Did: {
          type: 'object',
          required: ['phone_number'],
          properties: { phone_number: str, custom_tag: str },
        },
        Extension: {
          type: 'object',
          required: ['dids', 'extension_number'],
          properties: { dids: { type: 'array', items: ref('Did') }, extension_number: str },
        },
        ContactNumber: {
          type: 'object',
          required: ['type', 'value'],
          properties: { type: { type: 'string', enum: ['Home', 'Mobile', 'Work'] }, value: str },
        },
        User: {
          type: 'object',
          required: ['id', 'login_name', 'contact_numbers', 'extensions'],
          properties: {
            email: str,
            login_name: str,
            first_name: str,
            last_name: str,
            id: int,
            contact_numbers: { type: 'array', items: ref('ContactNumber') },
            extensions: { type: 'array', items: ref('Extension') },
          },
        },
        UsersPage: envelope({ type: 'array', items: ref('User') }),
        UserEnvelope: envelope(ref('User')),
        Error: { type: 'object', required: ['error'], properties: { error: str } },
      },
    },
  };
}

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
              { '401': 'Invalid or missing X-Auth-Token', '404': 'Unknown account, user or vcard' },
              'Error',
              requestIdHeader,
            ),
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
              content: jsonContent(ref('ApiAuthAnswer')),
            },
            ...errorResponses(
              { '400': 'Body is not the documented JSON', '401': 'Unknown API key' },
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
        ApiAuthAnswer: {
          type: 'object',
          required: ['auth_token', 'data', 'request_id', 'status'],
          properties: {
            auth_token: str,
            data: {
              type: 'object',
              required: ['account_id'],
              properties: { account_id: str, language: str, is_reseller: { type: 'boolean' } },
            },
            request_id: str,
            status: str,
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
