// GraphiQL without a CDN: Yoga's page loads its bundle from unpkg and its icon from GitHub, which
// fails on a machine without internet (and leaks every visit to third parties). The same files come
// from the installed @graphql-yoga/graphiql package and are served under /graphiql/assets/.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { renderGraphiQL } from 'graphql-yoga';
import type { GraphiQLOptions, Plugin } from 'graphql-yoga';

export const GRAPHIQL_ASSETS_PATH = '/graphiql/assets/';

// Only these files are served: the name in the URL is a key, never a path on disk.
const ASSETS: Record<string, string> = {
  'graphiql.css': 'text/css; charset=utf-8',
  'yoga-graphiql.umd.js': 'text/javascript; charset=utf-8',
  'monacoeditorwork/editor.worker.bundle.js': 'text/javascript; charset=utf-8',
  'monacoeditorwork/json.worker.bundle.js': 'text/javascript; charset=utf-8',
  'monacoeditorwork/graphql.worker..bundle.js': 'text/javascript; charset=utf-8',
};

const CDN_BASE = /https:\/\/unpkg\.com\/@graphql-yoga\/graphiql@[^/]+\/dist\//g;
const REMOTE_ICON = /<link rel=icon href=https:\/\/[^>]*>/g;

/** Yoga's GraphiQL page with every remote URL replaced by a local one. */
export function renderOfflineGraphiQL(options: GraphiQLOptions): string {
  // The bundle of @graphql-yoga/graphiql 4.5.0 (the newest on the registry) opens the editor with
  // `query` and ignores `defaultQuery`.
  const opened =
    options.defaultQuery === undefined ? options : { ...options, query: options.defaultQuery };
  return renderGraphiQL(opened)
    .replace(CDN_BASE, GRAPHIQL_ASSETS_PATH)
    .replace(REMOTE_ICON, '<link rel=icon href="data:,">');
}

/** Serves the GraphiQL bundle, read once from the installed package. */
export function useGraphiQLAssets(): Plugin {
  const dist = dirname(createRequire(import.meta.url).resolve('@graphql-yoga/graphiql'));
  const cache = new Map<string, Buffer>();
  return {
    onRequest({ url, request, endResponse, fetchAPI }) {
      if (!url.pathname.startsWith(GRAPHIQL_ASSETS_PATH)) return;
      const name = url.pathname.slice(GRAPHIQL_ASSETS_PATH.length);
      const contentType = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
      if (contentType === undefined || (request.method !== 'GET' && request.method !== 'HEAD')) {
        endResponse(new fetchAPI.Response('not found', { status: 404 }));
        return;
      }
      let body = cache.get(name);
      if (body === undefined) {
        body = readFileSync(join(dist, name));
        cache.set(name, body);
      }
      endResponse(
        new fetchAPI.Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
          status: 200,
          headers: {
            'content-type': contentType,
            'content-length': String(body.length),
            // Versioned by the installed package; a day is plenty for a development tool.
            'cache-control': 'public, max-age=86400',
          },
        }),
      );
    },
  };
}

/** The query GraphiQL opens with: a page of users with everything a directory shows. */
export function exampleQuery(accountId: string): string {
  return `# Users of a sandbox account with their extensions, DIDs and vCards.
# Press the run button (or Ctrl+Enter). Other sandbox accounts: 1002 (empty), 1003 (350 users).
query UsersWithCards {
  users(accountId: "${accountId}", first: 5) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      userId
      firstName
      lastName
      email
      extensions { number dids { phoneNumber customTag } }
      vcard { formattedName title phones { number types } }
    }
  }
}
`;
}
