import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FunctionSpec } from '../assembly/index.js';
import { isCdkLocalError, ErrorCodes } from '../errors.js';
import type { LocalLambda } from '../host/index.js';
import { alreadyStarted, callbackTimedOut, invalidParameter, resourceNotFound } from './durable-error.js';
import { DurableExecution, executionArn } from './durable-execution.js';
import { toEnvelopeOperation, type ErrorObject, type ExecutionStatus, type Operation, type OperationUpdate } from './wire.js';

/** The version every local execution runs. */
export const DURABLE_VERSION = '$LATEST';

/** Waits between the attempts of an invocation that failed (a crash, a timeout, an error the SDK threw). */
const INVOCATION_RETRY_DELAYS_MS: readonly number[] = [500, 1000, 2000];
/** The longest delay one Node.js timer holds. */
const MAX_TIMER_MS = 2_147_483_647;
/** How long to wait before trying again when every environment of the function is busy. */
const THROTTLE_DELAY_MS = 250;

/** Options of {@link DurableService}. */
export interface DurableServiceOptions {
  /** Runs the functions. The service never closes it. */
  readonly local: LocalLambda;
  /**
   * Multiplies every wait (`context.wait`) and step retry delay: 0 ends them at once, 0.1 makes
   * them ten times shorter. Callback timeouts and execution timeouts are not scaled.
   * @default 1
   */
  readonly timeScale?: number;
  /** Told when an operation of an execution starts or changes (e.g. a callback to answer starts). */
  readonly onOperation?: (execution: DurableExecution, operation: Operation) => void;
  /** Told when an execution ends. */
  readonly onExecutionEnd?: (execution: DurableExecution) => void;
  /** One-line notices. */
  readonly onNotice?: (message: string) => void;
}

/** What {@link DurableService.start} is asked. */
export interface StartExecutionOptions {
  /** The event: JSON text. */
  readonly payload: string;
  /** `DurableExecutionName`: the idempotency key. @default a new UUID */
  readonly name?: string;
  /** The qualifier it was invoked with. @default `$LATEST` */
  readonly qualifier?: string;
}

/** Filters of {@link DurableService.list}. */
export interface ListExecutionsOptions {
  readonly name?: string;
  readonly statuses?: readonly ExecutionStatus[];
  readonly startedAfterMs?: number;
  readonly startedBeforeMs?: number;
  readonly reverseOrder?: boolean;
}

interface ExecutionRecord {
  readonly execution: DurableExecution;
  readonly spec: FunctionSpec;
  /** The version or alias the execution was started with; `$LATEST` runs the function as declared. */
  readonly qualifier: string;
  /** Set while an invocation runs (or is about to). */
  running: Promise<void> | undefined;
  /** Asked to run again once the invocation under way ends. */
  again: boolean;
  readonly timers: Map<string, NodeJS.Timeout>;
  readonly ended: Promise<void>;
  readonly resolveEnded: () => void;
  /** Consecutive failed invocations. */
  failures: number;
  /** Set once the end was told. */
  told: boolean;
}

function errorFromBody(body: Buffer, fallbackType: string): ErrorObject {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errorType?: unknown; errorMessage?: unknown; trace?: unknown; stackTrace?: unknown };
    const trace = Array.isArray(parsed.trace) ? parsed.trace : Array.isArray(parsed.stackTrace) ? parsed.stackTrace : undefined;
    return {
      ErrorType: typeof parsed.errorType === 'string' ? parsed.errorType : fallbackType,
      ErrorMessage: typeof parsed.errorMessage === 'string' ? parsed.errorMessage : body.toString('utf8'),
      ...(trace === undefined ? {} : { StackTrace: trace.map(String) }),
    };
  } catch {
    return { ErrorType: fallbackType, ErrorMessage: body.toString('utf8') };
  }
}

/** The `{Status, Result, Error}` a durable function answers each invocation with. */
interface InvocationOutput {
  readonly Status: 'SUCCEEDED' | 'FAILED' | 'PENDING';
  readonly Result?: string;
  readonly Error?: ErrorObject;
}

