// Cursors are signed (HMAC) when read, not for every edge of a page: a query that reads only
// `pageInfo { endCursor }` of 50 edges signs two (pageInfo's ends).
import { describe, expect, it, vi } from 'vitest';
import * as cursorModule from '../../../src/pagination/cursor.js';
import { paginate } from '../../../src/pagination/connection.js';

vi.mock('../../../src/pagination/cursor.js', { spy: true });

const list = Array.from({ length: 120 }, (_, i) => ({ id: `u${i}` }));

const connection = () =>
  paginate(
    { first: 50 },
    {
      fetchPage: ({ page, pageSize }) =>
        Promise.resolve({
          items: list.slice((page - 1) * pageSize, page * pageSize),
          page,
          pageSize,
          totalItems: list.length,
        }),
      idOf: (item) => item.id,
      fingerprint: 'fp',
      upstreamMaxPageSize: 100,
      maxFirst: 100,
      defaultFirst: 20,
      secret: 'secret',
    },
  );

describe('cursors of a connection', () => {
  it("are made for pageInfo's two ends, and for other edges only when read, once each", async () => {
    const encode = vi.mocked(cursorModule.encodeCursor);
    encode.mockClear();
    const page = await connection();
    expect(page.edges).toHaveLength(50);
    expect(encode).toHaveBeenCalledTimes(2);
    const end = page.pageInfo.endCursor;
    // The last edge's cursor is pageInfo's, made once.
    expect(page.edges[49]?.cursor).toBe(end);
    expect(encode).toHaveBeenCalledTimes(2);
    const tenth = page.edges[9]?.cursor;
    expect(page.edges[9]?.cursor).toBe(tenth);
    expect(encode).toHaveBeenCalledTimes(3);
    expect(cursorModule.decodeCursor(end ?? '', 'fp', 'after', 'secret')).toEqual({
      offset: 49,
      anchor: 'u49',
    });
    expect(cursorModule.decodeCursor(tenth ?? '', 'fp', 'after', 'secret')).toEqual({
      offset: 9,
      anchor: 'u9',
    });
  });
});
