// Yoga's CORS is an option rather than a plugin; its policy is decided here.
import type { CORSOptions } from 'graphql-yoga';
import type { Config } from '../config.js';

/**
 * CORS_ORIGINS when set; otherwise any origin in sandbox mode (exploring from anywhere) and none in
 * production. The two credential headers may be sent cross-origin; preflights are cached 10 min.
 */
export function corsOptions(config: Config): CORSOptions | ((request: Request) => CORSOptions) {
  const common = {
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['content-type', 'authorization', 'x-auth-token', 'x-request-id'],
    exposedHeaders: ['x-request-id'],
    maxAge: 600,
  };
  const allowed = config.corsOrigins;
  if (allowed === undefined) return config.sandbox ? { ...common, origin: '*' } : false;
  // Only an allowed origin is echoed; any other gets no CORS headers at all.
  return (request) => {
    const origin = request.headers.get('origin');
    return origin !== null && allowed.includes(origin)
      ? { ...common, origin: [origin], credentials: true }
      : false;
  };
}
