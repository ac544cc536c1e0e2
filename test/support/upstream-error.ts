import { UpstreamError } from '../../src/errors.js';

/** The UpstreamError `promise` rejects with; anything else (a value, another error) fails. */
export async function upstreamErrorOf(promise: Promise<unknown>): Promise<UpstreamError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof UpstreamError)) {
    throw new Error(`expected an UpstreamError: ${String(error)}`);
  }
  return error;
}
