// How the upstream steps hear that a caller went away. A request's signal is the client's
// (context.ts); a call shared by several requests (dedupe) has a signal of its own that aborts when
// its last caller left. Both are CallerSignals: the part of AbortSignal the steps use.

export interface CallerSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** Told once when the caller it watches goes away. */
export interface CallerWatcher {
  callerGone(reason: unknown): void;
}

const watchersBySignal = new WeakMap<CallerSignal, Set<CallerWatcher>>();

/**
 * The watchers of a caller's signal, told behind one listener on it. A listener per call would
 * cost an add and a remove that walk the signal's whole listener list (a request with 50 calls in
 * flight has 50). Add a watcher while the signal has not aborted; delete it when its call ends.
 */
export function watchersOf(signal: CallerSignal): Set<CallerWatcher> {
  let watchers = watchersBySignal.get(signal);
  if (watchers === undefined) {
    const created = new Set<CallerWatcher>();
    signal.addEventListener(
      'abort',
      () => {
        for (const watcher of created) watcher.callerGone(signal.reason);
        created.clear();
      },
      { once: true },
    );
    watchersBySignal.set(signal, created);
    watchers = created;
  }
  return watchers;
}

/**
 * The signal of a call shared by several callers, aborted by its owner once the last caller left.
 * Not an AbortController: Node 20 spends microseconds making one (its signal is an EventTarget),
 * and every shared call had one. Its listeners are few (the watchers' one, a step's wait).
 */
export class SharedCallSignal implements CallerSignal {
  private abortedWith: { reason: unknown } | undefined;
  private listeners: (() => void)[] | undefined;

  get aborted(): boolean {
    return this.abortedWith !== undefined;
  }

  get reason(): unknown {
    return this.abortedWith?.reason;
  }

  /** Listeners are called once, on abort (`once` is therefore implied). */
  addEventListener(_type: 'abort', listener: () => void): void {
    (this.listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const at = this.listeners?.indexOf(listener) ?? -1;
    if (at !== -1) this.listeners?.splice(at, 1);
  }

  abort(reason: unknown): void {
    if (this.abortedWith !== undefined) return;
    this.abortedWith = { reason };
    const listeners = this.listeners ?? [];
    this.listeners = undefined;
    for (const listener of listeners) listener();
  }
}
