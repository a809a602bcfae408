import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  DurableApiError,
  epochSeconds,
  toApiEvent,
  toApiOperation,
  type DurableExecution,
  type ErrorObject,
  type ExecutionStatus,
  type OperationUpdate,
} from '../../durable/index.js';
import { findServedFunction } from './find-served-function.js';
import type { LambdaApiContext } from './lambda-api-context.js';
import { LambdaHeaders } from './lambda-headers.js';
import { readRequestBody } from './read-request-body.js';
import { invalidParameterValue, ServiceError } from './service-error.js';

/** The API version of the durable execution operations. */
const PREFIX = '/2025-12-01';
/** The largest checkpoint or callback body taken. */
const MAX_DURABLE_BODY_BYTES = 6 * 1024 * 1024;
const DEFAULT_HISTORY_PAGE = 100;
const EXECUTION_STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'STOPPED'];

type Query = Record<string, string | string[] | undefined>;
type ArnRequest = FastifyRequest<{ Params: { arn: string }; Querystring: Query }>;

/** The durable service's refusal as the Invoke API's error. */
export function fromDurableError(error: DurableApiError): ServiceError {
  return new ServiceError(error.statusCode, error.errorType, error.message, { messageField: error.messageField });
}

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function readInteger(name: string, value: string | string[] | undefined): number | undefined {
  const text = one(value);
  if (text === undefined || text === '') return undefined;
  const number = Number(text);
  if (!Number.isInteger(number) || number < 0) throw invalidParameterValue(`${name} must be a whole number, not '${text}'.`);
  return number;
}

function readBoolean(value: string | string[] | undefined): boolean {
  return one(value) === 'true';
}

function readTime(name: string, value: string | string[] | undefined): number | undefined {
  const text = one(value);
  if (text === undefined || text === '') return undefined;
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : Date.parse(text);
  if (!Number.isFinite(ms)) throw invalidParameterValue(`${name} must be a timestamp, not '${text}'.`);
  return ms;
}

async function readJson(request: FastifyRequest, reply: FastifyReply, context: LambdaApiContext, operation: string): Promise<unknown> {
  const body = await readRequestBody(request.raw, reply.raw, { limitBytes: MAX_DURABLE_BODY_BYTES, operation, timeoutMs: context.requestBodyTimeoutMs });
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw new ServiceError(400, 'InvalidRequestContentException', `Could not parse the ${operation} request body as JSON.`);
  }
}

function readErrorObject(value: unknown): ErrorObject | undefined {
  if (value === undefined || value === null || typeof value !== 'object') return undefined;
  const fields = value as Record<string, unknown>;
  const text = (name: string): string | undefined => (typeof fields[name] === 'string' ? (fields[name] as string) : undefined);
  const stack = Array.isArray(fields['StackTrace']) ? (fields['StackTrace'] as unknown[]).map(String) : undefined;
  const error = {
    ...(text('ErrorMessage') === undefined ? {} : { ErrorMessage: text('ErrorMessage') }),
    ...(text('ErrorType') === undefined ? {} : { ErrorType: text('ErrorType') }),
    ...(text('ErrorData') === undefined ? {} : { ErrorData: text('ErrorData') }),
    ...(stack === undefined ? {} : { StackTrace: stack }),
  };
  return error;
}

/** An execution as `GetDurableExecution` and `ListDurableExecutionsByFunction` describe it. */
function describeExecution(execution: DurableExecution, includeData: boolean | undefined): Record<string, unknown> {
  const summary: Record<string, unknown> = {
    DurableExecutionArn: execution.arn,
    DurableExecutionName: execution.name,
    FunctionArn: execution.functionArn,
    Status: execution.status,
    StartTimestamp: epochSeconds(execution.startMs),
    ...(execution.endMs === undefined ? {} : { EndTimestamp: epochSeconds(execution.endMs) }),
  };
  if (includeData === undefined) return summary;
  return {
    ...summary,
    Version: execution.version,
    ...(includeData
      ? {
          InputPayload: execution.input,
          ...(execution.result === undefined ? {} : { Result: execution.result }),
          ...(execution.error === undefined ? {} : { Error: execution.error }),
        }
      : {}),
    ExecutionDataIncluded: includeData,
  };
}

/**
 * The durable execution operations of the Lambda API (2025-12-01), at the AWS SDK's paths and
 * with its shapes: what the durable execution SDK calls from inside a function
 * (`CheckpointDurableExecution`, `GetDurableExecutionState`) and the control operations
 * (`GetDurableExecution`, `GetDurableExecutionHistory`, `ListDurableExecutionsByFunction`,
 * `StopDurableExecution`, `SendDurableExecutionCallbackSuccess|Failure|Heartbeat`).
 * https://docs.aws.amazon.com/lambda/latest/api/API_CheckpointDurableExecution.html
 */
