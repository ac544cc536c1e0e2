// Without introspection the schema is not a public document: `__schema`, `__type` and the
// federation SDL (`_service`) are refused, unless FEDERATION_SDL=true allows `_service` for a
// router that composes this subgraph (`npm run print-sdl` gives the SDL without a server).
import type { ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { validationError } from './limits.js';

/**
 * Matched by field name rather than with graphql's NoSchemaIntrospectionCustomRule, whose type
 * checks reject the schema built by @apollo/subgraph's copy of graphql when two copies are loaded
 * (as under vitest).
 */
export function noIntrospectionRule(options: { federationSdl: boolean }): ValidationRule {
  return (context) => ({
    Field(node) {
      const name = node.name.value;
      if (name === '__schema' || name === '__type') {
        context.reportError(
          validationError(`Introspection is disabled on this server (field "${name}").`),
        );
      }
      // `_service` exists on the root query type only.
      if (name === '_service' && !options.federationSdl) {
        context.reportError(
          validationError(
            'Introspection is disabled on this server (field "_service"): set FEDERATION_SDL=true to serve the subgraph SDL, or run `npm run print-sdl`.',
          ),
        );
      }
    },
  });
}

export function useNoIntrospection(options: { federationSdl: boolean }): Plugin {
  const rule = noIntrospectionRule(options);
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
    },
  };
}
