import type { InitOutcome, Invocation, InvocationResponse } from './invocation.js';
import { defer, type Deferred } from './deferred.js';

/**
 * Where the runtime is in its conversation with the Runtime API.
 * - `init`: started, has not called `/next` yet.
 * - `idle`: waiting in `/next` (or about to), no invocation assigned.
 * - `invoking`: an invocation was handed out and not answered yet.
 * - `responding`: its `/response` or `/error` body is arriving.
 * - `responded`: answered; the next `/next` means the runtime is done with it.
 * - `init-failed`: the runtime posted `/runtime/init/error`.
 */
export type RuntimePhase = 'init' | 'idle' | 'invoking' | 'responding' | 'responded' | 'init-failed';

/** What an invocation handed to {@link RuntimeChannel.invoke} will produce. */
export interface PendingInvocation {
  /** Settles when the runtime posts its `/response` or `/error` (a stream: when it starts). */
  readonly response: Promise<InvocationResponse>;
  /** Settles when the runtime calls `/next` again after answering. */
  readonly runtimeDone: Promise<void>;
}

/**
 * Why a `/response`, `/error` or `/next` call was refused. `invoke-timeout`: a late answer to
 * an invocation that timed out in a Lambda Managed Instances environment (docs/conformance.md Y).
 */
export type Refusal = 'invalid-request-id' | 'invalid-state' | 'invoke-timeout';

/** What the Runtime API's routes ask of a channel: {@link RuntimeChannel}, or the concurrent one of Managed Instances. */
export type InvocationChannel = Pick<RuntimeChannel, 'next' | 'beginResponse' | 'failInit'>;

interface Entry {
  readonly invocation: Invocation;
  readonly response: Deferred<InvocationResponse>;
  readonly done: Deferred<void>;
}

interface Waiter {
  readonly deliver: (invocation: Invocation) => void;
}

/**
 * The Runtime API's state for one execution environment, as plain code: which
 * invocation is current, who waits in `/next`, and what each call is allowed to do
 * (docs/conformance.md B–F). The HTTP routes only translate to and from it.
 */
export class RuntimeChannel {
  #phase: RuntimePhase = 'init';
  #init = defer<InitOutcome>();
  #pending: Entry | undefined;
  #current: Entry | undefined;
  readonly #waiters = new Set<Waiter>();

  /** The current phase. */
  get phase(): RuntimePhase {
    return this.#phase;
  }

  /** The invocation the runtime is working on, if any. */
  get currentRequestId(): string | undefined {
    return this.#current?.invocation.requestId;
  }

  /**
   * Starts a new runtime generation (a fresh process): forgets any invocation of the
   * previous one and returns how the new one's initialisation ends.
   */
  expectInit(): Promise<InitOutcome> {
    this.#phase = 'init';
    this.#current = undefined;
    this.#pending = undefined;
    this.#waiters.clear();
    this.#init = defer<InitOutcome>();
    return this.#init.promise;
  }

  /**
   * Hands an invocation to the runtime: at once if it waits in `/next`, else at its
   * next `/next`. One invocation at a time.
   */
  invoke(invocation: Invocation): PendingInvocation {
    if (this.#current !== undefined || this.#pending !== undefined) {
      throw new Error(`An invocation (${this.#current?.invocation.requestId ?? this.#pending?.invocation.requestId}) is already in progress`);
    }
    const entry: Entry = { invocation, response: defer(), done: defer() };
    this.#pending = entry;
    if (this.#phase === 'idle') this.#deliverPending();
    return { response: entry.response.promise, runtimeDone: entry.done.promise };
  }

  /**
   * Drops the current invocation (the environment timed out or its runtime died): a late
   * `/response` for it is refused as an unknown request id.
   */
  abandon(): void {
    this.#current = undefined;
    this.#pending = undefined;
    if (this.#phase !== 'init-failed') this.#phase = 'idle';
  }

  /**
   * The runtime called `/next`. Resolves with the invocation to hand out, or with a
   * refusal; `onWait` receives a cancel function while the call blocks.
   */
  next(onWait: (cancel: () => void) => void): Promise<Invocation | Refusal> {
    switch (this.#phase) {
      case 'init-failed':
        return Promise.resolve('invalid-state');
      case 'init':
        this.#phase = 'idle';
        this.#init.resolve({ kind: 'ready' });
        break;
      case 'invoking':
        // A second /next during an invocation gets the same invocation again.
        return Promise.resolve(this.#current!.invocation);
      case 'responding':
      case 'responded':
        this.#finishCurrent();
        break;
      case 'idle':
        break;
    }
    return new Promise<Invocation>((resolve) => {
      const waiter: Waiter = { deliver: resolve };
      this.#waiters.add(waiter);
      onWait(() => this.#waiters.delete(waiter));
      this.#deliverPending();
    });
  }

  /**
   * Checks that `/response` or `/error` may be posted for `requestId` and takes the slot.
   * Returns a refusal, or the function that delivers the answer once its body is read.
   */
  beginResponse(requestId: string): Refusal | ((response: InvocationResponse) => void) {
    const current = this.#current;
    if (current === undefined || current.invocation.requestId !== requestId) return 'invalid-request-id';
    if (this.#phase !== 'invoking') return 'invalid-state';
    this.#phase = 'responding';
    return (response) => {
      if (this.#phase === 'responding' && this.#current === current) this.#phase = 'responded';
      current.response.resolve(response);
    };
  }

  /** `POST /runtime/init/error`: allowed only before the runtime's first `/next`. */
  failInit(outcome: Extract<InitOutcome, { kind: 'error' }>): Refusal | undefined {
    if (this.#phase !== 'init') return 'invalid-state';
    this.#phase = 'init-failed';
    this.#init.resolve(outcome);
    return undefined;
  }

  #finishCurrent(): void {
    const current = this.#current;
    this.#current = undefined;
    this.#phase = 'idle';
    current?.done.resolve();
  }

  #deliverPending(): void {
    const entry = this.#pending;
    const [waiter] = this.#waiters;
    if (entry === undefined || waiter === undefined) return;
    this.#waiters.delete(waiter);
    this.#pending = undefined;
    this.#current = entry;
    this.#phase = 'invoking';
    waiter.deliver(entry.invocation);
  }
}
