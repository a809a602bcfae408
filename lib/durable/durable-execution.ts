import { randomBytes, randomUUID } from 'node:crypto';
import { invalidParameter } from './durable-error.js';
import type { ErrorObject, ExecutionStatus, HistoryEvent, Operation, OperationAction, OperationStatus, OperationType, OperationUpdate } from './wire.js';

const OPERATION_TYPES: readonly OperationType[] = ['EXECUTION', 'STEP', 'WAIT', 'CALLBACK', 'CHAINED_INVOKE', 'CONTEXT'];

/** The actions each operation type takes. */
const ACTIONS: Readonly<Record<OperationType, readonly OperationAction[]>> = {
  EXECUTION: ['SUCCEED', 'FAIL'],
  STEP: ['START', 'SUCCEED', 'FAIL', 'RETRY'],
  WAIT: ['START', 'CANCEL'],
  CALLBACK: ['START', 'CANCEL'],
  CHAINED_INVOKE: ['START', 'CANCEL'],
  CONTEXT: ['START', 'SUCCEED', 'FAIL'],
};

/** Statuses after which an operation changes no more. */
export const CLOSED_STATUSES: readonly OperationStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT', 'STOPPED'];

/** Operations per page of the invocation envelope and of GetDurableExecutionState. */
export const STATE_PAGE_SIZE = 1000;

/** Work a checkpoint gives the service beyond its state: timers to set, callbacks to await, functions to invoke. */
export interface CheckpointEffects {
  /** Waits that end at `atMs`, and step retries that become ready then. */
  readonly timers: { readonly id: string; readonly atMs: number; readonly kind: 'wait' | 'retry' }[];
  readonly callbacks: { readonly id: string; readonly callbackId: string; readonly timeoutSeconds?: number; readonly heartbeatTimeoutSeconds?: number }[];
  readonly invokes: { readonly id: string; readonly functionName: string; readonly payload?: string; readonly tenantId?: string }[];
  /** Operations cancelled: their timers and callbacks are dropped. */
  readonly cancelled: string[];
  /** The execution was closed by the checkpoint (a result too large for the response). */
  closed: boolean;
}

/** What a new {@link DurableExecution} is. */
export interface DurableExecutionInit {
  readonly arn: string;
  readonly name: string;
  /** The function's ARN with the qualifier it was invoked with. */
  readonly functionArn: string;
  /** `$LATEST` or a version number: the version that runs. */
  readonly version: string;
  /** The execution's input: JSON text. */
  readonly input: string;
  readonly executionTimeoutSeconds: number;
  /** Multiplies every wait and retry delay (0: they end at once). */
  readonly timeScale: number;
  readonly nowMs: number;
}

function isType(value: string | undefined): value is OperationType {
  return OPERATION_TYPES.includes(value as OperationType);
}

/**
 * One durable execution and its state machine: its operations as checkpoints move them, its
 * history, and the checkpoint token of the invocation under way. Plain code without I/O; the
 * service runs its invocations and timers.
 */
export class DurableExecution {
  readonly arn: string;
  readonly name: string;
  readonly functionArn: string;
  readonly version: string;
  readonly input: string;
  readonly executionTimeoutSeconds: number;
  readonly startMs: number;
  readonly timeScale: number;
  status: ExecutionStatus = 'RUNNING';
  endMs: number | undefined;
  result: string | undefined;
  error: ErrorObject | undefined;
  readonly operations = new Map<string, Operation>();
  readonly events: HistoryEvent[] = [];
  /** Callback id → operation id. */
  readonly callbacks = new Map<string, string>();
  readonly executionOperationId: string;
  /** The checkpoint token of the invocation under way; each checkpoint replaces it. */
  #token: string | undefined;
  /** Operations changed outside an invocation's sight (a wait ended, a callback came). */
  readonly #changed = new Set<string>();
  #nextEventId = 1;

