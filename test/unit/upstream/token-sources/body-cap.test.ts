import { describe, expect, it } from 'vitest';
import { TooLargeError, withinBodyCap } from '../../../../src/upstream/token-sources/oauth2.js';

/** A response streamed in `chunks` of `size` bytes, with no Content-Length. */
function streamed(chunks: number, size: number): { response: Response; pulled: () => number } {
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled === chunks) controller.close();
      else {
        pulled++;
        controller.enqueue(new Uint8Array(size).fill(0x20));
      }
    },
  });
  return { response: new Response(body, { status: 200 }), pulled: () => pulled };
}

describe('the token answer body cap', () => {
  it('passes an answer within the cap through, body and status intact', async () => {
    const capped = await withinBodyCap(
      new Response('{"access_token":"at"}', { status: 201, headers: { 'x-a': '1' } }),
      64,
    );
    expect(capped.status).toBe(201);
    expect(capped.headers.get('x-a')).toBe('1');
    expect(await capped.text()).toBe('{"access_token":"at"}');
  });

  it('refuses from Content-Length before reading', async () => {
    const response = new Response('x'.repeat(100), { headers: { 'content-length': '100' } });
    await expect(withinBodyCap(response, 64)).rejects.toBeInstanceOf(TooLargeError);
  });

  it('without Content-Length, stops reading at the first chunk past the cap', async () => {
    const { response, pulled } = streamed(1_000, 1_024);
    await expect(withinBodyCap(response, 4 * 1_024)).rejects.toBeInstanceOf(TooLargeError);
    expect(pulled()).toBeLessThan(10);
  });
});
