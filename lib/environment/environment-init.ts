import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorBody, errorTypeOf } from './caller-response.js';
import type { EnvironmentParts } from './environment-parts.js';
import type { EnvironmentFailure } from './environment-processes.js';
import { listExternalExtensions } from './extensions.js';
import { Latch } from './latch.js';
import { describeExit } from './managed-process.js';
import { initReportLine, initRuntimeDoneRecord, initStartLine } from './platform-lines.js';

/** How an init phase ended; a failed one carries the error the invocation answers with. */
export type InitResult =
  | { readonly status: 'success'; readonly durationMs: number }
  | { readonly status: 'error' | 'timeout'; readonly durationMs: number; readonly errorType: string; readonly body: Buffer; readonly contentType: string };

/**
 * The init phase: starts the extensions, waits until they registered, starts the runtime, and
 * waits until the runtime and every extension called /next; or until something fails or time
 * runs out. A failed init resets the environment.
 */
export async function initializeEnvironment(parts: EnvironmentParts, phase: 'init' | 'invoke', budgetMs: number): Promise<InitResult> {
  const { spec, options, runtime: runtimeInfo, channel, registry, conditions, telemetry, output, processes, logger } = parts;
  const command = await processes.resolveCommand();
  const extensionFiles = await listExternalExtensions(options.layersDirectory);
  const startedAt = performance.now();
  const elapsed = (): number => performance.now() - startedAt;
  telemetry.beginInit();
  output.platform(initStartLine(spec, runtimeInfo, phase));
  registry.reset(extensionFiles.map((file) => file.name));
  const failures = new Latch<EnvironmentFailure>();
  parts.failures = failures;
  const outcome = channel.expectInit();

  const fail = async (status: 'error' | 'timeout', errorType: string, body: Buffer, contentType = 'application/json'): Promise<InitResult> => {
    output.platform(initRuntimeDoneRecord(phase, status, errorType));
    await processes.reset('failure');
    const durationMs = elapsed();
    output.platform(initReportLine(phase, durationMs, status, errorType));
    logger.debug({ phase, status, errorType, durationMs }, 'init failed');
    options.onEvent?.({ type: 'initialized', status });
    return { status, durationMs, errorType, body, contentType };
  };
  if (command === undefined) {
    const message = `Couldn't find valid bootstrap(s): [${options.codeDirectory}/bootstrap${options.layersDirectory === undefined ? '' : ` ${options.layersDirectory}/bootstrap`}]`;
    return fail('error', 'Runtime.InvalidEntrypoint', errorBody('Runtime.InvalidEntrypoint', message));
  }

  // Every wait of this init is dropped at its end, the timer with them.
  const stop = new AbortController();
  // A debugger may hold the init as long as it likes: no limit then.
  const timeout =
    options.debug === undefined
      ? sleep(budgetMs, 'timeout' as const, { signal: stop.signal }).catch(() => 'cancelled' as const)
      : new Promise<'cancelled'>((resolve) => stop.signal.addEventListener('abort', () => resolve('cancelled'), { once: true }));
  try {
    processes.spawnExtensions(extensionFiles, failures);
    const registered = conditions.when(() => extensionFiles.every((file) => !registry.isExpected(file.name)));
    const beforeRuntime = await Promise.race([registered.then(() => 'registered' as const), failures.wait(stop.signal), timeout]);
    if (beforeRuntime === 'timeout') return fail('timeout', 'Extension.TimedOut', errorBody('Extension.TimedOut', 'Extensions did not register in time'));
    if (typeof beforeRuntime === 'object') return fail('error', beforeRuntime.errorType, errorBody(beforeRuntime.errorType, beforeRuntime.message));

    const runtime = processes.spawnRuntime(command);
    const runtimeReady = await Promise.race([
      outcome,
      runtime.exit.wait(stop.signal).then((exit) => ({ kind: 'exit' as const, exit })),
      failures.wait(stop.signal),
      timeout,
    ]);
    if (runtimeReady === 'timeout') {
      return fail('timeout', 'Runtime.Unknown', errorBody('Sandbox.Timedout', `Init timed out after ${(budgetMs / 1000).toFixed(2)} seconds`));
    }
    if (runtimeReady === 'cancelled') throw new Error('Init ended without a cause');
    if (runtimeReady.kind === 'failure') return fail('error', runtimeReady.errorType, errorBody(runtimeReady.errorType, runtimeReady.message));
    if (runtimeReady.kind === 'error') {
      const errorType = runtimeReady.errorType ?? errorTypeOf(runtimeReady.body) ?? 'Runtime.Unknown';
      return fail('error', errorType, runtimeReady.body, runtimeReady.contentType);
    }
    if (runtimeReady.kind === 'exit') {
      const errorType = runtimeReady.exit.spawnError === undefined ? 'Runtime.ExitError' : 'Runtime.InvalidEntrypoint';
      return fail('error', errorType, errorBody(errorType, describeExit(runtimeReady.exit)));
    }
    output.platform(initRuntimeDoneRecord(phase, 'success'));

    const extensionsReady = await Promise.race([
      conditions.when(() => registry.allReady).then(() => 'ready' as const),
      failures.wait(stop.signal),
      timeout,
    ]);
    if (extensionsReady === 'timeout') return fail('timeout', 'Extension.TimedOut', errorBody('Extension.TimedOut', 'Extensions did not finish init in time'));
    if (typeof extensionsReady === 'object') return fail('error', extensionsReady.errorType, errorBody(extensionsReady.errorType, extensionsReady.message));
    registry.closeRegistration();
    for (const extension of registry.extensions) {
      output.platform({ type: 'platform.extension', record: { name: extension.name, state: 'Ready', events: [...extension.events] } });
    }
    output.platform(initReportLine(phase, elapsed(), 'success'));
    telemetry.endInit();
    logger.debug({ phase, durationMs: elapsed(), extensions: registry.extensions.map((extension) => extension.name) }, 'init done');
    options.onEvent?.({ type: 'initialized', status: 'success' });
    return { status: 'success', durationMs: elapsed() };
  } finally {
    stop.abort();
  }
}