function readOutput(body: Buffer): InvocationOutput | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as Partial<InvocationOutput> | null;
    if (parsed === null || typeof parsed !== 'object') return undefined;
    if (parsed.Status !== 'SUCCEEDED' && parsed.Status !== 'FAILED' && parsed.Status !== 'PENDING') return undefined;
    return parsed as InvocationOutput;
  } catch {
    return undefined;
  }
}

/**
 * The durable execution service, locally: it starts executions of durable functions, runs each
 * invocation of them with the envelope the durable execution SDK expects, takes their
 * checkpoints, ends waits and step retry delays on timers, takes callbacks, runs chained invokes
 * of the app's functions, and invokes the function again when there is news. Executions and
 * their history live in memory, as long as the service.
 */
export class DurableService implements AsyncDisposable {
  readonly #options: DurableServiceOptions;
  readonly #records = new Map<string, ExecutionRecord>();
  /** Callback id → execution ARN. */
  readonly #callbacks = new Map<string, string>();
  #closing: Promise<void> | undefined;
  readonly #stop = new AbortController();
  /** Set once the differences from Lambda were told. */
  #told = false;

  constructor(options: DurableServiceOptions) {
    this.#options = options;
  }

  /** The multiplier of waits and retry delays. */
  get timeScale(): number {
    return this.#options.timeScale ?? 1;
  }

