import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import type { ConcurrentRuntimeChannel } from '../runtime-api/index.js';
import { CdkLocalError, ErrorCodes } from '../errors.js';
import { answerOnce, deliverResponse, functionError, type Answer } from './caller-response.js';
import { delay, type Delay } from './delay.js';
import { initializeEnvironment, type InitResult } from './environment-init.js';
import type { Collected } from './environment-output.js';
import type { EnvironmentParts } from './environment-parts.js';
import type { EnvironmentFailure } from './environment-processes.js';
import type { InvocationHandle, InvocationReport, InvokeRequest } from './environment-types.js';
import { describeExit, type ExitInfo } from './managed-process.js';
import { reportLine, runtimeDoneLine, startLine, timeoutLine, type PlatformStatus } from './platform-lines.js';

const MB = 1024 * 1024;

/**
 * The init of a Managed Instances environment may take the function timeout or 130 seconds,
 * whichever is longer (https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-execution-environment.html).
 */
const MIN_INIT_TIMEOUT_MS = 130_000;

type Finish = (status: PlatformStatus, errorType: string | undefined, durationMs?: number) => InvocationReport;
type End = 'timeout' | 'out-of-memory' | { readonly exit: ExitInfo } | EnvironmentFailure;

function newTraceId(): string {
  const epoch = Math.floor(Date.now() / 1000).toString(16);
  const hex = (bytes: number): string => randomUUID().replaceAll('-', '').slice(0, bytes * 2);
  return `Root=1-${epoch}-${hex(12)};Parent=${hex(8)};Sampled=0`;
}

/** A deadline that never comes, while a debugger may hold the function. */
function noDeadline(): Delay<'timeout'> {
  return { promise: new Promise<undefined>(() => undefined), cancel: () => undefined };
}

/**
 * The invocations of one Lambda Managed Instances execution environment, up to
 * `PerExecutionEnvironmentMaxConcurrency` at once (docs/conformance.md Y): they share one init
 * and one runtime process, each has its own deadline, and the environment is never frozen.
 * As in the service, a timed-out invocation is answered `Sandbox.Timedout` and let be (the
 * runtime keeps running, the others go on); a runtime that exits, runs out of memory, or an
 * extension that fails, resets the environment and fails every invocation under way.
 */
export class ConcurrentInvocations {
  readonly #parts: EnvironmentParts;
  readonly #channel: ConcurrentRuntimeChannel;
  readonly #maxConcurrency: number;
  #inFlight = 0;
  #init: Promise<InitResult> | undefined;
  #reset: Promise<void> | undefined;

  constructor(parts: EnvironmentParts, channel: ConcurrentRuntimeChannel, maxConcurrency: number) {
    this.#parts = parts;
    this.#channel = channel;
    this.#maxConcurrency = maxConcurrency;
  }

  /** Invocations under way (init included). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Starts one more invocation; throws when the environment already runs its maximum. */
  invoke(request: InvokeRequest): InvocationHandle {
    const { spec, lifecycle } = this.#parts;
    if (lifecycle.state === 'shutdown') throw new CdkLocalError(ErrorCodes.CLOSED, `The environment of ${spec.constructPath} was shut down.`);
    if (this.#inFlight >= this.#maxConcurrency) {
      throw new CdkLocalError(ErrorCodes.ENVIRONMENT_FAILED, `The environment of ${spec.constructPath} already runs ${this.#maxConcurrency} invocation(s), its PerExecutionEnvironmentMaxConcurrency.`);
    }
    this.#inFlight += 1;
    const requestId = request.requestId ?? randomUUID();
    const { response, answer } = answerOnce();
    const report = this.#run(requestId, request, answer).finally(() => this.#end());
    report.catch(() => answer(functionError('Sandbox.Failure', 'The execution environment failed')));
    return { requestId, response, report };
  }

