import { setTimeout as sleep } from 'node:timers/promises';

/**
 * How asynchronous (`Event`) invocations are retried, as Lambda does: twice after a
 * function error, waiting one then two minutes; throttled ones with a backoff from one
 * second to five minutes, until the event is six hours old.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
 */
export interface AsyncRetryOptions {
  /** The waits before each retry after a function error; its length is the number of retries. @default [60_000, 120_000] */
  readonly functionErrorDelaysMs?: readonly number[];
  /** The first wait after a throttled attempt; it doubles up to {@link MAX_THROTTLE_DELAY_MS}. @default 1000 */
  readonly throttleDelayMs?: number;
  /** An event older than this is dropped instead of retried. @default 6 hours */
  readonly maxEventAgeMs?: number;
}

/** How one attempt ended. */
export type AsyncAttemptOutcome = 'success' | 'error' | 'throttled';

/** Why an event was given up. */
export type AsyncDropReason = 'retries-exhausted' | 'max-event-age';

/** Options of {@link AsyncInvoker}. */
export interface AsyncInvokerOptions<Job> extends AsyncRetryOptions {
  /** Runs one attempt (1 for the first) and says how it ended; a rejection counts as an error. */
  readonly attempt: (job: Job, attempt: number) => Promise<AsyncAttemptOutcome>;
  /** Told when an event is given up. */
  readonly onDropped?: (job: Job, reason: AsyncDropReason) => void;
}

const DEFAULT_FUNCTION_ERROR_DELAYS_MS: readonly number[] = [60_000, 120_000];
const DEFAULT_THROTTLE_DELAY_MS = 1_000;
export const MAX_THROTTLE_DELAY_MS = 300_000;
const DEFAULT_MAX_EVENT_AGE_MS = 6 * 60 * 60 * 1000;

/** Runs `Event` invocations in the background with Lambda's retries. */
export class AsyncInvoker<Job> {
  readonly #options: AsyncInvokerOptions<Job>;
  readonly #stop = new AbortController();
  readonly #running = new Set<Promise<void>>();
  #closing: Promise<void> | undefined;

  constructor(options: AsyncInvokerOptions<Job>) {
    this.#options = options;
  }

  /** Events accepted and not yet done (running or waiting to be retried). */
  get pending(): number {
    return this.#running.size;
  }

  /** Accepts an event; it runs at once, in the background. */
  enqueue(job: Job): void {
    if (this.#closing !== undefined) return;
    const run = this.#process(job).finally(() => this.#running.delete(run));
    this.#running.add(run);
  }

  async #process(job: Job): Promise<void> {
    const signal = this.#stop.signal;
    const errorDelays = this.#options.functionErrorDelaysMs ?? DEFAULT_FUNCTION_ERROR_DELAYS_MS;
    const maxEventAgeMs = this.#options.maxEventAgeMs ?? DEFAULT_MAX_EVENT_AGE_MS;
    const acceptedAt = Date.now();
    let throttleDelayMs = this.#options.throttleDelayMs ?? DEFAULT_THROTTLE_DELAY_MS;
    let attempt = 0;
    let errors = 0;
    while (!signal.aborted) {
      attempt += 1;
      let outcome: AsyncAttemptOutcome;
      try {
        outcome = await this.#options.attempt(job, attempt);
      } catch {
        outcome = 'error';
      }
      if (outcome === 'success') return;
      let delayMs: number;
      if (outcome === 'throttled') {
        // A throttled attempt never ran: it does not count as one of the retries.
        attempt -= 1;
        delayMs = throttleDelayMs;
        throttleDelayMs = Math.min(throttleDelayMs * 2, MAX_THROTTLE_DELAY_MS);
      } else {
        errors += 1;
        const next = errorDelays[errors - 1];
        if (next === undefined) {
          this.#options.onDropped?.(job, 'retries-exhausted');
          return;
        }
        delayMs = next;
      }
      if (Date.now() + delayMs - acceptedAt > maxEventAgeMs) {
        this.#options.onDropped?.(job, 'max-event-age');
        return;
      }
      try {
        await sleep(delayMs, undefined, { signal });
      } catch {
        return;
      }
    }
  }

  /** Cancels every wait for a retry and waits for the attempts under way; idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#stop.abort();
      await Promise.allSettled([...this.#running]);
    })();
    return this.#closing;
  }
}
