/** A timer that can be cancelled without an exception: see {@link delay}. */
export interface Delay<T> {
  /** Settles with the value after the time, or with `undefined` once cancelled. */
  readonly promise: Promise<T | undefined>;
  readonly cancel: () => void;
}

/**
 * Settles with `value` after `ms`, unless cancelled first. Unlike a timer from
 * `node:timers/promises` with an AbortSignal, cancelling throws nothing: on the invoke path,
 * where every invocation cancels its deadline, building AbortErrors was a measurable cost.
 */
export function delay<T>(ms: number, value: T): Delay<T> {
  let settle!: (result: T | undefined) => void;
  const promise = new Promise<T | undefined>((resolve) => {
    settle = resolve;
  });
  const timer = setTimeout(() => settle(value), ms);
  return {
    promise,
    cancel: () => {
      clearTimeout(timer);
      settle(undefined);
    },
  };
}
