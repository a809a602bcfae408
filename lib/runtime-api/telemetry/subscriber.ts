import { setTimeout as sleep } from 'node:timers/promises';
import type { BatchSender } from './batch-sender.js';
import { shapeEvent } from './event-shape.js';
import type { SubscriptionApi, SubscriptionRequest } from './subscription-request.js';
import { categoryOf, type TelemetryCategory, type TelemetryEvent } from './telemetry-event.js';

/** How a failed delivery is retried. */
export interface RetryPolicy {
  /** Wait before the first retry; doubled after each failure. */
  readonly initialDelayMs: number;
  /** The longest wait between two attempts. */
  readonly maxDelayMs: number;
  /** Attempts at one batch before its events are counted as dropped. */
  readonly maxAttempts: number;
}

/**
 * Lambda retries with backoff while there is no listener or it answers with an error; these
 * numbers are cdk-local's (the service does not publish its own): about 6.5 s per batch.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { initialDelayMs: 100, maxDelayMs: 1000, maxAttempts: 10 };

/** The reason `platform.logsDropped` gives, as the Logs API documentation shows it. */
export const LOGS_DROPPED_REASON = 'Consumer seems to have fallen behind as it has not acknowledged receipt of logs.';

/** Options of {@link Subscriber}. */
export interface SubscriberOptions {
  /** The subscribing extension's name. */
  readonly name: string;
  readonly request: SubscriptionRequest;
  readonly sender: BatchSender;
  readonly now: () => Date;
  readonly retry: RetryPolicy;
}

interface PendingEvent {
  readonly text: string;
  readonly bytes: number;
}

/**
 * One subscription's buffer and delivery (docs/conformance.md J.53, J.58): events of the
 * subscribed types are batched until maxItems, maxBytes, or timeoutMs after the batch's
 * first event; one batch is in flight at a time, retried with backoff. While a batch is
 * not taken and the next one is already full, new events are dropped and the next batch
 * that goes says so with `platform.logsDropped`.
 */
export class Subscriber {
  readonly name: string;
  readonly request: SubscriptionRequest;
  readonly #types: ReadonlySet<TelemetryCategory>;
  readonly #sender: BatchSender;
  readonly #now: () => Date;
  readonly #retry: RetryPolicy;
  readonly #abort = new AbortController();
  #pending: PendingEvent[] = [];
  #pendingBytes = 0;
  #timer: NodeJS.Timeout | undefined;
  /** The batch timer fired while a delivery was under way: send as soon as it ends. */
  #due = false;
  #delivery: Promise<void> | undefined;
  #droppedRecords = 0;
  #droppedBytes = 0;
  /** Flushes waiting: while any is, whatever is buffered goes without waiting for the timer. */
  #flushing = 0;
  readonly #idleWaiters = new Set<() => void>();

  constructor(options: SubscriberOptions) {
    this.name = options.name;
    this.request = options.request;
    this.#types = new Set(options.request.types);
    this.#sender = options.sender;
    this.#now = options.now;
    this.#retry = options.retry;
  }

  /** Which API the subscription came through. */
  get api(): SubscriptionApi {
    return this.request.api;
  }

