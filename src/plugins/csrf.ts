// JSON POSTs always get a CORS preflight; GET, form and multipart requests must prove they did too.
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import type { Plugin } from 'graphql-yoga';

/**
 * Headers a browser cannot send cross-origin without a CORS preflight: Yoga's own GraphiQL and
 * client send the first, Apollo Client the other two. `Authorization` is not one of them, since
 * browsers attach cached Basic credentials to simple requests by themselves.
 */
export const CSRF_HEADERS = [
  'x-graphql-yoga-csrf',
  'apollo-require-preflight',
  'x-apollo-operation-name',
];

export function useCsrfPrevention(): Plugin {
  return useCSRFPrevention({ requestHeaders: CSRF_HEADERS });
}
