// One service credential shared by every request that brings none of its own: fetched once for
// all concurrent callers (single flight), renewed ahead of its expiry, dropped when the upstream
// refuses it. The fetch runs on its own timeout: a caller whose deadline passes stops waiting, but
// the fetch goes on for the callers that come next, so one hurried client cannot waste a token.
import { UpstreamError } from '../../errors.js';
import type { UpstreamName } from '../../errors.js';
import type { CallerSignal } from '../caller-signal.js';
import type { TokenSource } from '../tokens.js';

/** What an issuer hands out. */
export interface IssuedToken {
  /** The header value to send upstream (`Bearer …` for the users API, the bare token for vcard). */
  value: string;
  /** `expires_in` as the issuer said it; undefined: valid until the upstream refuses it. */
  lifetimeSeconds?: number | undefined;
}

/** One fetch: its own timeout (`signal`), and the request id of the caller that started it. */
export interface FetchContext {
  signal: AbortSignal;
  requestId: string;
}

/** Gets one token; rejects with UpstreamError. */
export type FetchToken = (context: FetchContext) => Promise<IssuedToken>;

/** The caller, as far as a token source cares: how long it is willing to wait. */
export interface Caller {
  readonly requestId: string;
  /** The request's deadline (epoch ms) and its client's signal; the fetch obeys neither. */
  readonly deadline: { readonly at: number; readonly signal?: CallerSignal | undefined };
}

export interface TokenCacheOptions {
  upstream: UpstreamName;
  /** Bound of one fetch, all its HTTP exchanges included, whoever waits for it. */
  timeoutMs: number;
  /**
   * After a failed fetch, callers get the same error for this long instead of a new fetch each:
   * an endpoint that is down or refusing is not hammered by every incoming request. Default 1000.
   */
  failureHoldMs?: number;
}

// Stop sending a token a little before the issuer's expiry: the request still has to travel, and
// the clocks of the two ends differ. Renew it earlier still, in the background, so no caller waits.
const EXPIRY_SKEW_MAX_MS = 5_000;
const EXPIRY_SKEW_SHARE = 0.05;
const RENEW_AHEAD_MAX_MS = 60_000;
const RENEW_AHEAD_SHARE = 0.2;

export interface Held {
  value: string;
  /** From here on, a caller still gets this token but starts a renewal. */
  renewAt: number;
  /** From here on, callers wait for a new token. */
  expiresAt: number;
}

export class TokenCache implements TokenSource {
  private held: Held | undefined;
  private inflight: Promise<Held> | undefined;
  private failure: { error: Error; until: number } | undefined;
  private readonly failureHoldMs: number;

  constructor(
    private readonly fetchToken: FetchToken,
    private readonly options: TokenCacheOptions,
  ) {
    this.failureHoldMs = options.failureHoldMs ?? 1_000;
  }

  /** The header value to send; concurrent callers share one fetch. */
  token(caller: Caller): Promise<string> {
    const now = Date.now();
    const held = this.held;
    const failed =
      this.failure !== undefined && now < this.failure.until ? this.failure : undefined;
    if (held !== undefined && now < held.expiresAt) {
      // A renewal that fails is not this caller's problem: the token in hand still works.
      if (now >= held.renewAt && failed === undefined) {
        this.renew(caller.requestId).catch(() => undefined);
      }
      return Promise.resolve(held.value);
    }
    if (failed !== undefined && this.inflight === undefined) return Promise.reject(failed.error);
    return waitFor(this.renew(caller.requestId), caller.deadline, this.options.upstream).then(
      (h) => h.value,
    );
  }

  /**
   * The upstream answered 401 to `stale`: the next `token()` fetches anew, unless a newer token
   * is already held. True: asking again can give another token.
   */
  invalidate(stale: string): boolean {
    if (this.held?.value === stale) this.held = undefined;
    return true;
  }

  private renew(requestId: string): Promise<Held> {
    this.inflight ??= this.fetchOnce(requestId).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async fetchOnce(requestId: string): Promise<Held> {
    const started = Date.now();
    // A controller passed to its own timer, not AbortSignal.timeout(): on Node 20 a timeout signal
    // nothing else holds can be collected and never fire (nodejs/node#57736; see steps/deadline.ts).
    const controller = new AbortController();
    const timer = setTimeout(timeUp, this.options.timeoutMs, controller);
    try {
      const issued = await this.fetchToken({ signal: controller.signal, requestId });
      const held = holdFrom(issued, started);
      this.held = held;
      this.failure = undefined;
      return held;
    } catch (error) {
      const failure = error instanceof Error ? error : new Error('token fetch failed');
      this.failure = { error: failure, until: Date.now() + this.failureHoldMs };
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }
}

function timeUp(controller: AbortController): void {
  controller.abort();
}

/** Expiry times counted from when the request was sent, so latency never makes a token look fresher. */
export function holdFrom(issued: IssuedToken, sentAt: number): Held {
  const seconds = issued.lifetimeSeconds;
  if (seconds === undefined || !Number.isFinite(seconds)) {
    return { value: issued.value, renewAt: Infinity, expiresAt: Infinity };
  }
  // Whole milliseconds: the comparisons stay exact.
  const lifetime = Math.floor(Math.max(0, seconds) * 1000);
  const ahead = Math.ceil(Math.min(RENEW_AHEAD_MAX_MS, lifetime * RENEW_AHEAD_SHARE));
  const skew = Math.ceil(Math.min(EXPIRY_SKEW_MAX_MS, lifetime * EXPIRY_SKEW_SHARE));
  return {
    value: issued.value,
    renewAt: sentAt + lifetime - ahead,
    expiresAt: sentAt + lifetime - skew,
  };
}

/** `work`, or a timeout error for this caller alone when its deadline passes or it goes away. */
function waitFor<T>(
  work: Promise<T>,
  wait: Caller['deadline'],
  upstream: UpstreamName,
): Promise<T> {
  const remaining = wait.at - Date.now();
  const late = (): UpstreamError => new UpstreamError(upstream, { kind: 'timeout' });
  if (remaining <= 0 || wait.signal?.aborted === true) return Promise.reject(late());
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => settle(() => reject(late())), remaining);
    const onAbort = (): void => settle(() => reject(late()));
    wait.signal?.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error)),
    );
    function settle(done: () => void): void {
      clearTimeout(timer);
      wait.signal?.removeEventListener('abort', onAbort);
      done();
    }
  });
}
