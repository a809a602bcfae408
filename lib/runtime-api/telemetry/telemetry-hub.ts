import { createBatchSender, type ConnectToSandbox, type ResolveHost } from './batch-sender.js';
import { DEFAULT_RETRY_POLICY, Subscriber, type RetryPolicy } from './subscriber.js';
import type { SubscriptionApi, SubscriptionRequest, TelemetryDestination } from './subscription-request.js';
import type { TelemetryCategory, TelemetryEvent } from './telemetry-event.js';

/** Options of {@link TelemetryHub}. */
export interface TelemetryHubOptions {
  /**
   * Maps a destination's host to the address to connect to.
   * @default `sandbox.localdomain` and `sandbox` to 127.0.0.1, anything else unchanged
   */
  readonly resolveHost?: ResolveHost;
  /** Opens connections to the environment's own ports, where its loopback is not ours (a network namespace). */
  readonly connect?: ConnectToSandbox;
  /** The clock for the events the hub makes itself. @default () => new Date() */
  readonly now?: () => Date;
  /** @default DEFAULT_RETRY_POLICY */
  readonly retry?: Partial<RetryPolicy>;
}

/** Options of {@link TelemetryHub.flush}. */
export interface TelemetryFlushOptions {
  /** Stops waiting (what is still buffered stays buffered). */
  readonly signal?: AbortSignal;
  /** Stops waiting after this long. @default DEFAULT_FLUSH_TIMEOUT_MS */
  readonly timeoutMs?: number;
}

/** What {@link TelemetryHub.subscribe} did. */
export type SubscribeOutcome =
  /** A new subscription. */
  | 'subscribed'
  /** The extension already has a subscription through this API: it is kept as it is. */
  | 'already-subscribed'
  /** The extension already subscribed through the other API (Telemetry or Logs). */
  | 'subscribed-to-other-api'
  /** Init is over (or the hub closed): no more subscriptions. */
  | 'closed';

/** One live subscription, for diagnostics and tests. */
export interface TelemetrySubscriptionInfo {
  readonly name: string;
  readonly api: SubscriptionApi;
  readonly types: readonly TelemetryCategory[];
  readonly destination: TelemetryDestination;
}

/** How long {@link TelemetryHub.flush} waits by default: the shutdown budget with external extensions. */
export const DEFAULT_FLUSH_TIMEOUT_MS = 2000;

/** Events kept for replay to late subscribers, at most: enough for any init, bounded all the same. */
const MAX_REPLAY_EVENTS = 10_000;

const SANDBOX_HOSTS = new Set(['sandbox.localdomain', 'sandbox']);

function resolveSandboxHost(host: string): string {
  return SANDBOX_HOSTS.has(host) ? '127.0.0.1' : host;
}

/**
 * The Telemetry and Logs APIs' delivery side for one execution environment: takes every
 * event the environment produces, keeps this init's events for extensions that subscribe
 * later (docs/conformance.md J.57), and feeds each subscription's buffer.
 *
 * The environment calls {@link publish} for every platform event and log line,
 * {@link endInit} when init is over, {@link flush} while SHUTDOWN is delivered,
 * {@link beginInit} before a new init after a reset, and {@link close} when it goes away.
 */
export class TelemetryHub implements AsyncDisposable {
  readonly #resolveHost: ResolveHost;
  readonly #connect: ConnectToSandbox | undefined;
  readonly #now: () => Date;
  readonly #retry: RetryPolicy;
  readonly #subscribers = new Map<string, Subscriber>();
  /** Subscriptions of an earlier init, still closing. */
  readonly #retiring = new Set<Promise<void>>();
  /** This init's events, in order; undefined once init is over. */
  #replay: TelemetryEvent[] | undefined = [];
  #closing: Promise<void> | undefined;

