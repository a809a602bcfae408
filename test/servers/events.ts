// Waiting on what the server reports, with a deadline instead of a fixed sleep.
import type { InvocationSummary } from '../../lib/servers/index.js';

/** Collects values and lets a test wait until one (or several) of them match. */
export class Recorder<T> {
  readonly values: T[] = [];
  readonly #waiters = new Set<() => void>();

  /** Records a value and wakes the waiters. */
  readonly push = (value: T): void => {
    this.values.push(value);
    for (const wake of [...this.#waiters]) wake();
  };

  /** Resolves with the values matching `predicate` once there are `count` of them; rejects after `timeoutMs`. */
  waitFor(predicate: (value: T) => boolean, count = 1, timeoutMs = 60_000): Promise<T[]> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const matching = this.values.filter(predicate);
        if (matching.length < count) return false;
        this.#waiters.delete(wake);
        clearTimeout(timer);
        resolve(matching);
        return true;
      };
      const wake = (): void => void check();
      const timer = setTimeout(() => {
        this.#waiters.delete(wake);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${count} matching value(s); have ${this.values.filter(predicate).length}`));
      }, timeoutMs);
      this.#waiters.add(wake);
      check();
    });
  }
}

/** A recorder of invocation summaries. */
export type SummaryRecorder = Recorder<InvocationSummary>;