export async function registerDurableRoutes(app: FastifyInstance, context: LambdaApiContext): Promise<void> {
  const durable = context.durable;
  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader(LambdaHeaders.requestId)) reply.header(LambdaHeaders.requestId, randomUUID());
  });

  app.post(`${PREFIX}/durable-executions/:arn/checkpoint`, async (request, reply) => {
    const { arn } = (request as ArnRequest).params;
    const body = ((await readJson(request, reply, context, 'CheckpointDurableExecution')) ?? {}) as { CheckpointToken?: string; Updates?: OperationUpdate[] };
    const { token, operations } = durable.checkpoint(arn, body.CheckpointToken, Array.isArray(body.Updates) ? body.Updates : []);
    return { CheckpointToken: token, NewExecutionState: { Operations: operations.map(toApiOperation) } };
  });

  app.get(`${PREFIX}/durable-executions/:arn/state`, async (request) => {
    const { params, query } = request as ArnRequest;
    const page = durable.state(params.arn, one(query['CheckpointToken']), one(query['Marker']), readInteger('MaxItems', query['MaxItems']));
    return { Operations: page.operations.map(toApiOperation), ...(page.nextMarker === undefined ? {} : { NextMarker: page.nextMarker }) };
  });

  app.get(`${PREFIX}/durable-executions/:arn`, async (request) => {
    const { params, query } = request as ArnRequest;
    const execution = durable.get(params.arn);
    return describeExecution(execution, readBoolean(query['IncludeExecutionData']));
  });

  app.get(`${PREFIX}/durable-executions/:arn/history`, async (request) => {
    const { params, query } = request as ArnRequest;
    const execution = durable.get(params.arn);
    const includeData = readBoolean(query['IncludeExecutionData']);
    const events = readBoolean(query['ReverseOrder']) ? [...execution.events].reverse() : execution.events;
    const start = readInteger('Marker', query['Marker']) ?? 0;
    const size = readInteger('MaxItems', query['MaxItems']) || DEFAULT_HISTORY_PAGE;
    const page = events.slice(start, start + size).map((event) => toApiEvent(event, includeData));
    return { Events: page, ...(start + size < events.length ? { NextMarker: String(start + size) } : {}) };
  });

  app.post(`${PREFIX}/durable-executions/:arn/stop`, async (request, reply) => {
    const { arn } = (request as ArnRequest).params;
    const error = readErrorObject(await readJson(request, reply, context, 'StopDurableExecution'));
    const stoppedMs = durable.stop(arn, error);
    return { StopTimestamp: epochSeconds(stoppedMs) };
  });

  app.get(`${PREFIX}/functions/:FunctionName/durable-executions`, async (request) => {
    const { params, query } = request as FastifyRequest<{ Params: { FunctionName: string }; Querystring: Query }>;
    const { spec } = findServedFunction(context.functions, params.FunctionName, query['Qualifier'], context.arnDefaults);
    const statusValues = query['Statuses'] === undefined ? [] : ([] as string[]).concat(query['Statuses']).flatMap((value) => value.split(','));
    const unknown = statusValues.find((value) => !EXECUTION_STATUSES.includes(value as ExecutionStatus));
    if (unknown !== undefined) throw invalidParameterValue(`Unknown execution status '${unknown}'; use ${EXECUTION_STATUSES.join(', ')}.`);
    const name = one(query['DurableExecutionName']);
    const after = readTime('StartedAfter', query['StartedAfter']);
    const before = readTime('StartedBefore', query['StartedBefore']);
    const executions = durable.list(spec, {
      ...(name === undefined ? {} : { name }),
      statuses: statusValues as ExecutionStatus[],
      ...(after === undefined ? {} : { startedAfterMs: after }),
      ...(before === undefined ? {} : { startedBeforeMs: before }),
      reverseOrder: readBoolean(query['ReverseOrder']),
    });
    const start = readInteger('Marker', query['Marker']) ?? 0;
    const size = readInteger('MaxItems', query['MaxItems']) || 50;
    const page = executions.slice(start, start + size).map((execution) => describeExecution(execution, undefined));
    return { DurableExecutions: page, ...(start + size < executions.length ? { NextMarker: String(start + size) } : {}) };
  });

  type CallbackRequest = FastifyRequest<{ Params: { id: string } }>;
  app.post(`${PREFIX}/durable-execution-callbacks/:id/succeed`, async (request, reply) => {
    const result = await readRequestBody(request.raw, reply.raw, { limitBytes: MAX_DURABLE_BODY_BYTES, operation: 'SendDurableExecutionCallbackSuccess', timeoutMs: context.requestBodyTimeoutMs });
    durable.succeedCallback((request as CallbackRequest).params.id, result);
    return {};
  });
  app.post(`${PREFIX}/durable-execution-callbacks/:id/fail`, async (request, reply) => {
    const error = readErrorObject(await readJson(request, reply, context, 'SendDurableExecutionCallbackFailure'));
    durable.failCallback((request as CallbackRequest).params.id, error);
    return {};
  });
  app.post(`${PREFIX}/durable-execution-callbacks/:id/heartbeat`, async (request, reply) => {
    await readRequestBody(request.raw, reply.raw, { limitBytes: MAX_DURABLE_BODY_BYTES, operation: 'SendDurableExecutionCallbackHeartbeat', timeoutMs: context.requestBodyTimeoutMs });
    durable.heartbeatCallback((request as CallbackRequest).params.id);
    return {};
  });
}