  /**
   * Starts an execution of a durable function, or, for a name already used with the same
   * input, answers the execution of that name (an idempotent start). Returns it and whether it is new.
   */
  start(spec: FunctionSpec, options: StartExecutionOptions): { execution: DurableExecution; created: boolean } {
    if (this.#closing !== undefined) throw invalidParameter('The durable execution service is shutting down.');
    if (spec.durable === undefined) throw invalidParameter(`${spec.functionName} is not a durable function (it has no DurableConfig).`);
    const qualifier = options.qualifier ?? DURABLE_VERSION;
    if (options.name !== undefined) {
      const existing = [...this.#records.values()].find((record) => record.spec.functionArn === spec.functionArn && record.execution.name === options.name);
      if (existing !== undefined) {
        if (existing.execution.input !== options.payload) {
          throw alreadyStarted(`Durable execution '${options.name}' of ${spec.functionName} was already started with a different input; use another DurableExecutionName.`);
        }
        return { execution: existing.execution, created: false };
      }
    }
    if (!this.#told) {
      this.#told = true;
      this.#options.onNotice?.(
        `durable executions are kept in memory while cdk-local runs (Lambda keeps them ${spec.durable.retentionPeriodInDays} days), chained invokes reach only this app's functions${this.timeScale === 1 ? '' : `, and waits and retry delays are scaled by ${this.timeScale}`}.`,
      );
    }
    const name = options.name ?? randomUUID();
    const functionArn = `${spec.functionArn}:${qualifier}`;
    const execution = new DurableExecution({
      arn: executionArn(functionArn, name),
      name,
      functionArn,
      version: DURABLE_VERSION,
      input: options.payload,
      executionTimeoutSeconds: spec.durable.executionTimeoutSeconds,
      timeScale: this.timeScale,
      nowMs: Date.now(),
    });
    let resolveEnded!: () => void;
    const ended = new Promise<void>((resolve) => {
      resolveEnded = resolve;
    });
    const record: ExecutionRecord = { execution, spec, qualifier, running: undefined, again: false, timers: new Map(), ended, resolveEnded, failures: 0, told: false };
    this.#records.set(execution.arn, record);
    // The execution timeout is wall-clock time: it is not scaled.
    this.#setTimer(record, '$execution-timeout', spec.durable.executionTimeoutSeconds * 1000, () => {
      this.#close(record, 'TIMED_OUT', undefined, { ErrorType: 'ExecutionTimedOut', ErrorMessage: `The execution ran longer than its ExecutionTimeout of ${spec.durable?.executionTimeoutSeconds} seconds.` });
    });
    this.#wake(record);
    return { execution, created: true };
  }

  /** The execution with this ARN; `ResourceNotFoundException` when there is none. */
  get(arn: string): DurableExecution {
    return this.#record(arn).execution;
  }

  /** The function an execution belongs to. */
  functionOf(execution: DurableExecution): FunctionSpec {
    return this.#record(execution.arn).spec;
  }

  #record(arn: string): ExecutionRecord {
    const record = this.#records.get(arn);
    if (record === undefined) throw resourceNotFound(`Durable execution not found: ${arn}`);
    return record;
  }

  /** The executions of a function, oldest first (or newest first with `reverseOrder`). */
  list(spec: FunctionSpec, options: ListExecutionsOptions = {}): DurableExecution[] {
    const found = [...this.#records.values()]
      .filter((record) => record.spec.functionArn === spec.functionArn)
      .map((record) => record.execution)
      .filter(
        (execution) =>
          (options.name === undefined || execution.name === options.name) &&
          (options.statuses === undefined || options.statuses.length === 0 || options.statuses.includes(execution.status)) &&
          (options.startedAfterMs === undefined || execution.startMs > options.startedAfterMs) &&
          (options.startedBeforeMs === undefined || execution.startMs < options.startedBeforeMs),
      );
    return options.reverseOrder === true ? found.reverse() : found;
  }

  /** Resolves when the execution has ended (or `signal` aborts). */
  async waitForEnd(execution: DurableExecution, signal?: AbortSignal): Promise<void> {
    const { ended } = this.#record(execution.arn);
    if (signal === undefined) return ended;
    if (signal.aborted) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      signal.addEventListener('abort', done, { once: true });
      void ended.then(done);
    });
  }

  /** `StopDurableExecution`: ends a running execution as STOPPED. */
  stop(arn: string, error: ErrorObject | undefined): number {
    const record = this.#record(arn);
    if (record.execution.closed) throw invalidParameter(`Durable execution ${arn} has already ended (${record.execution.status}).`);
    this.#close(record, 'STOPPED', undefined, error ?? { ErrorType: 'ExecutionStopped', ErrorMessage: 'The execution was stopped.' });
    return record.execution.endMs ?? Date.now();
  }

  /** `CheckpointDurableExecution`. */
  checkpoint(arn: string, token: string | undefined, updates: readonly OperationUpdate[]): { token: string; operations: Operation[] } {
    const record = this.#record(arn);
    const { execution } = record;
    const now = Date.now();
    const { token: next, operations, effects } = execution.checkpoint(token, updates, now);
    for (const id of effects.cancelled) this.#clearTimer(record, id);
    for (const timer of effects.timers) {
      this.#setTimer(record, timer.id, timer.atMs - now, () => {
        if (timer.kind === 'wait') execution.completeWait(timer.id, Date.now());
        else execution.readyStep(timer.id);
        this.#notify(execution, timer.id);
        this.#wake(record);
      });
    }
    for (const callback of effects.callbacks) this.#startCallback(record, callback);
    for (const invoke of effects.invokes) void this.#runChainedInvoke(record, invoke.id, invoke.functionName, invoke.payload);
    for (const operation of operations) this.#options.onOperation?.(execution, operation);
    if (effects.closed) this.#ended(record);
    return { token: next, operations };
  }

  /** `GetDurableExecutionState`. */
  state(arn: string, token: string | undefined, marker: string | undefined, maxItems: number | undefined): { operations: Operation[]; nextMarker?: string } {
    return this.#record(arn).execution.state(token, marker, maxItems);
  }

  #callbackRecord(callbackId: string): { record: ExecutionRecord; operationId: string } {
    const arn = this.#callbacks.get(callbackId);
    const record = arn === undefined ? undefined : this.#records.get(arn);
    const operationId = record?.execution.callbacks.get(callbackId);
    if (record === undefined || operationId === undefined) throw resourceNotFound(`Callback not found: ${callbackId}`);
    const operation = record.execution.operations.get(operationId);
    if (operation?.Status === 'TIMED_OUT') throw callbackTimedOut(`Callback ${callbackId} has timed out.`);
    if (operation?.Status !== 'STARTED' || record.execution.closed) throw invalidParameter(`Callback ${callbackId} has already completed.`);
    return { record, operationId };
  }

  /** `SendDurableExecutionCallbackSuccess`. */
  succeedCallback(callbackId: string, result: Buffer): void {
    const { record, operationId } = this.#callbackRecord(callbackId);
    this.#completeCallback(record, operationId, 'SUCCEEDED', result.length === 0 ? {} : { result: result.toString('utf8') });
  }

  /** `SendDurableExecutionCallbackFailure`. */
  failCallback(callbackId: string, error: ErrorObject | undefined): void {
    const { record, operationId } = this.#callbackRecord(callbackId);
    this.#completeCallback(record, operationId, 'FAILED', { error: error ?? {} });
  }

  /** `SendDurableExecutionCallbackHeartbeat`: the heartbeat timeout starts over. */
  heartbeatCallback(callbackId: string): void {
    const { record, operationId } = this.#callbackRecord(callbackId);
    const started = record.execution.events.find((event) => event.Id === operationId && event.EventType === 'CallbackStarted');
    const heartbeatSeconds = started?.details.value['HeartbeatTimeout'];
    if (typeof heartbeatSeconds === 'number') this.#setHeartbeat(record, operationId, heartbeatSeconds);
  }

  #completeCallback(record: ExecutionRecord, operationId: string, status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT', outcome: { result?: string; error?: ErrorObject }): void {
    this.#clearTimer(record, operationId);
    this.#clearTimer(record, `${operationId}$heartbeat`);
    record.execution.completeCallback(operationId, status, Date.now(), outcome);
    this.#notify(record.execution, operationId);
    this.#wake(record);
  }

  #startCallback(record: ExecutionRecord, callback: { id: string; callbackId: string; timeoutSeconds?: number; heartbeatTimeoutSeconds?: number }): void {
    this.#callbacks.set(callback.callbackId, record.execution.arn);
    // Callback timeouts are how long an outside system may take: they are not scaled.
    if (callback.timeoutSeconds !== undefined && callback.timeoutSeconds > 0) {
      this.#setTimer(record, callback.id, callback.timeoutSeconds * 1000, () =>
        this.#completeCallback(record, callback.id, 'TIMED_OUT', { error: { ErrorType: 'CallbackTimeout', ErrorMessage: 'Callback timed out' } }),
      );
    }
    if (callback.heartbeatTimeoutSeconds !== undefined && callback.heartbeatTimeoutSeconds > 0) this.#setHeartbeat(record, callback.id, callback.heartbeatTimeoutSeconds);
  }

  #setHeartbeat(record: ExecutionRecord, operationId: string, seconds: number): void {
    this.#setTimer(record, `${operationId}$heartbeat`, seconds * 1000, () =>
      this.#completeCallback(record, operationId, 'TIMED_OUT', { error: { ErrorType: 'CallbackTimeout', ErrorMessage: 'Callback timed out on heartbeat' } }),
    );
  }

  /** A chained invoke: a durable function of the app runs as an execution of its own, any other function is invoked once. */
  async #runChainedInvoke(record: ExecutionRecord, id: string, functionName: string, payload: string | undefined): Promise<void> {
    const { execution } = record;
    const finish = (status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'STOPPED', outcome: { result?: string; error?: ErrorObject }): void => {
      execution.completeChainedInvoke(id, status, Date.now(), outcome);
      this.#notify(execution, id);
      this.#wake(record);
    };
    let target: FunctionSpec;
    let qualifier: string | undefined;
    try {
      ({ spec: target, qualifier } = this.#findTarget(functionName));
    } catch (error) {
      finish('FAILED', { error: { ErrorType: 'ResourceNotFoundException', ErrorMessage: error instanceof Error ? error.message : String(error) } });
      return;
    }
    if (target.durable !== undefined) {
      let child: DurableExecution;
      try {
        child = this.start(target, { payload: payload ?? '{}', name: `${execution.name.slice(0, 27)}-${id.slice(0, 36)}`.replace(/[^a-zA-Z0-9_-]/g, '-'), ...(qualifier === undefined ? {} : { qualifier }) }).execution;
      } catch (error) {
        finish('FAILED', { error: { ErrorType: 'InvalidParameterValueException', ErrorMessage: error instanceof Error ? error.message : String(error) } });
        return;
      }
      execution.linkChainedExecution(id, child.arn);
      await this.waitForEnd(child);
      const status = child.status === 'RUNNING' ? 'STOPPED' : child.status;
      finish(status, status === 'SUCCEEDED' ? (child.result === undefined ? {} : { result: child.result }) : { error: child.error ?? {} });
      return;
    }
    for (;;) {
      try {
        const handle = await this.#options.local.start(target, { payload: Buffer.from(payload ?? '{}'), ...(qualifier === undefined || qualifier === DURABLE_VERSION ? {} : { qualifier }) });
        const response = await handle.response;
        const report = await handle.report;
        if (response.kind === 'function-error') finish('FAILED', { error: errorFromBody(response.body, response.errorType) });
        else if (report.status === 'timeout') finish('TIMED_OUT', { error: { ErrorType: 'Sandbox.Timedout', ErrorMessage: 'Task timed out' } });
        else if (response.kind === 'payload') finish('SUCCEEDED', { result: response.body.toString('utf8') });
        else finish('FAILED', { error: { ErrorType: 'InvalidResponse', ErrorMessage: 'A streamed response cannot be the result of a chained invoke.' } });
        return;
      } catch (error) {
        if (isCdkLocalError(error) && error.code === ErrorCodes.TOO_MANY_REQUESTS && !this.#stop.signal.aborted) {
          await sleep(THROTTLE_DELAY_MS, undefined, { signal: this.#stop.signal }).catch(() => undefined);
          continue;
        }
        finish('FAILED', { error: { ErrorType: 'ServiceException', ErrorMessage: error instanceof Error ? error.message : String(error) } });
        return;
      }
    }
  }

  /** The app's function a chained invoke names: by name or ARN, with or without a qualifier. */
  #findTarget(functionName: string): { spec: FunctionSpec; qualifier?: string } {
    const functions = this.#options.local.functions;
    const arn = /^arn:[^:]+:lambda:[^:]+:\d{12}:function:([^:]+)(?::([^:]+))?$/.exec(functionName);
    const [name, qualifier] = arn === null ? functionName.split(':') : [arn[1], arn[2]];
    const spec = functions.find((candidate) => candidate.functionName === name) ?? functions.find((candidate) => candidate.logicalId === name || candidate.constructPath === name);
    if (spec === undefined) throw resourceNotFound(`Function not found: ${functionName} (a chained invoke runs the functions of this app only).`);
    return { spec, ...(qualifier === undefined || qualifier === '' ? {} : { qualifier }) };
  }

  #setTimer(record: ExecutionRecord, key: string, delayMs: number, fire: () => void): void {
    this.#clearTimer(record, key);
    if (record.execution.closed || this.#closing !== undefined) return;
    // setTimeout holds at most about 24.8 days; a longer wait (an execution may last a year) re-arms.
    const stepMs = Math.max(0, Math.min(delayMs, MAX_TIMER_MS));
    const timer = setTimeout(() => {
      record.timers.delete(key);
      if (delayMs > MAX_TIMER_MS) this.#setTimer(record, key, delayMs - MAX_TIMER_MS, fire);
      else if (!record.execution.closed) fire();
    }, stepMs);
    record.timers.set(key, timer);
  }

  #clearTimer(record: ExecutionRecord, key: string): void {
    const timer = record.timers.get(key);
    if (timer !== undefined) clearTimeout(timer);
    record.timers.delete(key);
  }

  #notify(execution: DurableExecution, operationId: string): void {
    const operation = execution.operations.get(operationId);
    if (operation !== undefined) this.#options.onOperation?.(execution, operation);
  }

  /** Runs the function now, or right after the invocation under way. */
  #wake(record: ExecutionRecord): void {
    if (record.execution.closed || this.#closing !== undefined) return;
    if (record.running !== undefined) {
      record.again = true;
      return;
    }
    record.running = this.#drive(record).finally(() => {
      record.running = undefined;
    });
  }

  async #drive(record: ExecutionRecord): Promise<void> {
    do {
      record.again = false;
      await this.#invoke(record);
    } while (!record.execution.closed && this.#closing === undefined && (record.again || record.execution.hasNews));
  }

  /** One invocation of the function with the execution's envelope, and what its answer means. */
  async #invoke(record: ExecutionRecord): Promise<void> {
    const { execution, spec } = record;
    const requestId = randomUUID();
    const { token, operations, nextMarker, updatedOperationIds } = execution.beginInvocation();
    const envelope = {
      DurableExecutionArn: execution.arn,
      CheckpointToken: token,
      InitialExecutionState: { Operations: operations.map(toEnvelopeOperation), ...(nextMarker === undefined ? {} : { NextMarker: nextMarker }) },
      ...(updatedOperationIds.length === 0 ? {} : { UpdatedOperationIds: updatedOperationIds }),
    };
    const startMs = Date.now();
    let failure: ErrorObject | undefined;
    let output: InvocationOutput | undefined;
    try {
      const handle = await this.#options.local.start(spec, {
        payload: Buffer.from(JSON.stringify(envelope)),
        requestId,
        invokedFunctionArn: execution.functionArn,
        // A version or alias runs in that version's own environments, as every invocation of it does.
        ...(record.qualifier === DURABLE_VERSION ? {} : { qualifier: record.qualifier }),
      });
      const response = await handle.response;
      const report = await handle.report;
      if (report.status === 'timeout') failure = { ErrorType: 'Sandbox.Timedout', ErrorMessage: `RequestId: ${requestId} Error: Task timed out after ${spec.timeoutSeconds.toFixed(2)} seconds` };
      else if (response.kind === 'function-error') failure = errorFromBody(response.body, response.errorType);
      else if (response.kind === 'stream') failure = { ErrorType: 'InvalidResponse', ErrorMessage: 'A durable function cannot stream its response.' };
      else {
        output = readOutput(response.body);
        if (output === undefined) {
          // Not the SDK's answer at all: the handler is not wrapped with withDurableExecution.
          execution.endInvocation(requestId, startMs, Date.now());
          this.#close(record, 'FAILED', undefined, {
            ErrorType: 'InvalidDurableExecutionOutput',
            ErrorMessage: `${spec.functionName} answered without a durable execution status; wrap its handler with withDurableExecution from @aws/durable-execution-sdk-js.`,
          });
          return;
        }
      }
    } catch (error) {
      execution.endInvocation(requestId, startMs, Date.now());
      if (isCdkLocalError(error) && error.code === ErrorCodes.TOO_MANY_REQUESTS && this.#closing === undefined) {
        await sleep(THROTTLE_DELAY_MS, undefined, { signal: this.#stop.signal }).catch(() => undefined);
        record.again = true;
        return;
      }
      if (isCdkLocalError(error) && error.code === ErrorCodes.CLOSED) return;
      failure = { ErrorType: 'ServiceException', ErrorMessage: error instanceof Error ? error.message : String(error) };
    }
    execution.endInvocation(requestId, startMs, Date.now(), failure);
    if (execution.closed) {
      this.#ended(record);
      return;
    }
    if (failure !== undefined) {
      // A failed invocation is tried again; the execution fails once the retries are spent.
      const delay = INVOCATION_RETRY_DELAYS_MS[record.failures];
      record.failures += 1;
      if (delay === undefined) {
        this.#close(record, 'FAILED', undefined, failure);
        return;
      }
      this.#options.onNotice?.(`${spec.constructPath}: invocation ${requestId} of durable execution ${execution.name} failed (${failure.ErrorType}); trying again.`);
      this.#setTimer(record, '$invocation-retry', delay, () => this.#wake(record));
      return;
    }
    record.failures = 0;
    if (output?.Status === 'SUCCEEDED') this.#close(record, 'SUCCEEDED', output.Result, undefined);
    else if (output?.Status === 'FAILED') this.#close(record, 'FAILED', undefined, output.Error ?? {});
  }

  #close(record: ExecutionRecord, status: Exclude<ExecutionStatus, 'RUNNING'>, result: string | undefined, error: ErrorObject | undefined): void {
    record.execution.close(status, Date.now(), result, error);
    this.#ended(record);
  }

  #ended(record: ExecutionRecord): void {
    for (const timer of record.timers.values()) clearTimeout(timer);
    record.timers.clear();
    if (!record.execution.closed || record.told) return;
    record.told = true;
    record.resolveEnded();
    this.#options.onExecutionEnd?.(record.execution);
  }

  /** Cancels every timer and waits for the invocations under way; executions end where they are. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#stop.abort();
      for (const record of this.#records.values()) {
        for (const timer of record.timers.values()) clearTimeout(timer);
        record.timers.clear();
      }
      await Promise.allSettled([...this.#records.values()].map((record) => record.running));
      for (const record of this.#records.values()) record.resolveEnded();
    })();
    return this.#closing;
  }

  /** Same as {@link close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
