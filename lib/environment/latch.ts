/**
 * Something that happens at most once (a process exits, an extension breaks the environment),
 * with listeners that can be taken back. Unlike a long-lived promise, which keeps every
 * reaction added to it (and whatever their closures hold) until it settles, a wait that is
 * given up leaves nothing behind.
 */
export class Latch<T> {
  #happened: { readonly value: T } | undefined;
  readonly #listeners = new Set<(value: T) => void>();

  /** Whether it has happened. */
  get happened(): boolean {
    return this.#happened !== undefined;
  }

  /** Makes it happen with `value`; later calls do nothing. */
  fire(value: T): void {
    if (this.#happened !== undefined) return;
    this.#happened = { value };
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const listener of listeners) listener(value);
  }

  /**
   * Settles with the value when it happens (at once if it has). Once `signal` aborts, the wait
   * is dropped: the promise then never settles and is collected with whatever awaited it.
   */
  wait(signal: AbortSignal): Promise<T> {
    const happened = this.#happened;
    if (happened !== undefined) return Promise.resolve(happened.value);
    return new Promise<T>((resolve) => {
      if (signal.aborted) return;
      const listener = (value: T): void => {
        signal.removeEventListener('abort', drop);
        resolve(value);
      };
      const drop = (): void => {
        this.#listeners.delete(listener);
      };
      this.#listeners.add(listener);
      signal.addEventListener('abort', drop, { once: true });
    });
  }
}
