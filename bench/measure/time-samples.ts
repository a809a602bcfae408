import { performance } from 'node:perf_hooks';

/** How many times to run something: warm-up runs are thrown away. */
export interface SampleCount {
  readonly warmup: number;
  readonly samples: number;
}

/** Runs `operation` one call after another and returns each call's duration in milliseconds. */
export async function timeSamples(count: SampleCount, operation: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < count.warmup; i++) await operation();
  const durations: number[] = [];
  for (let i = 0; i < count.samples; i++) {
    const startedAt = performance.now();
    await operation();
    durations.push(performance.now() - startedAt);
  }
  return durations;
}

/** What {@link runCallers} measured. */
export interface CallersResult {
  /** Completed operations per second over the whole window. */
  readonly perSecond: number;
  readonly elapsedMs: number;
  /** Each operation's duration in milliseconds. */
  readonly latenciesMs: number[];
  readonly errors: readonly unknown[];
}

/**
 * Runs `callers` loops that each call `operation(caller)` one after another until
 * `durationMs` has passed, and counts what completed. An operation that throws counts as an error.
 */
export async function runCallers(callers: number, durationMs: number, operation: (caller: number) => Promise<unknown>): Promise<CallersResult> {
  const latenciesMs: number[] = [];
  const errors: unknown[] = [];
  const startedAt = performance.now();
  const endsAt = startedAt + durationMs;
  const loop = async (caller: number): Promise<void> => {
    while (performance.now() < endsAt) {
      const callStartedAt = performance.now();
      try {
        await operation(caller);
        latenciesMs.push(performance.now() - callStartedAt);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: callers }, (_, caller) => loop(caller)));
  const elapsedMs = performance.now() - startedAt;
  return { perSecond: (latenciesMs.length / elapsedMs) * 1000, elapsedMs, latenciesMs, errors };
}

/** Rounds of alternating batches: see {@link timeInterleaved}. */
export interface InterleavePlan {
  /** Calls of each operation thrown away first. */
  readonly warmup: number;
  readonly rounds: number;
  /** Calls of each operation per round. */
  readonly perRound: number;
}

/**
 * Times several operations in alternating batches, so that whatever else the machine is
 * doing weighs on each of them alike: a ratio of two figures measured minutes apart would
 * mostly measure the load. Returns each operation's durations in milliseconds.
 */
export async function timeInterleaved(plan: InterleavePlan, operations: readonly (() => Promise<unknown>)[]): Promise<number[][]> {
  for (const operation of operations) {
    for (let i = 0; i < plan.warmup; i++) await operation();
  }
  const durations = operations.map((): number[] => []);
  for (let round = 0; round < plan.rounds; round++) {
    for (const [index, operation] of operations.entries()) {
      durations[index]!.push(...(await timeSamples({ warmup: 0, samples: plan.perRound }, operation)));
    }
  }
  return durations;
}
