/**
 * Resolves once `condition` holds, polling every few milliseconds (a server sees a client's
 * disconnect, a process its signal, a moment later). The bound is generous: it only turns a
 * condition that never comes into a failure that says so, and a loaded machine is slow, not wrong.
 */
export async function until(
  condition: () => boolean,
  what = 'condition',
  timeoutMs = 10_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
