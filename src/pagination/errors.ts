/**
 * Bad pagination input (arguments or cursor): the client can fix it. `argumentName` is the GraphQL
 * argument at fault ('first', 'after', ...). Mapped to BAD_USER_INPUT where errors are made
 * (src/errors.ts); this module stays free of GraphQL so the pagination core has no dependencies.
 */
export class PaginationInputError extends Error {
  constructor(
    message: string,
    readonly argumentName: string,
  ) {
    super(message);
    this.name = 'PaginationInputError';
  }
}
