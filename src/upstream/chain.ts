// The upstream layer is a chain of small steps in the shape of undici's `Dispatcher.compose`
// interceptors: a step takes the next `send` and returns its own. Each policy is one step in one
// file under steps/; the chain of an upstream is composed once (upstreams.ts), and its order is
// drawn in README.md (a test keeps the two equal).
import type { z } from 'zod';
import { UpstreamError } from '../errors.js';
import type { UpstreamName } from '../errors.js';
import type { Call } from './call.js';

export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** An answer as read off the wire; only `decode` (inside the transport) ever sees one. */
export interface RawResponse {
  status: number;
  contentType: string;
  requestId: string | undefined;
  body: string;
  headers: ResponseHeaders;
}

/** The cross-request cache may keep the value; what it reads back is checked against `schema`. */
export interface CacheDirective<T> {
  readonly schema: z.ZodType<T>;
  /** A 404 is this call's answer (an unknown user, no card): remembered like a value. */
  readonly notFoundIsAnswer: boolean;
}

export interface UpstreamRequest<T> {
  readonly method: 'GET' | 'PUT';
  /** Path under the base URL; every dynamic segment already encoded by the caller. */
  readonly path: string;
  /** Route template, e.g. /accounts/:account_id/users: ids are never metric labels. */
  readonly route: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /**
   * A 2xx answer -> the value; throws (`malformed`) on anything unexpected. Runs in the transport,
   * so a raw body (the vcard document carries secrets) never travels up the chain.
   */
  readonly decode: (response: RawResponse) => T;
  /** Absent: never cached. */
  readonly cache?: CacheDirective<T>;
  /** Set by the retry step: 1 for the first attempt. */
  readonly attempt?: number;
  /** Set by the deadline step: stops this attempt (its timeout, or the client went away). */
  readonly stop?: AttemptStop;
}

/** What an attempt's stop tells: the transport, which then drops the call. */
export interface StopListener {
  onStop(): void;
}

/**
 * An attempt's abort, as small as it can be: stopped once with a reason, heard by one listener.
 * Not an AbortController: Node 20 spends microseconds making one (its signal is an EventTarget),
 * and every upstream attempt has one.
 */
export class AttemptStop {
  private stoppedWith: { reason: unknown } | undefined;
  private listener: StopListener | undefined;

  get stopped(): boolean {
    return this.stoppedWith !== undefined;
  }

  /** Why it was stopped (undefined while it was not). */
  get reason(): unknown {
    return this.stoppedWith?.reason;
  }

  stop(reason: unknown): void {
    if (this.stoppedWith !== undefined) return;
    this.stoppedWith = { reason };
    const listener = this.listener;
    this.listener = undefined;
    listener?.onStop();
  }

  /** The one listener (a later one replaces it); `undefined` removes it. */
  listen(listener: StopListener | undefined): void {
    this.listener = listener;
  }
}

interface ReplyBase {
  readonly status: number;
  readonly headers: ResponseHeaders;
  readonly requestId: string | undefined;
  /** Attempts it took (1 without retries; 0 when answered from the cache). */
  readonly attempts: number;
}

/**
 * Every HTTP status comes back as a value (a 404 is not an exception): `ok` for a decoded 2xx,
 * not ok for anything else (3xx, 4xx, 5xx, a 304 the cache step turns into its kept value).
 * No answer at all (timeout, reset, unreadable or oversized body) is a thrown UpstreamError.
 */
export type Reply<T> =
  | (ReplyBase & { readonly ok: true; readonly value: T; readonly size: number })
  | (ReplyBase & { readonly ok: false });

export type Send = <T>(req: UpstreamRequest<T>, call: Call) => Promise<Reply<T>>;
export type Step = (next: Send) => Send;

export type StepName =
  | 'auth'
  | 'cache'
  | 'retry'
  | 'observe'
  | 'deadline'
  | 'breaker'
  | 'transport'
  | 'call-cap'
  | 'dedupe'
  | 'backoff'
  | 'fair-share'
  | 'budget';

export interface Link {
  readonly name: StepName;
  readonly step: Step;
}

export interface Chain {
  readonly send: Send;
  /** Outermost first, `transport` last: what README.md draws. */
  readonly names: readonly StepName[];
}

/** `links` outermost first; an absent link (a policy turned off) is left out. */
export function compose(links: readonly (Link | undefined)[], transport: Send): Chain {
  const present = links.filter((link): link is Link => link !== undefined);
  let send = transport;
  for (let i = present.length - 1; i >= 0; i--) {
    const link = present[i];
    if (link !== undefined) send = link.step(send);
  }
  return { send, names: [...present.map((l) => l.name), 'transport'] };
}

/** The value of an ok reply; any other status is the UpstreamError the client sees. */
export function valueOf<T>(upstream: UpstreamName, reply: Reply<T>): T {
  if (reply.ok) return reply.value;
  throw statusError(upstream, reply);
}

export function statusError(upstream: UpstreamName, reply: Reply<unknown>): UpstreamError {
  return new UpstreamError(
    upstream,
    { kind: 'status', status: reply.status },
    reply.requestId,
    Math.max(1, reply.attempts),
  );
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function queryString(query: UpstreamRequest<unknown>['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}
