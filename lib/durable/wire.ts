/**
 * The durable execution wire model, as the Lambda API (2025-12-01) and the durable execution
 * SDKs speak it. Timestamps are kept as epoch milliseconds here; the API answers them as epoch
 * seconds and the invocation envelope as ISO-8601 text (see {@link toApiOperation} and
 * {@link toEnvelopeOperation}).
 */

/** What kind of operation an entry of an execution's state is. */
export type OperationType = 'EXECUTION' | 'STEP' | 'WAIT' | 'CALLBACK' | 'CHAINED_INVOKE' | 'CONTEXT';

/** The status of one operation. */
export type OperationStatus = 'STARTED' | 'PENDING' | 'READY' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'TIMED_OUT' | 'STOPPED';

/** The transition a checkpoint asks for. */
export type OperationAction = 'START' | 'SUCCEED' | 'FAIL' | 'RETRY' | 'CANCEL';

/** The status of a whole execution. */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'STOPPED';

/** An error as the durable APIs carry it. */
export interface ErrorObject {
  readonly ErrorMessage?: string;
  readonly ErrorType?: string;
  readonly ErrorData?: string;
  readonly StackTrace?: readonly string[];
}

/** One requested transition in a `CheckpointDurableExecution` request. */
export interface OperationUpdate {
  readonly Id?: string;
  readonly ParentId?: string;
  readonly Name?: string;
  readonly Type?: string;
  readonly SubType?: string;
  readonly Action?: string;
  readonly Payload?: string;
  readonly Error?: ErrorObject;
  readonly ContextOptions?: { readonly ReplayChildren?: boolean };
  readonly StepOptions?: { readonly NextAttemptDelaySeconds?: number };
  readonly WaitOptions?: { readonly WaitSeconds?: number };
  readonly CallbackOptions?: { readonly TimeoutSeconds?: number; readonly HeartbeatTimeoutSeconds?: number };
  readonly ChainedInvokeOptions?: { readonly FunctionName?: string; readonly TenantId?: string };
}

/** One operation of an execution, as the service keeps it. */
export interface Operation {
  Id: string;
  ParentId?: string;
  Name?: string;
  Type: OperationType;
  SubType?: string;
  Status: OperationStatus;
  StartTimestamp: number;
  EndTimestamp?: number;
  ExecutionDetails?: { InputPayload?: string };
  ContextDetails?: { ReplayChildren?: boolean; Result?: string; Error?: ErrorObject };
  StepDetails?: { Attempt?: number; NextAttemptTimestamp?: number; Result?: string; Error?: ErrorObject };
  WaitDetails?: { ScheduledEndTimestamp?: number };
  CallbackDetails?: { CallbackId?: string; Result?: string; Error?: ErrorObject };
  ChainedInvokeDetails?: { Result?: string; Error?: ErrorObject };
}

/** One entry of an execution's history (`GetDurableExecutionHistory`). */
export interface HistoryEvent {
  readonly EventType: string;
  readonly EventId: number;
  readonly EventTimestamp: number;
  readonly SubType?: string;
  readonly Id?: string;
  readonly Name?: string;
  readonly ParentId?: string;
  /** The one `<EventType>Details` member. */
  readonly details: { readonly name: string; readonly value: Readonly<Record<string, unknown>> };
}

type Converted = Record<string, unknown>;

function convertTimes(operation: Operation, time: (ms: number) => unknown): Converted {
  const copy: Converted = { ...operation, StartTimestamp: time(operation.StartTimestamp) };
  if (operation.EndTimestamp !== undefined) copy['EndTimestamp'] = time(operation.EndTimestamp);
  if (operation.StepDetails?.NextAttemptTimestamp !== undefined) {
    copy['StepDetails'] = { ...operation.StepDetails, NextAttemptTimestamp: time(operation.StepDetails.NextAttemptTimestamp) };
  }
  if (operation.WaitDetails?.ScheduledEndTimestamp !== undefined) {
    copy['WaitDetails'] = { ScheduledEndTimestamp: time(operation.WaitDetails.ScheduledEndTimestamp) };
  }
  return copy;
}

/** Epoch seconds, the JSON timestamps of the Lambda API (restJson1). */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}

/** An operation as the Lambda API answers it: timestamps in epoch seconds. */
export function toApiOperation(operation: Operation): Converted {
  return convertTimes(operation, epochSeconds);
}

/** An operation as the invocation envelope carries it: timestamps in ISO-8601 text. */
export function toEnvelopeOperation(operation: Operation): Converted {
  return convertTimes(operation, (ms) => new Date(ms).toISOString());
}

/** A history event as `GetDurableExecutionHistory` answers it; without `IncludeExecutionData`, payloads are left out. */
export function toApiEvent(event: HistoryEvent, includeData: boolean): Converted {
  const { details, EventTimestamp, ...rest } = event;
  const value = includeData ? details.value : stripPayloads(details.value);
  return { ...rest, EventTimestamp: epochSeconds(EventTimestamp), [details.name]: convertDetailTimes(value) };
}

function convertDetailTimes(value: Readonly<Record<string, unknown>>): Converted {
  const copy: Converted = { ...value };
  for (const key of ['ScheduledEndTimestamp', 'StartTimestamp', 'EndTimestamp']) {
    if (typeof copy[key] === 'number') copy[key] = epochSeconds(copy[key]);
  }
  return copy;
}

function stripPayloads(value: Readonly<Record<string, unknown>>): Converted {
  const copy: Converted = {};
  for (const [key, member] of Object.entries(value)) {
    // The payloads (input, result, error) are what IncludeExecutionData asks for.
    if (key !== 'Input' && key !== 'Result' && key !== 'Error') copy[key] = member;
  }
  return copy;
}