  /** Takes one published event: keeps it if its type is subscribed, in the API's own form. */
  accept(event: TelemetryEvent): void {
    if (this.#abort.signal.aborted || !this.#types.has(categoryOf(event.type))) return;
    for (const shaped of shapeEvent(this.request.api, this.request.schemaVersion, event)) this.#enqueue(shaped);
  }

  /** Sends whatever is buffered now and resolves when nothing is left or in flight, or when `signal` aborts. */
  async flush(signal: AbortSignal): Promise<void> {
    if (this.#abort.signal.aborted) return;
    this.#flushing += 1;
    try {
      if (this.#delivery === undefined && this.#hasSomethingToSend()) this.#sendNow();
      await this.#whenIdle(signal);
    } finally {
      this.#flushing -= 1;
    }
  }

  /** Stops for good: clears the timer, aborts the delivery in flight, drops the sockets. Idempotent. */
  async close(): Promise<void> {
    if (!this.#abort.signal.aborted) {
      this.#abort.abort();
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#sender.close();
      this.#pending = [];
      this.#pendingBytes = 0;
      this.#notifyIdle(true);
    }
    await this.#delivery;
  }

  get #full(): boolean {
    const { maxItems, maxBytes } = this.request.buffering;
    return this.#pending.length >= maxItems || this.#pendingBytes >= maxBytes;
  }

  #enqueue(event: TelemetryEvent): void {
    const text = JSON.stringify(event);
    const bytes = Buffer.byteLength(text);
    if (this.#delivery !== undefined && this.#full) {
      // The listener has not taken the last batch and the next is full: drop rather than
      // let the buffer grow, as Lambda does to keep memory bounded.
      this.#droppedRecords += 1;
      this.#droppedBytes += bytes;
      return;
    }
    this.#pending.push({ text, bytes });
    this.#pendingBytes += bytes;
    if (this.#delivery === undefined && (this.#full || this.#flushing > 0)) this.#sendNow();
    else this.#startTimer();
  }

  #startTimer(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#delivery === undefined) this.#sendNow();
      else this.#due = true;
    }, this.request.buffering.timeoutMs);
  }

  #hasSomethingToSend(): boolean {
    return this.#pending.length > 0 || (this.#droppedRecords > 0 && this.#types.has('platform'));
  }

  #sendNow(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#due = false;
    const batch = this.#pending.map((event) => event.text);
    this.#pending = [];
    this.#pendingBytes = 0;
    if (this.#droppedRecords > 0) {
      if (this.#types.has('platform')) batch.push(JSON.stringify(this.#logsDroppedEvent()));
      this.#droppedRecords = 0;
      this.#droppedBytes = 0;
    }
    if (batch.length === 0) {
      this.#notifyIdle();
      return;
    }
    this.#delivery = this.#deliver(batch).finally(() => {
      this.#delivery = undefined;
      this.#afterDelivery();
    });
  }

  #logsDroppedEvent(): TelemetryEvent {
    return {
      time: this.#now().toISOString(),
      type: 'platform.logsDropped',
      record: { droppedBytes: this.#droppedBytes, droppedRecords: this.#droppedRecords, reason: LOGS_DROPPED_REASON },
    };
  }

  async #deliver(batch: readonly string[]): Promise<void> {
    const signal = this.#abort.signal;
    let delayMs = this.#retry.initialDelayMs;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.#sender.send(batch, signal);
        return;
      } catch {
        if (signal.aborted) return;
        if (attempt >= this.#retry.maxAttempts) {
          this.#droppedRecords += batch.length;
          this.#droppedBytes += batch.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
          return;
        }
      }
      try {
        await sleep(delayMs, undefined, { signal });
      } catch {
        return;
      }
      delayMs = Math.min(delayMs * 2, this.#retry.maxDelayMs);
    }
  }

  #afterDelivery(): void {
    if (this.#abort.signal.aborted) return;
    const flushing = this.#flushing > 0;
    if (this.#pending.length > 0 && (this.#full || this.#due || flushing)) this.#sendNow();
    else if (flushing && this.#hasSomethingToSend()) this.#sendNow();
    else this.#notifyIdle();
  }

  /** Wakes the flushes waiting for an empty buffer (all of them when closing). */
  #notifyIdle(force = false): void {
    if (!force && (this.#delivery !== undefined || this.#pending.length > 0)) return;
    for (const wake of [...this.#idleWaiters]) wake();
  }

  #whenIdle(signal: AbortSignal): Promise<void> {
    if ((this.#delivery === undefined && this.#pending.length === 0) || signal.aborted || this.#abort.signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        signal.removeEventListener('abort', wake);
        this.#idleWaiters.delete(wake);
        resolve();
      };
      this.#idleWaiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }
}
