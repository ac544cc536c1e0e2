// The rows and totals one paginate call gathers from the upstream's answers (state local to that
// call): where each row sits, which offsets an answer covered, what the total was then, and the
// planning size, lowered when an echo reveals that the upstream clamps its pages.
import type { CursorPosition } from './cursor.js';
import { planWindow, type PageRequest } from './planner.js';

/** One upstream page as answered: `page` and `pageSize` are the echoed (effective) values. */
export interface FetchedPage<T> {
  items: T[];
  page: number;
  pageSize: number;
  totalItems: number;
}

/** What an answer said, without its rows. */
export interface AnswerSummary {
  page: number;
  pageSize: number;
  rows: number;
  totalItems: number;
}

/** What FetchedRows needs of the caller (a part of PaginateOptions). */
export interface RowSource<T> {
  /** Identical requests are deduped by the caller (a DataLoader); called in parallel. */
  fetchPage(request: PageRequest): Promise<FetchedPage<T>>;
  idOf(item: T): string;
  /** As known; the echoed pageSize may reveal a smaller one. */
  upstreamMaxPageSize: number;
  /** A clamp within this call lowers the planning size to no less than this. Default 1. */
  minPageSize?: number | undefined;
  /** Called for every answer, in request order, e.g. to learn the upstream maximum across calls. */
  onAnswer?(request: PageRequest, answer: AnswerSummary): void;
}

/** Offsets [start, end). */
export interface Range {
  start: number;
  end: number;
}

/** Enough for a clamp discovered in each of a few rounds; stops a misbehaving upstream. */
const MAX_FETCH_ROUNDS = 4;

interface Row<T> {
  node: T;
  id: string;
}

/** What the upstream said about one page: offsets [base, base+size) and the total then. */
interface Answer {
  base: number;
  size: number;
  total: number;
}

/** The rows and totals gathered while answering one paginate call (state local to that call). */
export class FetchedRows<T> {
  private readonly byOffset = new Map<number, Row<T>>();
  private readonly answers: Answer[] = [];
  /** Planning size for this call; lowered when an echo reveals clamping. */
  maxPageSize: number;

  constructor(private readonly options: RowSource<T>) {
    this.maxPageSize = options.upstreamMaxPageSize;
  }

  has(offset: number): boolean {
    return this.byOffset.has(offset);
  }

  get(offset: number): Row<T> | undefined {
    return this.byOffset.get(offset);
  }

  /** Fetches in parallel; answers are recorded in request order so the last one is the latest. */
  async fetch(requests: PageRequest[]): Promise<void> {
    const answered = await Promise.all(
      requests.map(async (request) => ({ request, page: await this.options.fetchPage(request) })),
    );
    for (const { request, page } of answered) this.record(request, page);
  }

  private record(request: PageRequest, page: FetchedPage<T>): void {
    // The echo is the truth (the upstream may clamp); a nonsensical echo is not.
    const size = isPositiveInteger(page.pageSize) ? page.pageSize : request.pageSize;
    const number = isPositiveInteger(page.page) ? page.page : request.page;
    if (size < request.pageSize && size < this.maxPageSize) {
      this.maxPageSize = Math.max(size, this.options.minPageSize ?? 1);
    }
    this.options.onAnswer?.(request, {
      page: number,
      pageSize: size,
      rows: page.items.length,
      totalItems: page.totalItems,
    });
    const base = (number - 1) * size;
    // Later answers overwrite earlier ones: they are at least as fresh.
    const count = Math.min(page.items.length, size);
    for (let i = 0; i < count; i++) {
      const node = page.items[i];
      if (node !== undefined) this.byOffset.set(base + i, { node, id: this.options.idOf(node) });
    }
    this.answers.push({ base, size, total: page.totalItems });
  }

  /**
   * Fetches the rows of `window` no answer covered: after a clamp (pages came back smaller) or a
   * drift shift. Rows inside a covered page that came back empty do not exist and are not asked
   * again.
   */
  async fill(window: Range): Promise<void> {
    for (let round = 0; round < MAX_FETCH_ROUNDS; round++) {
      let start = -1;
      let end = -1;
      for (let offset = window.start; offset < window.end; offset++) {
        if (!this.covered(offset)) {
          if (start < 0) start = offset;
          end = offset + 1;
        }
      }
      if (start < 0) return;
      await this.fetch(planWindow(start, end - start, this.maxPageSize));
    }
  }

  private covered(offset: number): boolean {
    return this.answers.some((a) => offset >= a.base && offset < a.base + a.size);
  }

  /** The cursor's offset now: where its anchor is among the fetched rows, else as it was. */
  locate(cursor: CursorPosition): number {
    if (this.byOffset.get(cursor.offset)?.id === cursor.anchor) return cursor.offset;
    let found = cursor.offset;
    let distance = Infinity;
    for (const [offset, row] of this.byOffset) {
      const d = Math.abs(offset - cursor.offset);
      // Ties go to the smaller offset so the answer does not depend on fetch order.
      if (row.id === cursor.anchor && (d < distance || (d === distance && offset < found))) {
        found = offset;
        distance = d;
      }
    }
    return found;
  }

  latestTotal(): number {
    return this.answers[this.answers.length - 1]?.total ?? 0;
  }

  /** The total as seen by the latest answer covering `offset` (else by the latest answer). */
  totalAt(offset: number): number {
    for (let i = this.answers.length - 1; i >= 0; i--) {
      const a = this.answers[i];
      if (a !== undefined && offset >= a.base && offset < a.base + a.size) return a.total;
    }
    return this.latestTotal();
  }
}

function isPositiveInteger(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0;
}
