import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { deliverResponse, functionError, type Answer } from './caller-response.js';
import { delay, type Delay } from './delay.js';
import { initializeEnvironment, type InitResult } from './environment-init.js';
import type { Collected } from './environment-output.js';
import { singleChannel, type EnvironmentParts } from './environment-parts.js';
import { DEFAULT_INIT_TIMEOUT_MS, type InvocationReport, type InvokeRequest } from './environment-types.js';
import { describeExit } from './managed-process.js';
import { reportLine, runtimeDoneLine, startLine, timeoutLine, type PlatformStatus } from './platform-lines.js';

const MB = 1024 * 1024;

/** The deadline of an invocation a debugger may hold: it never comes (one per invocation, collected with it). */
function noDeadline(): Delay<'timeout'> {
  return { promise: new Promise<undefined>(() => undefined), cancel: () => undefined };
}

/** Ends an invocation's report; the duration is measured unless given (a timeout's is the timeout). */
type Finish = (status: PlatformStatus, errorType: string | undefined, durationMs?: number) => InvocationReport;

function newTraceId(): string {
  const epoch = Math.floor(Date.now() / 1000).toString(16);
  const hex = (bytes: number): string => randomUUID().replaceAll('-', '').slice(0, bytes * 2);
  return `Root=1-${epoch}-${hex(12)};Parent=${hex(8)};Sampled=0`;
}

/**
 * One invocation, from the lifecycle state the caller moved the environment to (`initializing`
 * without a runtime, else `invoking`): the init phase when it needs one, its retry inside the
 * invocation when it failed, then the runtime's turn. Settles with the report; the caller's
 * answer goes to `answer` as soon as there is one.
 */
export async function runInvocation(parts: EnvironmentParts, requestId: string, request: InvokeRequest, answer: Answer): Promise<InvocationReport> {
  const { spec, options, lifecycle, output, processes } = parts;
  const collected = output.collect();
  try {
    let initDurationMs: number | undefined;
    let failedInit: InitResult | undefined;
    if (lifecycle.state === 'initializing') {
      const init = await initializeEnvironment(parts, 'init', options.initTimeoutMs ?? DEFAULT_INIT_TIMEOUT_MS);
      initDurationMs = init.durationMs;
      if (init.status !== 'success') failedInit = init;
      lifecycle.moveUnlessShutdown(init.status === 'success' ? 'invoking' : 'init-failed');
    }

    const startedAt = performance.now();
    const deadlineMs = Date.now() + spec.timeoutSeconds * 1000;
    output.requestId = requestId;
    output.platform(startLine(requestId, spec.version, request.tenantId));
    const finish: Finish = (status, errorType, durationMs = performance.now() - startedAt) =>
      finishReport(parts, requestId, collected, status, errorType, durationMs, initDurationMs);

    if (failedInit !== undefined) {
      // Lambda retries a failed init inside the first invocation, within the function timeout;
      // an environment shut down meanwhile starts nothing more.
      if (lifecycle.moveUnlessShutdown('initializing')) {
        const retry = await initializeEnvironment(parts, 'invoke', spec.timeoutSeconds * 1000);
        failedInit = retry.status === 'success' ? undefined : retry;
      }
      if (failedInit?.status === 'error' || failedInit?.status === 'timeout') {
        await processes.reset('failure');
        answer({ kind: 'function-error', errorType: failedInit.errorType, body: failedInit.body, contentType: failedInit.contentType });
        return finish(failedInit.status === 'timeout' ? 'timeout' : 'error', failedInit.errorType);
      }
      lifecycle.moveUnlessShutdown('invoking');
    }
    return await invokeRuntime(parts, requestId, request, deadlineMs, startedAt, answer, finish);
  } finally {
    output.stopCollecting();
  }
}