  constructor(options: TelemetryHubOptions = {}) {
    this.#resolveHost = options.resolveHost ?? resolveSandboxHost;
    this.#connect = options.connect;
    this.#now = options.now ?? (() => new Date());
    this.#retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  }

  /** Whether extensions may still subscribe: during init, until {@link endInit}. */
  get subscriptionOpen(): boolean {
    return this.#replay !== undefined && this.#closing === undefined;
  }

  /** The live subscriptions. */
  get subscriptions(): TelemetrySubscriptionInfo[] {
    return [...this.#subscribers.values()].map(({ name, request }) => ({ name, api: request.api, types: request.types, destination: request.destination }));
  }

  /**
   * Hands one event to every subscription (each keeps it if it subscribed to its type) and,
   * during init, keeps it for later subscribers. Function and extension log lines have type
   * `function` / `extension`; their record is the line (text format) or its object (JSON).
   * The Logs API's `platform.end` is derived from `platform.report`: do not publish one.
   */
  publish(event: TelemetryEvent): void {
    if (this.#closing !== undefined) return;
    if (this.#replay !== undefined && this.#replay.length < MAX_REPLAY_EVENTS) this.#replay.push(event);
    for (const subscriber of this.#subscribers.values()) subscriber.accept(event);
  }

  /** Publishes an event stamped now. */
  publishRecord(type: string, record: unknown): TelemetryEvent {
    const event: TelemetryEvent = { time: this.#now().toISOString(), type, record };
    this.publish(event);
    return event;
  }

  /**
   * Adds an extension's subscription (the routes call this once the request is valid): it
   * first receives this init's earlier events, then `platform.telemetrySubscription` (Logs
   * API: `platform.logsSubscription`) is published for it (docs/conformance.md J.55).
   */
  subscribe(extensionName: string, request: SubscriptionRequest): SubscribeOutcome {
    if (!this.subscriptionOpen || this.#replay === undefined) return 'closed';
    const existing = this.#subscribers.get(extensionName);
    // "Duplicate subscribe requests do not result in duplicate subscriptions", and an
    // extension subscribed through one API gets an error from the other.
    // https://docs.aws.amazon.com/lambda/latest/dg/runtimes-logs-api.html
    if (existing !== undefined) return existing.api === request.api ? 'already-subscribed' : 'subscribed-to-other-api';
    const subscriber = new Subscriber({
      name: extensionName,
      request,
      sender: createBatchSender(request.destination, this.#resolveHost, this.#connect),
      now: this.#now,
      retry: this.#retry,
    });
    this.#subscribers.set(extensionName, subscriber);
    for (const event of this.#replay) subscriber.accept(event);
    const type = request.api === 'telemetry' ? 'platform.telemetrySubscription' : 'platform.logsSubscription';
    this.publishRecord(type, { name: extensionName, state: 'Subscribed', types: [...request.types] });
    return 'subscribed';
  }

  /** Init is over: no more subscriptions, and this init's events are no longer kept. */
  endInit(): void {
    this.#replay = undefined;
  }

  /**
   * A new init in the same environment (after a reset): the old subscriptions go with the
   * extensions that made them, and events are kept for replay again. Flush first if what
   * they still hold matters.
   */
  beginInit(): void {
    if (this.#closing !== undefined) return;
    for (const subscriber of this.#subscribers.values()) this.#retire(subscriber);
    this.#subscribers.clear();
    this.#replay = [];
  }

  /**
   * Delivers everything buffered now, without waiting for the batch timers (docs/conformance.md
   * I.51); resolves when every subscription is empty, or on timeout or abort, whichever comes
   * first. Never rejects.
   */
  async flush(options: TelemetryFlushOptions = {}): Promise<void> {
    if (this.#subscribers.size === 0) return;
    const stop = new AbortController();
    const abort = (): void => stop.abort();
    const timer = setTimeout(abort, options.timeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS);
    options.signal?.addEventListener('abort', abort, { once: true });
    if (options.signal?.aborted === true) stop.abort();
    try {
      await Promise.all([...this.#subscribers.values()].map((subscriber) => subscriber.flush(stop.signal)));
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
    }
  }

  /** Stops every subscription: timers cleared, requests in flight aborted, sockets closed. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#replay = undefined;
      for (const subscriber of this.#subscribers.values()) this.#retire(subscriber);
      this.#subscribers.clear();
      await Promise.allSettled([...this.#retiring]);
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #retire(subscriber: Subscriber): void {
    const closing = subscriber.close().catch(() => undefined);
    this.#retiring.add(closing);
    void closing.finally(() => this.#retiring.delete(closing));
  }
}
