// GraphQL Mesh v1 composition of the two upstreams from the OpenAPI documents the simulators serve,
// as a user would set it up (https://the-guild.dev/graphql/mesh/v1/source-handlers/openapi):
//
//   USERS_API_URL=… VCARD_API_URL=… npx mesh-compose -c bench/mesh/mesh.config.ts -o supergraph.graphql
//
// bench/mesh/server.ts runs the same composition programmatically and serves the result with Hive
// Gateway. The schema stays REST-shaped (`getAccountUsers`, `_embedded.data`, snake_case). The one
// addition is `User.vcard`, the documented way to link two sources (`@resolveTo`); the users API's
// user has no account id, so the query passes it as an argument.
import { createPrefixTransform, defineConfig } from '@graphql-mesh/compose-cli';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';
import { requiredEnv as required } from '../src/env.js';

const usersApi = required('USERS_API_URL');
const vcardApi = required('VCARD_API_URL');

export const composeConfig = defineConfig({
  subgraphs: [
    {
      sourceHandler: loadOpenAPISubgraph('Users', {
        source: `${usersApi}/openapi.json`,
        endpoint: usersApi,
        operationHeaders: { Authorization: `Bearer ${process.env.USERS_API_TOKEN ?? 'bench'}` },
      }),
    },
    {
      sourceHandler: loadOpenAPISubgraph('Vcard', {
        source: `${vcardApi}/openapi.json`,
        endpoint: vcardApi,
        operationHeaders: { 'X-Auth-Token': process.env.VCARD_API_TOKEN ?? 'bench' },
      }),
      // Both APIs name their error type `Error`; composition refuses two unrelated types of one name.
      transforms: [createPrefixTransform({ value: 'Vcard_' })],
    },
  ],
  additionalTypeDefs: /* GraphQL */ `
    extend type User {
      vcard(account_id: String!): Vcard_getUserVcard_response
        @resolveTo(
          sourceName: "Vcard"
          sourceTypeName: "Query"
          sourceFieldName: "getUserVcard"
          requiredSelectionSet: "{ id }"
          sourceArgs: { account_id: "{args.account_id}", user_id: "{root.id}" }
        )
    }
  `,
});
