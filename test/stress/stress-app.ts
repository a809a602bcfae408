// The CDK app the reliability suite runs, synthesized in-process into a temp directory, and
// what the suite checks with: the processes a run left behind, open file descriptors, heap.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { createMarkedApp, processesWithMarker as processesCarrying, type MarkedApp } from '../helpers/marked-app.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/stress/', import.meta.url));

/** The variable every function of the app carries, set to a value unique to one run. */
export const MARKER_VARIABLE = 'CDK_LOCAL_STRESS_MARKER';

/** Construct paths of the app's functions. */
export const StressFunctions = {
  /** `{ id, runtimeApi }`. */
  echo: 'StressStack/Echo',
  /** Throws, exits or is killed as the event asks. */
  flaky: 'StressStack/Flaky',
  /** Timeout 10 s; `hang` outlives it. */
  slow: 'StressStack/Slow',
  /** Logs `holding <id>` and holds the invocation for 55 s (timeout 60 s). */
  holder: 'StressStack/Holder',
  /** Logs `spinning <id>` and spins forever (timeout 900 s). */
  spinner: 'StressStack/Spinner',
  /** Starts shells that start sleeps; `escape` puts them in sessions of their own. */
  forkBomb: 'StressStack/ForkBomb',
  /** MemorySize 128; `hog` takes up to 2 GB. */
  memoryHog: 'StressStack/MemoryHog',
  /** `daemon` double-forks a `setsid sleep`; `ticker` starts a shell in a session of its own that logs `tick <n>`; `exit` crashes after. */
  detacher: 'StressStack/Detacher',
} as const;

/** Synthesizes the app's one stack into `outdir` with aws-cdk-lib, as `cdk synth` would. */
export function synthesizeStressApp(outdir: string): void {
  const app = new App({
    outdir,
    context: {
      'aws:cdk:enable-path-metadata': true,
      'aws:cdk:enable-asset-metadata': true,
      'aws:cdk:disable-version-reporting': true,
    },
    builtinCloudFormationValidation: false,
    stackTraces: false,
  });
  const stack = new Stack(app, 'StressStack');
  // Functions that are not about timeouts get room, so that a busy machine does not time them out.
  const node = (name: string): lambda.FunctionProps => ({
    runtime: lambda.Runtime.NODEJS_20_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(join(FIXTURES, name)),
    timeout: Duration.seconds(30),
  });
  new lambda.Function(stack, 'Echo', node('echo'));
  new lambda.Function(stack, 'Flaky', node('flaky'));
  // Its timeout is what `hang` runs into; an `ok` answer must fit in it however busy the machine.
  new lambda.Function(stack, 'Slow', { ...node('slow'), timeout: Duration.seconds(10) });
  new lambda.Function(stack, 'Holder', { ...node('holder'), timeout: Duration.seconds(60) });
  new lambda.Function(stack, 'Spinner', { ...node('spinner'), timeout: Duration.seconds(900) });
  new lambda.Function(stack, 'ForkBomb', { ...node('fork-bomb'), timeout: Duration.seconds(30) });
  new lambda.Function(stack, 'MemoryHog', { ...node('memory-hog'), memorySize: 128, timeout: Duration.seconds(60) });
  new lambda.Function(stack, 'Detacher', { ...node('detacher'), timeout: Duration.seconds(30) });
  app.synth();
}

/** The stress app, synthesized into a temp directory, with the marker its functions carry. */
export type StressApp = MarkedApp;

/** Synthesizes the app into a fresh temp directory. */
export function createStressApp(): Promise<StressApp> {
  return createMarkedApp({ prefix: 'cdk-local-stress-', synthesize: synthesizeStressApp, markerVariable: MARKER_VARIABLE, defaults: { credentials: 'none' } });
}

/** Live processes started for a function of the app in the run that `marker` names. */
export function processesWithMarker(marker: string): Promise<number[]> {
  return processesCarrying(MARKER_VARIABLE, marker);
}

/** Open file descriptors of this process. */
export function openFileDescriptors(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Heap in use after a full garbage collection, in bytes. */
export function heapUsedAfterGc(): number {
  // node:test starts this file's process; --expose-gc cannot be passed to it, so turn it on here.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * Retries `check` until it stops throwing, for what the system does without an event to
 * wait on (a process disappearing from /proc, a socket being closed); rethrows its last
 * failure after `timeoutMs`.
 */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await sleep(25);
    }
  }
}
