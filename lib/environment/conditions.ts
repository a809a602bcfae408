/** Resolves when `predicate` holds, re-checked each time {@link Conditions.check} is called. */
export class Conditions {
  readonly #waiting = new Set<{ predicate: () => boolean; resolve: () => void }>();

  when(predicate: () => boolean): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.add({ predicate, resolve }));
  }

  check(): void {
    for (const waiter of this.#waiting) {
      if (waiter.predicate()) {
        this.#waiting.delete(waiter);
        waiter.resolve();
      }
    }
  }
}