  constructor(init: DurableExecutionInit) {
    this.arn = init.arn;
    this.name = init.name;
    this.functionArn = init.functionArn;
    this.version = init.version;
    this.input = init.input;
    this.executionTimeoutSeconds = init.executionTimeoutSeconds;
    this.timeScale = init.timeScale;
    this.startMs = init.nowMs;
    this.executionOperationId = randomUUID();
    const operation: Operation = {
      Id: this.executionOperationId,
      Type: 'EXECUTION',
      Status: 'STARTED',
      StartTimestamp: init.nowMs,
      ExecutionDetails: { InputPayload: init.input },
    };
    this.operations.set(operation.Id, operation);
    this.#record('ExecutionStarted', operation, init.nowMs, { Input: { Payload: init.input }, ExecutionTimeout: init.executionTimeoutSeconds });
  }

  /** True once the execution has ended. */
  get closed(): boolean {
    return this.status !== 'RUNNING';
  }

  /** True when something changed that the function has not seen yet: it should run again. */
  get hasNews(): boolean {
    return this.#changed.size > 0;
  }

  #record(eventType: string, operation: Operation | undefined, nowMs: number, details: Record<string, unknown>, detailsName = `${eventType}Details`): void {
    const event: HistoryEvent = {
      EventType: eventType,
      EventId: this.#nextEventId++,
      EventTimestamp: nowMs,
      ...(operation?.SubType === undefined ? {} : { SubType: operation.SubType }),
      ...(operation === undefined ? {} : { Id: operation.Id }),
      ...(operation?.Name === undefined ? {} : { Name: operation.Name }),
      ...(operation?.ParentId === undefined ? {} : { ParentId: operation.ParentId }),
      details: { name: detailsName, value: withoutUndefined(details) },
    };
    this.events.push(event);
  }

  /** Starts an invocation: its checkpoint token, the first page of state, and what changed since the last one. */
  beginInvocation(): { token: string; operations: Operation[]; nextMarker?: string; updatedOperationIds: string[] } {
    this.#token = randomBytes(24).toString('base64url');
    const visible = this.visibleOperations();
    const updatedOperationIds = [...this.#changed];
    this.#changed.clear();
    return {
      token: this.#token,
      operations: visible.slice(0, STATE_PAGE_SIZE),
      ...(visible.length > STATE_PAGE_SIZE ? { nextMarker: String(STATE_PAGE_SIZE) } : {}),
      updatedOperationIds,
    };
  }

  /** Ends the invocation under way: its token is no longer taken, and its history event is written. */
  endInvocation(requestId: string, startMs: number, nowMs: number, error?: ErrorObject): void {
    this.#token = undefined;
    // A closed execution's history ends with its closing event.
    if (this.closed) return;
    this.#record('InvocationCompleted', undefined, nowMs, { StartTimestamp: startMs, EndTimestamp: nowMs, RequestId: requestId, ...(error === undefined ? {} : { Error: { Payload: error } }) });
  }

  #checkToken(token: string | undefined): void {
    if (token === undefined || token === '' || token !== this.#token || this.closed) throw invalidParameter('Invalid checkpoint token');
  }

  /**
   * The operations an invocation is given: all but the children of a closed child context that
   * does not replay its children (the SDK takes the context's result instead).
   */
  visibleOperations(): Operation[] {
    const hidden = new Set<string>();
    const visible: Operation[] = [];
    for (const operation of this.operations.values()) {
      const parent = operation.ParentId === undefined ? undefined : this.operations.get(operation.ParentId);
      if (
        parent !== undefined &&
        (hidden.has(parent.Id) || (parent.Type === 'CONTEXT' && (parent.Status === 'SUCCEEDED' || parent.Status === 'FAILED') && parent.ContextDetails?.ReplayChildren !== true))
      ) {
        hidden.add(operation.Id);
        continue;
      }
      visible.push(operation);
    }
    return visible;
  }

  /** `GetDurableExecutionState`: a page of the operations, for the invocation holding `token`. */
  state(token: string | undefined, marker: string | undefined, maxItems: number | undefined): { operations: Operation[]; nextMarker?: string } {
    this.#checkToken(token);
    const start = marker === undefined || marker === '' ? 0 : Number(marker);
    if (!Number.isInteger(start) || start < 0) throw invalidParameter(`Invalid marker '${marker}'.`);
    const size = maxItems === undefined || maxItems <= 0 ? STATE_PAGE_SIZE : Math.min(maxItems, STATE_PAGE_SIZE);
    const visible = this.visibleOperations();
    const page = visible.slice(start, start + size);
    return { operations: page, ...(start + size < visible.length ? { nextMarker: String(start + size) } : {}) };
  }

  /**
   * `CheckpointDurableExecution`: checks every update against the operations' states, applies
   * them in order, and answers a new token with the operations that changed (by these updates
   * or outside the invocation since it last looked).
   */
  checkpoint(token: string | undefined, updates: readonly OperationUpdate[], nowMs: number): { token: string; operations: Operation[]; effects: CheckpointEffects } {
    this.#checkToken(token);
    this.#validate(updates);
    const effects: CheckpointEffects = { timers: [], callbacks: [], invokes: [], cancelled: [], closed: false };
    const touched = new Set<string>();
    for (const update of updates) touched.add(this.#apply(update, nowMs, effects));
    for (const id of this.#changed) touched.add(id);
    this.#changed.clear();
    this.#token = effects.closed ? undefined : randomBytes(24).toString('base64url');
    return {
      token: this.#token ?? '',
      operations: [...touched].map((id) => this.operations.get(id)).filter((operation): operation is Operation => operation !== undefined),
      effects,
    };
  }

  #validate(updates: readonly OperationUpdate[]): void {
    const executionUpdates = updates.filter((update) => update.Type === 'EXECUTION');
    if (executionUpdates.length > 1) throw invalidParameter('Cannot checkpoint multiple EXECUTION updates.');
    if (executionUpdates.length === 1 && updates.at(-1)?.Type !== 'EXECUTION') throw invalidParameter('EXECUTION checkpoint must be the last update.');
    const startedHere = new Map<string, OperationType>();
    const seen = new Map<string, OperationUpdate>();
    for (const update of updates) {
      if (update.Id === undefined || update.Id === '') throw invalidParameter('Operation update must have an Id.');
      if (!isType(update.Type)) throw invalidParameter(`Unknown operation type '${update.Type}'.`);
      const action = update.Action as OperationAction;
      if (!ACTIONS[update.Type].includes(action)) throw invalidParameter(`Invalid action '${update.Action}' for a ${update.Type} operation.`);
      const before = seen.get(update.Id);
      // A step or context may be started and closed in one request; nothing else twice.
      if (before !== undefined && !((before.Type === 'STEP' || before.Type === 'CONTEXT') && before.Action === 'START' && action !== 'START')) {
        throw invalidParameter('Cannot update the same operation twice in a single request.');
      }
      if (update.ParentId !== undefined) {
        const parentType = startedHere.get(update.ParentId) ?? this.operations.get(update.ParentId)?.Type;
        if (parentType !== 'CONTEXT') throw invalidParameter('Invalid parent operation id.');
      }
      if (update.Error !== undefined && update.Payload !== undefined && update.Type !== 'CALLBACK' && update.Type !== 'CHAINED_INVOKE') {
        throw invalidParameter(`Cannot provide both a Payload and an Error for ${action}.`);
      }
      const current = update.Type === 'EXECUTION' ? undefined : this.operations.get(update.Id);
      // A status the batch has not changed yet is what counts for later updates of the same step.
      const status = before !== undefined ? 'STARTED' : current?.Status;
      checkTransition(update.Type, action, status, update);
      if (action === 'START') startedHere.set(update.Id, update.Type);
      seen.set(update.Id, update);
    }
  }

  #apply(update: OperationUpdate, nowMs: number, effects: CheckpointEffects): string {
    const type = update.Type as OperationType;
    const action = update.Action as OperationAction;
    if (type === 'EXECUTION') {
      // Whatever id the SDK gives it, an EXECUTION update is about the execution itself.
      if (action === 'SUCCEED') this.close('SUCCEEDED', nowMs, update.Payload ?? '', undefined);
      else this.close('FAILED', nowMs, undefined, update.Error ?? {});
      effects.closed = true;
      return this.executionOperationId;
    }
    const id = update.Id!;
    let operation = this.operations.get(id);
    if (operation === undefined) {
      operation = {
        Id: id,
        Type: type,
        Status: 'STARTED',
        StartTimestamp: nowMs,
        ...(update.ParentId === undefined ? {} : { ParentId: update.ParentId }),
        ...(update.Name === undefined ? {} : { Name: update.Name }),
        ...(update.SubType === undefined ? {} : { SubType: update.SubType }),
      };
      this.operations.set(id, operation);
    }
    switch (type) {
      case 'STEP':
        this.#applyStep(operation, action, update, nowMs, effects);
        break;
      case 'CONTEXT':
        this.#applyContext(operation, action, update, nowMs);
        break;
      case 'WAIT':
        if (action === 'START') {
          const seconds = update.WaitOptions?.WaitSeconds ?? 0;
          const end = nowMs + seconds * 1000 * this.timeScale;
          operation.WaitDetails = { ScheduledEndTimestamp: end };
          this.#record('WaitStarted', operation, nowMs, { Duration: seconds, ScheduledEndTimestamp: end });
          effects.timers.push({ id, atMs: end, kind: 'wait' });
        } else {
          this.#closeOperation(operation, 'CANCELLED', nowMs);
          this.#record('WaitCancelled', operation, nowMs, {});
          effects.cancelled.push(id);
        }
        break;
      case 'CALLBACK':
        if (action === 'START') {
          const callbackId = randomBytes(24).toString('base64url');
          operation.CallbackDetails = { CallbackId: callbackId };
          this.callbacks.set(callbackId, id);
          const options = update.CallbackOptions ?? {};
          this.#record('CallbackStarted', operation, nowMs, {
            CallbackId: callbackId,
            Timeout: options.TimeoutSeconds,
            HeartbeatTimeout: options.HeartbeatTimeoutSeconds,
            ...(update.Payload === undefined ? {} : { Input: { Payload: update.Payload } }),
          });
          effects.callbacks.push({
            id,
            callbackId,
            ...(options.TimeoutSeconds === undefined ? {} : { timeoutSeconds: options.TimeoutSeconds }),
            ...(options.HeartbeatTimeoutSeconds === undefined ? {} : { heartbeatTimeoutSeconds: options.HeartbeatTimeoutSeconds }),
          });
        } else {
          this.#closeOperation(operation, 'CANCELLED', nowMs);
          effects.cancelled.push(id);
        }
        break;
      case 'CHAINED_INVOKE':
        if (action === 'START') {
          const functionName = update.ChainedInvokeOptions?.FunctionName ?? '';
          this.#record('ChainedInvokeStarted', operation, nowMs, {
            FunctionName: functionName,
            TenantId: update.ChainedInvokeOptions?.TenantId,
            Input: { Payload: update.Payload },
          });
          effects.invokes.push({
            id,
            functionName,
            ...(update.Payload === undefined ? {} : { payload: update.Payload }),
            ...(update.ChainedInvokeOptions?.TenantId === undefined ? {} : { tenantId: update.ChainedInvokeOptions.TenantId }),
          });
        } else {
          this.#closeOperation(operation, 'STOPPED', nowMs);
          this.#record('ChainedInvokeStopped', operation, nowMs, {});
          effects.cancelled.push(id);
        }
        break;
    }
    return id;
  }

  #applyStep(operation: Operation, action: OperationAction, update: OperationUpdate, nowMs: number, effects: CheckpointEffects): void {
    const attempt = operation.StepDetails?.Attempt ?? 0;
    switch (action) {
      case 'START':
        operation.Status = 'STARTED';
        this.#record('StepStarted', operation, nowMs, {});
        break;
      case 'SUCCEED':
        operation.StepDetails = { ...operation.StepDetails, Attempt: attempt + 1, Result: update.Payload };
        delete operation.StepDetails.NextAttemptTimestamp;
        this.#closeOperation(operation, 'SUCCEEDED', nowMs);
        this.#record('StepSucceeded', operation, nowMs, { Result: { Payload: update.Payload }, RetryDetails: { CurrentAttempt: attempt + 1 } });
        break;
      case 'FAIL':
        operation.StepDetails = { ...operation.StepDetails, Attempt: attempt + 1, Error: update.Error };
        delete operation.StepDetails.NextAttemptTimestamp;
        this.#closeOperation(operation, 'FAILED', nowMs);
        this.#record('StepFailed', operation, nowMs, { Error: { Payload: update.Error }, RetryDetails: { CurrentAttempt: attempt + 1 } });
        break;
      case 'RETRY': {
        const delaySeconds = update.StepOptions?.NextAttemptDelaySeconds ?? 0;
        const next = nowMs + delaySeconds * 1000 * this.timeScale;
        operation.Status = 'PENDING';
        operation.StepDetails = { Attempt: attempt + 1, NextAttemptTimestamp: next, Result: update.Payload, Error: update.Error };
        const retryDetails = { CurrentAttempt: attempt + 1, NextAttemptDelaySeconds: delaySeconds };
        if (update.Error !== undefined) this.#record('StepFailed', operation, nowMs, { Error: { Payload: update.Error }, RetryDetails: retryDetails });
        else this.#record('StepSucceeded', operation, nowMs, { Result: { Payload: update.Payload }, RetryDetails: retryDetails });
        effects.timers.push({ id: operation.Id, atMs: next, kind: 'retry' });
        break;
      }
      default:
        break;
    }
  }

  #applyContext(operation: Operation, action: OperationAction, update: OperationUpdate, nowMs: number): void {
    const replayChildren = update.ContextOptions?.ReplayChildren ?? operation.ContextDetails?.ReplayChildren;
    if (action === 'START') {
      operation.ContextDetails = replayChildren === undefined ? {} : { ReplayChildren: replayChildren };
      this.#record('ContextStarted', operation, nowMs, {});
      return;
    }
    const succeeded = action === 'SUCCEED';
    operation.ContextDetails = {
      ...(replayChildren === undefined ? {} : { ReplayChildren: replayChildren }),
      ...(succeeded ? { Result: update.Payload } : { Error: update.Error }),
    };
    this.#closeOperation(operation, succeeded ? 'SUCCEEDED' : 'FAILED', nowMs);
    if (succeeded) this.#record('ContextSucceeded', operation, nowMs, { Result: { Payload: update.Payload } });
    else this.#record('ContextFailed', operation, nowMs, { Error: { Payload: update.Error } });
  }

  #closeOperation(operation: Operation, status: OperationStatus, nowMs: number): void {
    operation.Status = status;
    operation.EndTimestamp = nowMs;
  }

  /** A wait's time is up. */
  completeWait(id: string, nowMs: number): void {
    const operation = this.operations.get(id);
    if (operation?.Type !== 'WAIT' || operation.Status !== 'STARTED' || this.closed) return;
    this.#closeOperation(operation, 'SUCCEEDED', nowMs);
    const started = this.events.find((event) => event.Id === id && event.EventType === 'WaitStarted');
    this.#record('WaitSucceeded', operation, nowMs, { Duration: started?.details.value['Duration'] });
    this.#changed.add(id);
  }

  /** A step's retry delay is over: it may run again. */
  readyStep(id: string): void {
    const operation = this.operations.get(id);
    if (operation?.Type !== 'STEP' || operation.Status !== 'PENDING' || this.closed) return;
    operation.Status = 'READY';
    this.#changed.add(id);
  }

  /** A callback got its answer, failed or timed out. Refused when it is no longer waited for. */
  completeCallback(id: string, status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT', nowMs: number, outcome: { result?: string; error?: ErrorObject }): void {
    const operation = this.operations.get(id);
    if (operation === undefined || operation.Status !== 'STARTED' || this.closed) return;
    operation.CallbackDetails = {
      ...operation.CallbackDetails,
      ...(outcome.result === undefined ? {} : { Result: outcome.result }),
      ...(outcome.error === undefined ? {} : { Error: outcome.error }),
    };
    this.#closeOperation(operation, status, nowMs);
    if (status === 'SUCCEEDED') this.#record('CallbackSucceeded', operation, nowMs, { Result: { Payload: outcome.result } });
    else this.#record(status === 'FAILED' ? 'CallbackFailed' : 'CallbackTimedOut', operation, nowMs, { Error: { Payload: outcome.error } });
    this.#changed.add(id);
  }

  /** A chained invoke ended. */
  completeChainedInvoke(id: string, status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'STOPPED', nowMs: number, outcome: { result?: string; error?: ErrorObject }): void {
    const operation = this.operations.get(id);
    if (operation?.Type !== 'CHAINED_INVOKE' || operation.Status !== 'STARTED' || this.closed) return;
    operation.ChainedInvokeDetails = {
      ...(outcome.result === undefined ? {} : { Result: outcome.result }),
      ...(outcome.error === undefined ? {} : { Error: outcome.error }),
    };
    this.#closeOperation(operation, status, nowMs);
    const eventType = { SUCCEEDED: 'ChainedInvokeSucceeded', FAILED: 'ChainedInvokeFailed', TIMED_OUT: 'ChainedInvokeTimedOut', STOPPED: 'ChainedInvokeStopped' }[status];
    this.#record(eventType, operation, nowMs, status === 'SUCCEEDED' ? { Result: { Payload: outcome.result } } : { Error: { Payload: outcome.error } });
    this.#changed.add(id);
  }

  /** Notes that the chained invoke started a durable execution of its own. */
  linkChainedExecution(id: string, childArn: string): void {
    const started = this.events.find((event) => event.Id === id && event.EventType === 'ChainedInvokeStarted');
    if (started !== undefined) (started.details as { value: Record<string, unknown> }).value = { ...started.details.value, DurableExecutionArn: childArn, ExecutedVersion: '$LATEST' };
  }

  /** Ends the execution (once): its EXECUTION operation closes and the history gets its last event. */
  close(status: Exclude<ExecutionStatus, 'RUNNING'>, nowMs: number, result: string | undefined, error: ErrorObject | undefined): void {
    if (this.closed) return;
    this.status = status;
    this.endMs = nowMs;
    this.result = result;
    this.error = error;
    this.#token = undefined;
    const operation = this.operations.get(this.executionOperationId)!;
    this.#closeOperation(operation, status, nowMs);
    const eventType = { SUCCEEDED: 'ExecutionSucceeded', FAILED: 'ExecutionFailed', TIMED_OUT: 'ExecutionTimedOut', STOPPED: 'ExecutionStopped' }[status];
    this.#record(eventType, operation, nowMs, status === 'SUCCEEDED' ? { Result: { Payload: result } } : { Error: { Payload: error } });
  }

  /** What is still outstanding: open waits, step retries, callbacks and chained invokes. */
  outstanding(): Operation[] {
    return [...this.operations.values()].filter(
      (operation) => operation.Type !== 'EXECUTION' && operation.Type !== 'CONTEXT' && operation.Type !== 'STEP' ? operation.Status === 'STARTED' : operation.Type === 'STEP' && (operation.Status === 'PENDING' || operation.Status === 'READY'),
    );
  }
}

