import type { InitOutcome, Invocation, InvocationResponse } from './invocation.js';
import type { PendingInvocation, Refusal } from './runtime-channel.js';
import { defer, type Deferred } from './deferred.js';

interface Entry {
  readonly invocation: Invocation;
  readonly response: Deferred<InvocationResponse>;
  readonly done: Deferred<void>;
  responding: boolean;
}

/** How many timed-out request ids are remembered, to answer their late posts as the service does. */
const REMEMBERED_TIMEOUTS = 1000;

/**
 * The Runtime API's state for one Lambda Managed Instances execution environment, where the
 * runtime's workers each wait in `/next` and several invocations run at once
 * (docs/conformance.md Y). Each waiting `/next` takes the oldest invocation not handed out
 * yet; each `/response` or `/error` answers its own request id, and is the end of that
 * invocation (there is no "next means done" here). The number of invocations at once is
 * bounded by whoever calls {@link invoke}, not here.
 */
export class ConcurrentRuntimeChannel {
  #phase: 'init' | 'ready' | 'init-failed' = 'init';
  #init = defer<InitOutcome>();
  readonly #queue: Entry[] = [];
  readonly #running = new Map<string, Entry>();
  readonly #waiters = new Set<(invocation: Invocation) => void>();
  readonly #timedOut = new Set<string>();

  /** Invocations handed to the runtime and not answered yet, and those waiting for a `/next`. */
  get inFlight(): number {
    return this.#running.size + this.#queue.length;
  }

  /** `/next` calls waiting now (one per idle runtime worker). */
  get waitingWorkers(): number {
    return this.#waiters.size;
  }

  /** Starts a new runtime generation: forgets every invocation of the previous one. */
  expectInit(): Promise<InitOutcome> {
    this.#phase = 'init';
    this.#queue.length = 0;
    this.#running.clear();
    this.#waiters.clear();
    this.#init = defer<InitOutcome>();
    return this.#init.promise;
  }

  /** Queues an invocation for the next worker that waits in `/next` (at once if one waits). */
  invoke(invocation: Invocation): PendingInvocation {
    const entry: Entry = { invocation, response: defer(), done: defer(), responding: false };
    this.#queue.push(entry);
    this.#deliver();
    return { response: entry.response.promise, runtimeDone: entry.done.promise };
  }

  /**
   * Drops one invocation: a late `/response` or `/error` for it is refused, after a timeout
   * with the service's `InvokeTimeout` (410), otherwise as an unknown request id.
   */
  abandon(requestId: string, reason: 'timeout' | 'failure' = 'failure'): void {
    this.#running.delete(requestId);
    const queued = this.#queue.findIndex((entry) => entry.invocation.requestId === requestId);
    if (queued !== -1) this.#queue.splice(queued, 1);
    if (reason !== 'timeout') return;
    this.#timedOut.add(requestId);
    if (this.#timedOut.size > REMEMBERED_TIMEOUTS) this.#timedOut.delete(this.#timedOut.values().next().value!);
  }

  /** A worker called `/next`: the first one ends init; each waits for an invocation of its own. */
  next(onWait: (cancel: () => void) => void): Promise<Invocation | Refusal> {
    if (this.#phase === 'init-failed') return Promise.resolve('invalid-state');
    if (this.#phase === 'init') {
      // Init is done when the first worker is ready for an invocation.
      this.#phase = 'ready';
      this.#init.resolve({ kind: 'ready' });
    }
    return new Promise<Invocation>((resolve) => {
      this.#waiters.add(resolve);
      onWait(() => this.#waiters.delete(resolve));
      this.#deliver();
    });
  }

  /** Checks that `/response` or `/error` may be posted for `requestId` and takes its slot. */
  beginResponse(requestId: string): Refusal | ((response: InvocationResponse) => void) {
    const entry = this.#running.get(requestId);
    if (entry === undefined) return this.#timedOut.delete(requestId) ? 'invoke-timeout' : 'invalid-request-id';
    if (entry.responding) return 'invalid-state';
    entry.responding = true;
    return (response) => {
      if (this.#running.get(requestId) === entry) this.#running.delete(requestId);
      entry.response.resolve(response);
      entry.done.resolve();
    };
  }

  /** `POST /runtime/init/error`: the first worker's wins; after init, or after another's, 403. */
  failInit(outcome: Extract<InitOutcome, { kind: 'error' }>): Refusal | undefined {
    if (this.#phase !== 'init') return 'invalid-state';
    this.#phase = 'init-failed';
    this.#init.resolve(outcome);
    return undefined;
  }

  #deliver(): void {
    while (this.#queue.length > 0 && this.#waiters.size > 0) {
      const entry = this.#queue.shift()!;
      const [waiter] = this.#waiters;
      this.#waiters.delete(waiter!);
      this.#running.set(entry.invocation.requestId, entry);
      waiter!(entry.invocation);
    }
  }
}
