// Sends the request id back to the client (the same id goes upstream as X-Request-ID).
import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context.js';
import { requestIdOf } from '../context.js';

export function useRequestId(): Plugin<GatewayContext> {
  return {
    onResponse({ request, response }) {
      response.headers.set('x-request-id', requestIdOf(request));
    },
  };
}
