// The users API's page maximum as learned at run time, and the rules for changing it.
//
// The contract: the upstream may clamp `page_size` to its own maximum and the echoed `page_size` is
// the truth. Within one `users` call that truth is used as is (connection.ts). Across calls it is
// remembered here, because planning with a maximum that is too large costs an extra request per
// window. But one answer is weak evidence: a proxy, a misbehaving upstream or a hostile one can
// echo `page_size: 1` once, and planning every later window of every tenant with pages of 1 would
// cost up to 100 requests each, until restart. Hence:
// - evidence: an answer that echoes a smaller size than asked, for the page asked, with a full
//   page of rows and more rows after it. A final partial page is never evidence (some servers
//   echo the number of rows they sent).
// - learning: the same size from two different requests (a cached or deduped answer is the same
//   request, so it cannot confirm itself).
// - floor: nothing below `floor` is ever learned, whatever the evidence.
// - recovery: an answer with more rows than the learned maximum refutes it; and once every
//   `probeAfterMs` one planner gets the configured maximum again, so that an upstream whose limit
//   was raised (or a maximum learned from two bad answers) is found out.
//
// No I/O and no clock: callers pass `now`.
import type { PageRequest } from './planner.js';

/** One users-list answer as it was asked and as it came back. */
export interface AnsweredPage {
  /** Identifies the request (list, page, size): two answers of one request are one piece of evidence. */
  source: string;
  asked: PageRequest;
  /** Echoed page number and page size. */
  page: number;
  pageSize: number;
  /** Rows in the answer. */
  rows: number;
  totalItems: number;
}

export interface PageMaximumOptions {
  /** USERS_API_MAX_PAGE_SIZE: the maximum as far as the operator knows it, and the ceiling. */
  configured: number;
  /** Lowest maximum that may be learned. Default: 10, or `configured` when smaller. */
  floor?: number;
  /** How long a learned maximum stands before the configured one is tried again. Default 10 min. */
  probeAfterMs?: number;
}

const DEFAULT_FLOOR = 10;
const DEFAULT_PROBE_AFTER_MS = 10 * 60_000;

export class PageMaximum {
  readonly configured: number;
  readonly floor: number;
  private readonly probeAfterMs: number;
  private learned: number | undefined;
  /** A clamp seen once, waiting for a second request to confirm it. */
  private candidate: { size: number; source: string } | undefined;
  private nextProbeAt = Infinity;

  constructor(options: PageMaximumOptions) {
    const { configured } = options;
    if (!Number.isSafeInteger(configured) || configured < 1) {
      throw new RangeError(`PageMaximum: configured must be a positive integer, got ${configured}`);
    }
    const floor = options.floor ?? Math.min(DEFAULT_FLOOR, configured);
    if (!Number.isSafeInteger(floor) || floor < 1 || floor > configured) {
      throw new RangeError(
        `PageMaximum: floor must be an integer in [1, configured], got ${floor}`,
      );
    }
    this.configured = configured;
    this.floor = floor;
    this.probeAfterMs = options.probeAfterMs ?? DEFAULT_PROBE_AFTER_MS;
  }

  /** The maximum as believed now (no side effect). */
  get current(): number {
    return this.learned ?? this.configured;
  }

  /**
   * The maximum to plan one `users` call with. When a probe is due, this one call gets the
   * configured maximum (and the next probe is scheduled), so a recovery costs at most one extra
   * request of one call per interval.
   */
  planningSize(now: number): number {
    if (this.learned !== undefined && now >= this.nextProbeAt) {
      this.nextProbeAt = now + this.probeAfterMs;
      return this.configured;
    }
    return this.current;
  }

  observe(answer: AnsweredPage, now: number): void {
    if (this.learned !== undefined && answer.rows > this.learned) {
      // The upstream served more rows than the learned maximum allows: it was wrong, or is no more.
      this.learned = undefined;
      this.nextProbeAt = Infinity;
    }
    const size = clampEvidence(answer);
    if (size === undefined) return;
    const candidate = this.candidate;
    if (candidate === undefined || candidate.size !== size) {
      this.candidate = { size, source: answer.source };
      return;
    }
    if (candidate.source === answer.source) return;
    this.candidate = undefined;
    const learned = Math.max(size, this.floor);
    this.learned = learned < this.configured ? learned : undefined;
    this.nextProbeAt = this.learned === undefined ? Infinity : now + this.probeAfterMs;
  }
}

/** The maximum an answer shows the upstream clamped to, when it shows one unambiguously. */
export function clampEvidence(answer: AnsweredPage): number | undefined {
  const { asked, page, pageSize, rows, totalItems } = answer;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize >= asked.pageSize) {
    return undefined;
  }
  // Another page than asked: the answer is inconsistent, not a clamp.
  if (page !== asked.page) return undefined;
  // A full page with rows after it: the page was cut by its size, not by the list's end.
  const fullPage = rows === pageSize;
  const rowsFollow = Number.isSafeInteger(totalItems) && page * pageSize < totalItems;
  return fullPage && rowsFollow ? pageSize : undefined;
}
