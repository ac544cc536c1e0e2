// The users simulator's OpenAPI description: the documented User API plus the OAuth2 token
// endpoint that issues its bearer tokens.
import { OAUTH_TOKEN_PATH } from './credentials.js';
import {
  errorResponses,
  int,
  jsonContent,
  pathParam,
  queryParam,
  rateLimited,
  ref,
  str,
} from './openapi.js';
import type { Schema } from './openapi.js';

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
      '401': 'Missing, invalid, expired or revoked bearer token',
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
            ...rateLimited('Error'),
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
            ...rateLimited('Error'),
          },
        },
      },
      [OAUTH_TOKEN_PATH]: {
        post: {
          operationId: 'oauth2Token',
          summary: 'OAuth2 token endpoint (RFC 6749): password, refresh_token, client_credentials',
          description:
            'Client authentication by HTTP Basic or client_secret_post (form fields), not both. ' +
            'A refresh token works once: the answer carries its replacement.',
          security: [{ clientBasic: [] }, {}],
          requestBody: {
            required: true,
            content: { 'application/x-www-form-urlencoded': { schema: ref('TokenRequest') } },
          },
          responses: {
            '200': {
              description: 'Tokens (Cache-Control: no-store)',
              content: jsonContent(ref('TokenAnswer')),
            },
            ...errorResponses(
              {
                '400':
                  'invalid_request, invalid_grant (bad credentials, used or revoked refresh token) or unsupported_grant_type',
                '401': 'invalid_client (unknown client, wrong secret, or HTTP Basic when refused)',
              },
              'OAuthError',
            ),
          },
        },
      },
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        clientBasic: { type: 'http', scheme: 'basic' },
      },
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
        TokenRequest: {
          type: 'object',
          required: ['grant_type'],
          properties: {
            grant_type: {
              type: 'string',
              enum: ['password', 'refresh_token', 'client_credentials'],
            },
            username: { ...str, description: 'password grant' },
            password: { ...str, description: 'password grant' },
            refresh_token: { ...str, description: 'refresh_token grant' },
            scope: str,
            client_id: { ...str, description: 'client_secret_post' },
            client_secret: { ...str, description: 'client_secret_post' },
          },
        },
        TokenAnswer: {
          type: 'object',
          required: ['access_token', 'token_type', 'expires_in'],
          properties: {
            access_token: str,
            token_type: { type: 'string', enum: ['Bearer'] },
            expires_in: { ...int, description: 'Seconds the access token is valid' },
            refresh_token: { ...str, description: 'Not for client_credentials' },
            scope: { ...str, description: 'The requested scope, when one was asked' },
          },
        },
        OAuthError: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'string',
              enum: [
                'invalid_request',
                'invalid_client',
                'invalid_grant',
                'unsupported_grant_type',
              ],
            },
            error_description: str,
          },
        },
      },
    },
  };
}
