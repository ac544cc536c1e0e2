// The Relay arguments of a connection field as the client gave them, with the default page size
// read from the schema, so the resolver and the cost rule (which sees the same coerced arguments)
// cannot disagree on it.
import { Kind, type GraphQLResolveInfo } from 'graphql';
import type { ConnectionArgs } from '../pagination/connection.js';
import { DEFAULT_PAGE_SIZE } from '../security.js';

export interface PageArguments extends ConnectionArgs {
  /** The page size when neither `first` nor `last` is given. */
  defaultFirst: number;
}

/**
 * `first: Int = 20` in the SDL documents the default in introspection, but graphql-js then fills
 * `first` in even when the client asked `last`: a default the client did not give is dropped
 * then, so `last` alone stays legal and `first` with `last` stays refused. Without an SDL default
 * the cost rule's constant is the default (both sides still read one declaration).
 */
export function pageArguments(args: ConnectionArgs, info: GraphQLResolveInfo): PageArguments {
  const field = info.parentType.getFields()[info.fieldName];
  const declared = field?.args.find((arg) => arg.name === 'first')?.defaultValue;
  const defaultFirst =
    typeof declared === 'number' && Number.isSafeInteger(declared) ? declared : DEFAULT_PAGE_SIZE;
  const first = args.last != null && !clientGave(info, 'first') ? null : args.first;
  return { first, after: args.after, last: args.last, before: args.before, defaultFirst };
}

/** Whether the operation itself set the argument (literal, or a variable it was given a value for). */
function clientGave(info: GraphQLResolveInfo, name: string): boolean {
  // Fields merged into one (aliases, fragments) have identical arguments: the first node says all.
  const node = info.fieldNodes[0]?.arguments?.find((arg) => arg.name.value === name);
  if (node === undefined) return false;
  if (node.value.kind !== Kind.VARIABLE) return true;
  return Object.hasOwn(info.variableValues, node.value.name.value);
}
