import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isSandboxConnection } from '../../host/index.js';
import { findServedFunction } from './find-served-function.js';
import { toAliasConfiguration, toFunctionConfiguration, toGetFunctionResponse } from './function-configuration.js';
import type { LambdaApiContext } from './lambda-api-context.js';
import { LambdaHeaders } from './lambda-headers.js';
import { invalidParameterValue, ServiceError } from './service-error.js';

/** ListFunctions returns 50 functions a page unless MaxItems says otherwise. */
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 10_000;

type FunctionRequest = FastifyRequest<{ Params: { FunctionName: string }; Querystring: { Qualifier?: string } }>;
type ListRequest = FastifyRequest<{ Querystring: { Marker?: string; MaxItems?: string } }>;
type ListOfFunctionRequest = FastifyRequest<{ Params: { FunctionName: string }; Querystring: { Marker?: string; MaxItems?: string; FunctionVersion?: string } }>;
type AliasRequest = FastifyRequest<{ Params: { FunctionName: string; Name: string } }>;

function readPageSize(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PAGE_SIZE;
  const size = Number(value);
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw invalidParameterValue(`1 validation error detected: Value '${value}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and ${MAX_PAGE_SIZE}`);
  }
  return size;
}

function readMarker(value: string | undefined, total: number): number {
  if (value === undefined || value === '') return 0;
  const start = Number(value);
  if (!Number.isInteger(start) || start < 0 || start > total) throw invalidParameterValue(`Invalid Marker '${value}'.`);
  return start;
}

/**
 * `GetFunction`, `GetFunctionConfiguration` and `ListFunctions`, answered from the app's
 * declared configuration, so that SDK code that looks its functions up works.
 * https://docs.aws.amazon.com/lambda/latest/api/API_GetFunction.html
 */
export async function registerFunctionRoutes(app: FastifyInstance, context: LambdaApiContext): Promise<void> {
  const find = (request: FunctionRequest) => findServedFunction(context.functions, request.params.FunctionName, request.query.Qualifier, context.arnDefaults);
  const page = <T>(request: ListOfFunctionRequest, items: readonly T[]): { items: T[]; next?: string } => {
    const start = readMarker(request.query.Marker, items.length);
    const end = start + readPageSize(request.query.MaxItems);
    return { items: items.slice(start, end), ...(end < items.length ? { next: String(end) } : {}) };
  };

  const list = async (request: ListRequest) => {
    // The marker is the index of the page's first function: the list never changes while serving.
    const start = readMarker(request.query.Marker, context.functions.length);
    const end = start + readPageSize(request.query.MaxItems);
    const page = context.functions.slice(start, end).map((spec) => toFunctionConfiguration(spec, context.lastModified));
    return { Functions: page, ...(end < context.functions.length ? { NextMarker: String(end) } : {}) };
  };
  app.get('/2015-03-31/functions', list);
  app.get('/2015-03-31/functions/', list);
  app.get('/2015-03-31/functions/:FunctionName', async (request) => {
    const served = find(request as FunctionRequest);
    return toGetFunctionResponse(served.spec, context.lastModified, served.qualifier);
  });
  app.get('/2015-03-31/functions/:FunctionName/configuration', async (request) => {
    const served = find(request as FunctionRequest);
    return toFunctionConfiguration(served.spec, context.lastModified, served.qualifier);
  });
  // https://docs.aws.amazon.com/lambda/latest/api/API_ListVersionsByFunction.html
  app.get('/2015-03-31/functions/:FunctionName/versions', async (request) => {
    const list = request as ListOfFunctionRequest;
    const { spec } = findServedFunction(context.functions, list.params.FunctionName, undefined, context.arnDefaults);
    const versions = ['$LATEST', ...(spec.versions ?? []).map((version) => version.version)];
    const { items, next } = page(list, versions);
    return { Versions: items.map((version) => toFunctionConfiguration(spec, context.lastModified, version)), ...(next === undefined ? {} : { NextMarker: next }) };
  });
  // https://docs.aws.amazon.com/lambda/latest/api/API_ListAliases.html
  app.get('/2015-03-31/functions/:FunctionName/aliases', async (request) => {
    const list = request as ListOfFunctionRequest;
    const { spec } = findServedFunction(context.functions, list.params.FunctionName, undefined, context.arnDefaults);
    const wanted = list.query.FunctionVersion;
    const aliases = (spec.aliases ?? []).filter((alias) => wanted === undefined || wanted === '' || alias.functionVersion === wanted);
    const { items, next } = page(list, aliases);
    return { Aliases: items.map((alias) => toAliasConfiguration(spec, alias, context.lastModified)), ...(next === undefined ? {} : { NextMarker: next }) };
  });
  // https://docs.aws.amazon.com/lambda/latest/api/API_GetAlias.html
  app.get('/2015-03-31/functions/:FunctionName/aliases/:Name', async (request) => {
    const { params } = request as AliasRequest;
    const { spec } = findServedFunction(context.functions, params.FunctionName, undefined, context.arnDefaults);
    const alias = spec.aliases?.find((candidate) => candidate.name === params.Name);
    if (alias === undefined) {
      throw new ServiceError(404, 'ResourceNotFoundException', `Alias not found: ${spec.functionArn}:${params.Name}`, { messageField: 'Message' });
    }
    return toAliasConfiguration(spec, alias, context.lastModified);
  });
  // A function's variables may hold secrets of its own: a function in a sandbox (which reaches
  // this server through its network stack) reads other functions' configuration without them.
  app.addHook('preSerialization', async (request, _reply, payload) =>
    (await isSandboxConnection(request.raw.socket)) ? withoutEnvironment(payload) : payload,
  );
  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader(LambdaHeaders.requestId)) reply.header(LambdaHeaders.requestId, randomUUID());
  });
}

/** A GetFunction, GetFunctionConfiguration or ListFunctions answer without the functions' `Environment`. */
function withoutEnvironment(payload: unknown): unknown {
  const strip = (configuration: unknown): unknown => {
    if (configuration === null || typeof configuration !== 'object') return configuration;
    const { Environment: _hidden, ...rest } = configuration as Record<string, unknown>;
    return rest;
  };
  if (payload === null || typeof payload !== 'object') return payload;
  const body = payload as Record<string, unknown>;
  if (Array.isArray(body['Functions'])) return { ...body, Functions: body['Functions'].map(strip) };
  if (Array.isArray(body['Versions'])) return { ...body, Versions: body['Versions'].map(strip) };
  if ('Configuration' in body) return { ...body, Configuration: strip(body['Configuration']) };
  return strip(body);
}