  async #run(requestId: string, request: InvokeRequest, answer: Answer): Promise<InvocationReport> {
    const { spec, lifecycle, output, processes } = this.#parts;
    const collected = output.collectFor(requestId);
    try {
      let initDurationMs: number | undefined;
      if (processes.runtime === undefined || this.#init !== undefined) {
        const ranInit = this.#init === undefined;
        const init = await this.#initialize();
        // The invocation whose arrival started the init reports its duration, as a cold start.
        if (ranInit) initDurationMs = init.durationMs;
        if (init.status !== 'success') {
          output.platform(startLine(requestId, spec.version), { requestId });
          answer({ kind: 'function-error', errorType: init.errorType, body: init.body, contentType: init.contentType });
          return this.#finishReport(requestId, collected, init.status === 'timeout' ? 'timeout' : 'error', init.errorType, 0, initDurationMs);
        }
      } else if (lifecycle.state === 'idle') {
        lifecycle.moveTo('invoking');
      }
      return await this.#invokeRuntime(requestId, request, answer, collected, initDurationMs);
    } finally {
      output.stopCollectingFor(requestId);
    }
  }

  /** The init every invocation that arrives meanwhile waits for; started by the first. */
  #initialize(): Promise<InitResult> {
    this.#init ??= (async () => {
      const { spec, options, lifecycle } = this.#parts;
      try {
        // A reset after the last runtime's end must be over before a new runtime starts.
        await this.#reset;
        // Invocations on a runtime that died may still be finishing: the environment starts over.
        if (lifecycle.state === 'invoking') lifecycle.moveTo('uninitialized');
        lifecycle.moveTo('initializing');
        const budgetMs = options.initTimeoutMs ?? Math.max(MIN_INIT_TIMEOUT_MS, spec.timeoutSeconds * 1000);
        const init = await initializeEnvironment(this.#parts, 'init', budgetMs);
        lifecycle.moveUnlessShutdown(init.status === 'success' ? 'invoking' : 'uninitialized');
        return init;
      } finally {
        this.#init = undefined;
      }
    })();
    return this.#init;
  }

  async #invokeRuntime(requestId: string, request: InvokeRequest, answer: Answer, collected: Collected, initDurationMs: number | undefined): Promise<InvocationReport> {
    const { spec, options, output, processes, memory } = this.#parts;
    const runtime = processes.runtime!;
    const startedAt = performance.now();
    const deadlineMs = Date.now() + spec.timeoutSeconds * 1000;
    output.platform(startLine(requestId, spec.version), { requestId });
    const finish: Finish = (status, errorType, durationMs = performance.now() - startedAt) =>
      this.#finishReport(requestId, collected, status, errorType, durationMs, initDurationMs);
    const pending = this.#channel.invoke({
      requestId,
      payload: request.payload,
      deadlineMs,
      invokedFunctionArn: request.invokedFunctionArn ?? spec.functionArn,
      traceId: request.traceId ?? newTraceId(),
      ...(request.clientContext === undefined ? {} : { clientContext: request.clientContext }),
      ...(request.cognitoIdentity === undefined ? {} : { cognitoIdentity: request.cognitoIdentity }),
    });
    const stop = new AbortController();
    const deadline = options.debug === undefined ? delay(Math.max(0, deadlineMs - Date.now()), 'timeout' as const) : noDeadline();
    const watch = memory.watch(runtime.process.pid, spec.memorySizeMb * MB);
    const ended: Promise<End | undefined> = Promise.race([
      runtime.exit.wait(stop.signal).then((exit) => ({ exit })),
      deadline.promise,
      watch.outOfMemory,
      this.#parts.failures.wait(stop.signal),
    ]);
    const runtimeDone = (status: PlatformStatus, errorType: string | undefined, producedBytes: number, respondedAt: number): void => {
      const now = performance.now();
      output.platform(runtimeDoneLine(requestId, status, errorType, { durationMs: now - startedAt, producedBytes, startedAt, respondedAt, doneAt: now }), { requestId });
    };
    const handleEnd = async (end: End | undefined, stream: Readable | undefined): Promise<InvocationReport> => {
      if (end === undefined) throw new Error('An invocation ended without a cause');
      const endedAt = performance.now();
      if (end === 'timeout') {
        // The service answers the caller and lets the runtime run on: no reset, the others go on.
        this.#channel.abandon(requestId, 'timeout');
        runtimeDone('timeout', undefined, 0, endedAt);
        output.emit({ time: new Date(), type: 'platform', text: timeoutLine(new Date(), requestId, spec.timeoutSeconds), requestId });
        const seconds = spec.timeoutSeconds.toFixed(2);
        stream?.destroy(new Error(`Task timed out after ${seconds} seconds`));
        answer(functionError('Sandbox.Timedout', `RequestId: ${requestId} Error: Task timed out after ${seconds} seconds`));
        return finish('timeout', undefined, spec.timeoutSeconds * 1000);
      }
      this.#channel.abandon(requestId);
      if (end === 'out-of-memory') {
        runtimeDone('error', 'Runtime.OutOfMemory', 0, endedAt);
        await this.#resetOnce();
        answer(functionError('Runtime.OutOfMemory', `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`));
        return finish('error', 'Runtime.OutOfMemory');
      }
      if ('exit' in end) {
        runtimeDone('error', 'Runtime.ExitError', 0, endedAt);
        await this.#resetOnce();
        answer(functionError('Runtime.ExitError', `RequestId: ${requestId} Error: ${describeExit(end.exit)}`));
        return finish('error', 'Runtime.ExitError');
      }
      runtimeDone('failure', end.errorType, 0, endedAt);
      await this.#resetOnce();
      answer(functionError(end.errorType, `RequestId: ${requestId} Error: ${end.message}`));
      return finish('failure', end.errorType);
    };

    try {
      const first = await Promise.race([pending.response.then((response) => ({ response })), ended]);
      if (first === undefined || typeof first === 'string' || !('response' in first)) return await handleEnd(first, undefined);
      const respondedAt = performance.now();
      const delivered = deliverResponse(first.response, answer);
      // Here the invocation ends with its answer: the runtime's worker asks for more whenever it likes.
      const done = Promise.all([pending.runtimeDone, delivered.completion]).then(() => 'done' as const);
      const second = await Promise.race([done, ended]);
      if (second !== 'done') return await handleEnd(second, delivered.stream);
      runtimeDone(delivered.status, delivered.errorType, delivered.producedBytes(), respondedAt);
      await memory.samplePeak(runtime.process.pid);
      return finish(delivered.status, delivered.errorType);
    } finally {
      stop.abort();
      deadline.cancel();
      watch.stop();
    }
  }

  /** One reset for every invocation that the runtime's end fails at once. */
  #resetOnce(): Promise<void> {
    this.#reset ??= this.#parts.processes.reset('failure').finally(() => {
      this.#reset = undefined;
    });
    return this.#reset;
  }

  #end(): void {
    const { lifecycle, processes } = this.#parts;
    this.#inFlight -= 1;
    if (this.#inFlight > 0 || this.#init !== undefined || lifecycle.state === 'shutdown') return;
    // Never frozen: a Managed Instances environment runs on between invocations.
    const next = processes.runtime === undefined ? 'uninitialized' : 'idle';
    if (lifecycle.state !== next && lifecycle.canMoveTo(next)) lifecycle.moveTo(next);
  }

  #finishReport(
    requestId: string,
    collected: Collected,
    status: PlatformStatus,
    errorType: string | undefined,
    durationMs: number,
    initDurationMs: number | undefined,
  ): InvocationReport {
    const { spec, options, output, memory } = this.#parts;
    const billedDurationMs = Math.ceil(durationMs + (initDurationMs ?? 0));
    const metrics = {
      durationMs: Math.round(durationMs * 100) / 100,
      billedDurationMs,
      memorySizeMb: spec.memorySizeMb,
      maxMemoryUsedMb: Math.max(1, Math.round(memory.peakBytes / MB)),
      ...(initDurationMs === undefined ? {} : { initDurationMs: Math.round(initDurationMs * 100) / 100 }),
    };
    output.platform({ type: 'platform.end', record: { requestId }, text: `END RequestId: ${requestId}` }, { telemetry: false, requestId });
    output.platform(reportLine(requestId, metrics, status, errorType), { requestId });
    options.onEvent?.({ type: 'invocation-complete', requestId, status });
    return { requestId, status, ...(errorType === undefined ? {} : { errorType }), ...metrics, logs: collected.logs, telemetry: collected.telemetry };
  }
}
