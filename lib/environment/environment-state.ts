import type { EnvironmentState } from './environment-types.js';

/**
 * Where an execution environment is in Lambda's lifecycle
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html):
 * - `uninitialized`: no runtime process: new, or reset after a failure or a timeout.
 * - `initializing`: an invocation runs the init phase (extensions, then the runtime, until
 *   each has called `/next`).
 * - `init-failed`: the init phase failed; the invocation retries it within its own timeout.
 * - `invoking`: the runtime has the invocation.
 * - `idle`: warm, between invocations.
 * - `frozen`: warm, its processes stopped (SIGSTOP) until the next invocation.
 * - `shutdown`: shut down for good.
 */
export type LifecycleState = 'uninitialized' | 'initializing' | 'init-failed' | 'invoking' | 'idle' | 'frozen' | 'shutdown';

/** Every move the lifecycle allows, from each state. Shutting down is allowed from everywhere but itself. */
export const LIFECYCLE_TRANSITIONS: { readonly [State in LifecycleState]: readonly LifecycleState[] } = {
  uninitialized: ['initializing', 'shutdown'],
  // To `idle` or `uninitialized` only when an error of cdk-local's own ends the invocation.
  initializing: ['invoking', 'init-failed', 'idle', 'uninitialized', 'shutdown'],
  'init-failed': ['initializing', 'uninitialized', 'shutdown'],
  // An invocation ends warm, or without a runtime after a crash, a timeout or a failed retry.
  invoking: ['idle', 'uninitialized', 'shutdown'],
  // The runtime of an idle environment may have exited meanwhile: then the invocation starts with an init.
  idle: ['invoking', 'initializing', 'frozen', 'shutdown'],
  frozen: ['invoking', 'initializing', 'shutdown'],
  shutdown: [],
};

/** The lifecycle state as callers see it: init is part of the invocation that runs it, a frozen environment is idle. */
const PUBLIC_STATES: { readonly [State in LifecycleState]: EnvironmentState } = {
  uninitialized: 'uninitialized',
  initializing: 'invoking',
  'init-failed': 'invoking',
  invoking: 'invoking',
  idle: 'idle',
  frozen: 'idle',
  shutdown: 'shutdown',
};

/** The one place an environment's lifecycle state is kept; it moves only along {@link LIFECYCLE_TRANSITIONS}. */
export class EnvironmentLifecycle {
  #state: LifecycleState = 'uninitialized';

  get state(): LifecycleState {
    return this.#state;
  }

  /** The state as {@link ExecutionEnvironment.state} reports it. */
  get publicState(): EnvironmentState {
    return PUBLIC_STATES[this.#state];
  }

  /** Whether a move to `next` is allowed now. */
  canMoveTo(next: LifecycleState): boolean {
    return LIFECYCLE_TRANSITIONS[this.#state].includes(next);
  }

  /** Moves to `next` and returns the state it left; an illegal move is a bug in cdk-local and throws. */
  moveTo(next: LifecycleState): LifecycleState {
    const previous = this.#state;
    if (!this.canMoveTo(next)) throw new Error(`An execution environment cannot go from ${previous} to ${next}`);
    this.#state = next;
    return previous;
  }

  /** Moves to `next` unless the environment was shut down meanwhile (a shutdown may come at any await); true when it moved. */
  moveUnlessShutdown(next: LifecycleState): boolean {
    if (this.#state === 'shutdown') return false;
    this.moveTo(next);
    return true;
  }
}
