// Without introspection the schema is not public, so no error may hint at it: graphql-js suggests
// field, argument, type and enum value names ("Did you mean the enum value "V3" or "V4"?") in
// validation errors and in variable coercion errors alike. This drops every such sentence.
import type { Plugin } from 'graphql-yoga';

const SUGGESTION = /\s*Did you mean [^?]*\?/g;

export function withoutSuggestions(message: string): string {
  return message.replace(SUGGESTION, '');
}

function strip<E extends { message: string }>(error: E): E {
  const message = withoutSuggestions(error.message);
  // GraphQLError's message is a plain own property; changing it keeps the error's identity, so
  // its locations, path, extensions and class stay as they are.
  if (message !== error.message) error.message = message;
  return error;
}

export function useNoSuggestions(): Plugin {
  return {
    onValidate() {
      return ({ valid, result }) => {
        if (!valid) for (const error of result) strip(error);
      };
    },
    // Every answer passes here, errors thrown before execution included.
    onResultProcess({ result }) {
      // Streams (@defer) carry only execution errors, which never suggest names.
      if (Symbol.asyncIterator in result) return;
      for (const one of Array.isArray(result) ? result : [result]) {
        for (const error of one.errors ?? []) strip(error);
      }
    },
  };
}