/** Refuses a transition the operation's status does not allow. */
function checkTransition(type: OperationType, action: OperationAction, status: OperationStatus | undefined, update: OperationUpdate): void {
  const refuse = (what: string): never => {
    throw invalidParameter(`Invalid current ${type} state to ${what}.`);
  };
  switch (type) {
    case 'STEP':
      if (action === 'START' && status !== undefined && status !== 'READY') refuse('start');
      if ((action === 'SUCCEED' || action === 'FAIL') && status !== undefined && status !== 'STARTED' && status !== 'READY') refuse('close');
      if (action === 'RETRY') {
        if (status !== undefined && status !== 'STARTED' && status !== 'READY') refuse('re-attempt');
        if (update.StepOptions === undefined) throw invalidParameter('Invalid StepOptions for the given action.');
      }
      break;
    case 'CONTEXT':
      if (action === 'START' && status !== undefined) refuse('start');
      if (action !== 'START' && status !== undefined && status !== 'STARTED') refuse('close');
      break;
    case 'WAIT':
    case 'CALLBACK':
    case 'CHAINED_INVOKE':
      if (action === 'START' && status !== undefined) refuse('start');
      if (action === 'CANCEL' && status !== 'STARTED') refuse('cancel');
      break;
    case 'EXECUTION':
      break;
  }
}

function withoutUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined));
}

/** A new execution's ARN: the function's qualified ARN, `/durable-execution/`, its name and a unique id. */
export function executionArn(qualifiedFunctionArn: string, name: string): string {
  return `${qualifiedFunctionArn}/durable-execution/${name}/${randomUUID()}`;
}
