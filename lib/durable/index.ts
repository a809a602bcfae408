/**
 * The durable execution service: executions of durable functions, their checkpoints, timers,
 * callbacks and chained invokes. Its HTTP face is in start-lambda's server.
 */
export { DurableApiError } from './durable-error.js';
export { DurableExecution, CLOSED_STATUSES, type CheckpointEffects, type DurableExecutionInit } from './durable-execution.js';
export { DurableService, DURABLE_VERSION, type DurableServiceOptions, type ListExecutionsOptions, type StartExecutionOptions } from './durable-service.js';
export { epochSeconds, toApiEvent, toApiOperation, type ErrorObject, type ExecutionStatus, type HistoryEvent, type Operation, type OperationAction, type OperationStatus, type OperationType, type OperationUpdate } from './wire.js';