async function invokeRuntime(
  parts: EnvironmentParts,
  requestId: string,
  request: InvokeRequest,
  deadlineMs: number,
  startedAt: number,
  answer: Answer,
  finish: Finish,
): Promise<InvocationReport> {
  const { spec, options, registry, conditions, output, processes, memory } = parts;
  const channel = singleChannel(parts);
  const runtime = processes.runtime!;
  const traceId = request.traceId ?? newTraceId();
  const invokedFunctionArn = request.invokedFunctionArn ?? spec.functionArn;
  registry.dispatch({
    eventType: 'INVOKE',
    deadlineMs,
    requestId,
    invokedFunctionArn,
    tracing: { type: 'X-Amzn-Trace-Id', value: traceId },
  });
  const pending = channel.invoke({
    requestId,
    payload: request.payload,
    deadlineMs,
    invokedFunctionArn,
    traceId,
    ...(request.clientContext === undefined ? {} : { clientContext: request.clientContext }),
    ...(request.cognitoIdentity === undefined ? {} : { cognitoIdentity: request.cognitoIdentity }),
    ...(request.tenantId === undefined ? {} : { tenantId: request.tenantId }),
  });
  // Every wait of this invocation is dropped at its end: a reaction left on a promise that
  // lives as long as the runtime would keep this invocation's answer alive with it.
  const stop = new AbortController();
  // The runtime still sees Lambda's deadline; while a debugger may hold the function, it does not fire.
  const deadlineTimer = options.debug === undefined ? delay(Math.max(0, deadlineMs - Date.now()), 'timeout' as const) : noDeadline();
  const watch = memory.watch(runtime.process.pid, spec.memorySizeMb * MB);
  const ended = Promise.race([
    runtime.exit.wait(stop.signal).then((exit) => ({ exit })),
    deadlineTimer.promise,
    watch.outOfMemory,
    parts.failures.wait(stop.signal),
  ]);

  const handleEnd = async (end: Awaited<typeof ended>, stream: Readable | undefined): Promise<InvocationReport> => {
    if (end === undefined) throw new Error('An invocation ended without a cause');
    // The runtime will not call /next again: its runtimeDone is told at the reset (K.64).
    const endedAt = performance.now();
    const runtimeDone = (status: PlatformStatus, errorType?: string): void =>
      output.platform(
        runtimeDoneLine(requestId, status, errorType, { durationMs: endedAt - startedAt, producedBytes: 0, startedAt, respondedAt: endedAt, doneAt: endedAt }),
      );
    if (end === 'timeout') {
      runtimeDone('timeout');
      return timeOut(parts, requestId, answer, finish, stream);
    }
    channel.abandon();
    if (end === 'out-of-memory') {
      runtimeDone('error', 'Runtime.OutOfMemory');
      await processes.reset('failure');
      answer(functionError('Runtime.OutOfMemory', `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`));
      return finish('error', 'Runtime.OutOfMemory');
    }
    if ('exit' in end) {
      runtimeDone('error', 'Runtime.ExitError');
      await processes.reset('failure');
      answer(functionError('Runtime.ExitError', `RequestId: ${requestId} Error: ${describeExit(end.exit)}`));
      return finish('error', 'Runtime.ExitError');
    }
    runtimeDone('failure', end.errorType);
    await processes.reset('failure');
    answer(functionError(end.errorType, `RequestId: ${requestId} Error: ${end.message}`));
    return finish('failure', end.errorType);
  };

  try {
    const first = await Promise.race([pending.response.then((response) => ({ response })), ended]);
    if (first === undefined || typeof first === 'string' || !('response' in first)) return await handleEnd(first, undefined);
    const respondedAt = performance.now();
    const delivered = deliverResponse(first.response, answer);

    // The runtime is done when it calls /next again (and a stream has ended); the
    // invocation when every INVOKE-subscribed extension has called /next too.
    const runtimeDone = Promise.all([pending.runtimeDone, delivered.completion]).then(() => {
      const now = performance.now();
      output.platform(
        runtimeDoneLine(requestId, delivered.status, delivered.errorType, {
          durationMs: now - startedAt,
          producedBytes: delivered.producedBytes(),
          startedAt,
          respondedAt,
          doneAt: now,
        }),
      );
    });
    const done = Promise.all([runtimeDone, conditions.when(() => registry.allIdle)]).then(() => 'done' as const);
    const second = await Promise.race([done, ended]);
    if (second !== 'done') return await handleEnd(second, delivered.stream);
    // A last look at the peak: an invocation can end before the first periodic sample.
    await memory.samplePeak(runtime.process.pid);
    return finish(delivered.status, delivered.errorType);
  } finally {
    stop.abort();
    deadlineTimer.cancel();
    watch.stop();
  }
}

async function timeOut(parts: EnvironmentParts, requestId: string, answer: Answer, finish: Finish, stream: Readable | undefined): Promise<InvocationReport> {
  const { spec, output, processes } = parts;
  const channel = singleChannel(parts);
  const seconds = spec.timeoutSeconds.toFixed(2);
  channel.abandon();
  output.emit({ time: new Date(), type: 'platform', text: timeoutLine(new Date(), requestId, spec.timeoutSeconds), requestId });
  const message = `RequestId: ${requestId} Error: Task timed out after ${seconds} seconds`;
  // The caller learns at the deadline; the reset that follows is the environment's business.
  stream?.destroy(new Error(`Task timed out after ${seconds} seconds`));
  answer(functionError('Sandbox.Timedout', message));
  await processes.reset('timeout');
  // Lambda reports a timed-out invocation's duration as the timeout itself.
  return finish('timeout', undefined, spec.timeoutSeconds * 1000);
}

function finishReport(
  parts: EnvironmentParts,
  requestId: string,
  collected: Collected,
  status: PlatformStatus,
  errorType: string | undefined,
  durationMs: number,
  initDurationMs: number | undefined,
): InvocationReport {
  const { spec, options, output, memory } = parts;
  // Since August 2025 a cold start's billed duration includes its init.
  const billedDurationMs = Math.ceil(durationMs + (initDurationMs ?? 0));
  const metrics = {
    durationMs: Math.round(durationMs * 100) / 100,
    billedDurationMs,
    memorySizeMb: spec.memorySizeMb,
    maxMemoryUsedMb: Math.max(1, Math.round(memory.peakBytes / MB)),
    ...(initDurationMs === undefined ? {} : { initDurationMs: Math.round(initDurationMs * 100) / 100 }),
  };
  output.platform({ type: 'platform.end', record: { requestId }, text: `END RequestId: ${requestId}` }, { telemetry: false });
  output.platform(reportLine(requestId, metrics, status, errorType));
  options.onEvent?.({ type: 'invocation-complete', requestId, status });
  return { requestId, status, ...(errorType === undefined ? {} : { errorType }), ...metrics, logs: collected.logs, telemetry: collected.telemetry };
}
