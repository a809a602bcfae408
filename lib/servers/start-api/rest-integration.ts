import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { JSONPath } from 'jsonpath-plus';
import type { ApiIntegration, ApiStageSpec, FunctionSpec, IntegrationResponseSpec, NonProxyIntegration, RestApiKeySpec, RestApiSpec, RestRouteSpec } from '../../assembly/index.js';
import type { LocalLambda } from '../../host/index.js';
import { formatRequestTime, headerValue, headerValues, parseQueryString, shortRequestId, type ApiAnswer, type ApiRequest } from './api-request.js';
import { failureAnswer, notImplementedAnswer } from './front-end-answers.js';
import { backendHeaders, isEndToEndHeader, readBackendBody, sendToBackend } from './http-backend.js';
import { invokeIntegration } from './invoke-integration.js';
import { MappingTemplateError, renderTemplate, type TemplateInput, type TemplateParams } from './mapping-template.js';

/** How a REST integration other than a Lambda proxy went: an answer, or a response written already. */
export interface RestIntegrationResult {
  readonly answer?: ApiAnswer;
  readonly written?: { readonly statusCode: number };
  readonly function?: FunctionSpec;
  readonly requestId?: string;
  readonly detail?: string;
}

/** What {@link runRestIntegration} needs to know about the request. */
export interface RestIntegrationRequest {
  readonly api: RestApiSpec;
  readonly stage: ApiStageSpec;
  readonly route: RestRouteSpec;
  /** The integration of the route, not a Lambda proxy one. */
  readonly integration: Exclude<ApiIntegration, { kind: 'lambda-proxy' }>;
  readonly request: ApiRequest;
  readonly pathParameters: Readonly<Record<string, string>>;
  /** The path after the stage. */
  readonly path: string;
  /** The API key the request passed the method's check with. */
  readonly apiKey?: RestApiKeySpec;
  readonly local: LocalLambda;
  /** For an `HTTP_PROXY` integration in `STREAM` mode, which writes the response as it comes. */
  readonly response: ServerResponse;
  readonly onRejected?: (message: string) => void;
}

function json(statusCode: number, body: string, errorType?: string): ApiAnswer {
  return { statusCode, headers: [['Content-Type', 'application/json'], ...(errorType === undefined ? [] : ([['x-amzn-ErrorType', errorType]] as [string, string][]))], body: Buffer.from(body) };
}

const INTERNAL_ERROR = (): ApiAnswer => json(500, '{"message": "Internal server error"}', 'InternalServerErrorException');
const UNSUPPORTED_MEDIA_TYPE = (): ApiAnswer => json(415, '{"message":"Unsupported Media Type"}', 'UnsupportedMediaTypeException');

/** The request's parameters as `$input.params()` and `method.request.*` see them: the last value of a name. */
function paramsOf(request: ApiRequest, pathParameters: Readonly<Record<string, string>>): TemplateParams {
  const querystring: Record<string, string> = {};
  for (const [name, value] of parseQueryString(request.rawQueryString)) querystring[name] = value;
  const header: Record<string, string> = {};
  for (const [name, value] of request.headers) header[name] = value;
  return { path: { ...pathParameters }, querystring, header };
}

/** `$context`, as API Gateway fills it for a REST request. */
function contextOf(input: RestIntegrationRequest): Record<string, unknown> {
  const { api, stage, request, route } = input;
  const host = headerValue(request, 'host') ?? 'localhost';
  const domainName = host.split(':')[0] ?? host;
  return {
    accountId: api.accountId,
    apiId: api.apiId,
    domainName,
    domainPrefix: domainName.split('.')[0] ?? domainName,
    extendedRequestId: shortRequestId(request.requestId),
    httpMethod: request.method,
    identity: {
      sourceIp: request.sourceIp,
      userAgent: headerValue(request, 'user-agent') ?? '',
      ...(input.apiKey === undefined ? {} : { apiKey: input.apiKey.value, apiKeyId: input.apiKey.keyId }),
    },
    path: `/${stage.stageName}${input.path}`,
    protocol: request.protocol,
    requestId: request.requestId,
    requestTime: formatRequestTime(request.timeEpochMs),
    requestTimeEpoch: request.timeEpochMs,
    resourcePath: route.resourcePath,
    stage: stage.stageName,
  };
}

function mediaType(value: string | undefined): string | undefined {
  const type = value?.split(';')[0]?.trim().toLowerCase();
  return type === '' ? undefined : type;
}

function findTemplate(templates: Readonly<Record<string, string>>, type: string): [string, string] | undefined {
  return Object.entries(templates).find(([key]) => key.toLowerCase() === type);
}

/**
 * The request template for the request's content type (`application/json` without one), or
 * what the passthrough behaviour says: the body as it is, or a 415.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html
 */
function selectRequestTemplate(integration: NonProxyIntegration, request: ApiRequest): { template: string } | { passthrough: true } | { rejected: true } {
  const type = mediaType(headerValue(request, 'content-type')) ?? 'application/json';
  const found = findTemplate(integration.requestTemplates, type);
  if (found !== undefined) return { template: found[1] };
  const none = Object.keys(integration.requestTemplates).length === 0;
  if (integration.passthroughBehavior === 'WHEN_NO_MATCH' || (integration.passthroughBehavior === 'WHEN_NO_TEMPLATES' && none)) return { passthrough: true };
  return { rejected: true };
}

/** The response template for the request's `Accept`, else `application/json`, else the first one. */
function selectResponseTemplate(templates: Readonly<Record<string, string>>, request: ApiRequest): [string, string] | undefined {
  const entries = Object.entries(templates);
  if (entries.length === 0) return undefined;
  for (const accepted of (headerValue(request, 'accept') ?? '').split(',')) {
    const type = mediaType(accepted);
    const found = type === undefined ? undefined : findTemplate(templates, type);
    if (found !== undefined) return found;
  }
  return findTemplate(templates, 'application/json') ?? entries[0];
}

/** A mapping expression's value: `'static'`, `method.request.*`, `stageVariables.x`, `context.x`. */
function requestSource(expression: string, input: RestIntegrationRequest, params: TemplateParams): string | undefined {
  const text = expression.trim();
  if (text.length >= 2 && text.startsWith("'") && text.endsWith("'")) return text.slice(1, -1);
  if (text.startsWith('stageVariables.')) return input.stage.variables[text.slice('stageVariables.'.length)];
  if (text.startsWith('context.')) return contextValue(contextOf(input), text.slice('context.'.length));
  const match = /^method\.request\.(path|querystring|multivaluequerystring|header|multivalueheader)\.(.+)$/.exec(text);
  if (match !== null) {
    const [, source, name] = match as unknown as [string, string, string];
    switch (source) {
      case 'path':
        return params.path[name];
      case 'querystring':
        return params.querystring[name];
      case 'multivaluequerystring': {
        const values = parseQueryString(input.request.rawQueryString).filter(([key]) => key === name).map(([, value]) => value);
        return values.length === 0 ? undefined : values.join(',');
      }
      default: {
        const values = headerValues(input.request, name);
        return values.length === 0 ? undefined : source === 'header' ? values[values.length - 1] : values.join(',');
      }
    }
  }
  if (text === 'method.request.body') return input.request.body.toString('utf8');
  if (text.startsWith('method.request.body.')) return jsonPathText(input.request.body.toString('utf8'), `$.${text.slice('method.request.body.'.length)}`);
  return undefined;
}

function contextValue(context: Record<string, unknown>, path: string): string | undefined {
  let value: unknown = context;
  for (const part of path.split('.')) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
  return value === undefined || value === null ? undefined : String(value);
}

function jsonPathText(body: string, path: string): string | undefined {
  try {
    const value: unknown = JSONPath({ path, json: JSON.parse(body) as object, wrap: false });
    return value === undefined || value === null ? undefined : typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** The integration request's parameters (`integration.request.header/querystring/path.*`) from its mapping. */
function integrationParameters(mapping: Readonly<Record<string, string>>, input: RestIntegrationRequest, params: TemplateParams): { header: Record<string, string>; querystring: Record<string, string>; path: Record<string, string> } {
  const mapped = { header: {} as Record<string, string>, querystring: {} as Record<string, string>, path: {} as Record<string, string> };
  for (const [target, source] of Object.entries(mapping)) {
    const match = /^integration\.request\.(header|querystring|path)\.(.+)$/.exec(target);
    const value = match === null ? undefined : requestSource(source, input, params);
    if (match !== null && value !== undefined) mapped[match[1] as 'header' | 'querystring' | 'path'][match[2]!] = value;
  }
  return mapped;
}

/** The backend URL: `{name}` filled from the mapped path parameters (encoded), the query string (raw, as sent) and the mapped one added. */
function backendUrl(uri: string, path: Record<string, string>, query: readonly (readonly [string, string])[], rawQueryString = ''): URL {
  const filled = uri.replace(/\{([^{}]+?)\+?\}/g, (whole, name: string) => {
    const value = path[name] ?? path[`${name}+`];
    if (value === undefined) return whole;
    return name === 'proxy' || whole.endsWith('+}') ? value.split('/').map((segment) => encodeURIComponent(decodeSafe(segment))).join('/') : encodeURIComponent(decodeSafe(value));
  });
  const url = new URL(filled);
  const added = query.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  const parts = [url.search.slice(1), rawQueryString, ...added].filter((part) => part !== '');
  url.search = parts.length === 0 ? '' : `?${parts.join('&')}`;
  return url;
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** What the integration gave back, before the integration response maps it. */
interface IntegrationOutput {
  /** What selection patterns are matched against: the Lambda error message or the status code. */
  readonly selector?: string;
  readonly body: string;
  readonly headers: readonly (readonly [string, string])[];
}

/**
 * The integration response a result selects: the first whose pattern matches the whole
 * selector (a Lambda error message, an HTTP or MOCK status), else the default one.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-integration-settings-integration-response.html
 */
export function selectIntegrationResponse(responses: readonly IntegrationResponseSpec[], selector: string | undefined): IntegrationResponseSpec | undefined {
  if (selector !== undefined) {
    for (const response of responses) {
      if (response.selectionPattern === undefined) continue;
      try {
        if (new RegExp(`^(?:${response.selectionPattern})$`).test(selector)) return response;
      } catch {
        // A pattern JavaScript cannot read selects nothing.
      }
    }
  }
  return responses.find((response) => response.selectionPattern === undefined);
}

/** `method.response.header.X` from `'static'`, `integration.response.header.Y`, `integration.response.body[.path]`, `context.x`, `stageVariables.x`. */
function responseHeaders(parameters: Readonly<Record<string, string>>, output: IntegrationOutput, input: RestIntegrationRequest): [string, string][] {
  const headers: [string, string][] = [];
  for (const [target, source] of Object.entries(parameters)) {
    const match = /^method\.response\.header\.(.+)$/.exec(target);
    if (match === null) continue;
    const text = source.trim();
    let value: string | undefined;
    if (text.length >= 2 && text.startsWith("'") && text.endsWith("'")) value = text.slice(1, -1);
    else if (text.startsWith('integration.response.header.') || text.startsWith('integration.response.multivalueheader.')) {
      const multi = text.startsWith('integration.response.multivalueheader.');
      const name = text.slice(multi ? 'integration.response.multivalueheader.'.length : 'integration.response.header.'.length).toLowerCase();
      const values = output.headers.filter(([key]) => key.toLowerCase() === name).map(([, item]) => item);
      value = values.length === 0 ? undefined : multi ? values.join(',') : values[values.length - 1];
    } else if (text === 'integration.response.body') value = output.body;
    else if (text.startsWith('integration.response.body.')) value = jsonPathText(output.body, `$.${text.slice('integration.response.body.'.length)}`);
    else if (text.startsWith('stageVariables.')) value = input.stage.variables[text.slice('stageVariables.'.length)];
    else if (text.startsWith('context.')) value = contextValue(contextOf(input), text.slice('context.'.length));
    if (value !== undefined) headers.push([match[1]!, value]);
  }
  return headers;
}

function templateInput(input: RestIntegrationRequest, params: TemplateParams, body: string): TemplateInput {
  return { body, params, context: contextOf(input), stageVariables: input.stage.variables };
}

/** Maps what the integration gave through the integration response it selects. */
function mapResponse(integration: NonProxyIntegration, output: IntegrationOutput, input: RestIntegrationRequest, params: TemplateParams): { answer: ApiAnswer; detail?: string } {
  const selected = selectIntegrationResponse(integration.integrationResponses, output.selector);
  if (selected === undefined) return { answer: INTERNAL_ERROR(), detail: `no integration response matches ${output.selector ?? 'the result'} and there is no default one` };
  const statusCode = Number(selected.statusCode);
  const headers = responseHeaders(selected.responseParameters, output, input);
  const template = selectResponseTemplate(selected.responseTemplates, input.request);
  let body = output.body;
  let status = Number.isInteger(statusCode) && statusCode >= 100 && statusCode <= 599 ? statusCode : 200;
  const contentType = template?.[0] ?? 'application/json';
  if (template !== undefined) {
    let rendered;
    try {
      rendered = renderTemplate(template[1], templateInput(input, params, output.body));
    } catch (error) {
      return { answer: INTERNAL_ERROR(), detail: `response mapping failed: ${error instanceof Error ? error.message : String(error)}` };
    }
    body = rendered.text;
    if (rendered.statusOverride !== undefined) status = rendered.statusOverride;
    for (const [name, value] of Object.entries(rendered.headerOverrides)) {
      const index = headers.findIndex(([key]) => key.toLowerCase() === name.toLowerCase());
      if (index >= 0) headers.splice(index, 1);
      headers.push([name, value]);
    }
  }
  if (!headers.some(([name]) => name.toLowerCase() === 'content-type')) headers.unshift(['Content-Type', contentType]);
  return { answer: { statusCode: status, headers, body: Buffer.from(body, 'utf8') } };
}

/** The status a MOCK integration's rendered request template asks for, read leniently as the service reads it (`{ statusCode: 200 }`). */
function mockStatus(text: string): string {
  return /["']?statusCode["']?\s*:\s*["']?(\d{3})/.exec(text)?.[1] ?? '200';
}

/**
 * Runs a REST method's integration that is not a Lambda proxy: MOCK, non-proxy Lambda, HTTP
 * (with request and response mapping) and HTTP_PROXY; anything else answers 501.
 */
export async function runRestIntegration(input: RestIntegrationRequest): Promise<RestIntegrationResult> {
  const { integration } = input;
  if (integration.kind === 'unsupported') return { answer: notImplementedAnswer(integration.description), detail: integration.description };
  if (integration.kind === 'http-proxy') return runHttpProxy(input, integration);
  const params = paramsOf(input.request, input.pathParameters);
  const selection = selectRequestTemplate(integration, input.request);
  if ('rejected' in selection) return { answer: UNSUPPORTED_MEDIA_TYPE(), detail: 'no request template for the content type, and the passthrough behaviour refuses it' };
  let payload = input.request.body.toString('utf8');
  let overrides: { header: Record<string, string>; querystring: Record<string, string>; path: Record<string, string> } = { header: {}, querystring: {}, path: {} };
  if ('template' in selection) {
    try {
      const rendered = renderTemplate(selection.template, templateInput(input, params, payload));
      payload = rendered.text;
      overrides = rendered.requestOverrides;
    } catch (error) {
      if (error instanceof MappingTemplateError && error.badInput) return { answer: json(400, JSON.stringify({ message: error.message }).replace('":"', '": "'), 'BadRequestException'), detail: error.message };
      return { answer: INTERNAL_ERROR(), detail: `request mapping failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  switch (integration.kind) {
    case 'mock': {
      const result = mapResponse(integration, { selector: mockStatus(payload), body: '', headers: [] }, input, params);
      return { answer: result.answer, ...(result.detail === undefined ? {} : { detail: result.detail }) };
    }
    case 'lambda':
      return runLambda(input, integration, params, payload);
    case 'http':
      return runHttp(input, integration, params, payload, overrides);
  }
}

async function runLambda(
  input: RestIntegrationRequest,
  integration: Extract<ApiIntegration, { kind: 'lambda' }>,
  params: TemplateParams,
  payload: string,
): Promise<RestIntegrationResult> {
  const fn = integration.function;
  let event: unknown;
  try {
    event = payload.trim() === '' ? {} : (JSON.parse(payload) as unknown);
  } catch {
    // Lambda refuses a payload that is not JSON; API Gateway answers that as a 500.
    return { answer: INTERNAL_ERROR(), function: fn, detail: 'the integration request is not JSON, which Lambda refuses' };
  }
  const invocation = { local: input.local, spec: fn, event, timeoutMs: integration.timeoutMs, ...(input.onRejected === undefined ? {} : { onRejected: input.onRejected }) };
  // `X-Amz-Invocation-Type: 'Event'` makes the invocation asynchronous: Lambda's empty 202 is the integration's answer.
  const mappedHeaders = Object.entries(integrationParameters(integration.requestParameters, input, params).header);
  if (mappedHeaders.some(([name, value]) => name.toLowerCase() === 'x-amz-invocation-type' && value.toLowerCase() === 'event')) {
    invokeIntegration({ ...invocation, timeoutMs: undefined }).catch(() => undefined);
    const result = mapResponse(integration, { body: '', headers: [] }, input, params);
    return { answer: result.answer, function: fn, ...(result.detail === undefined ? {} : { detail: result.detail }) };
  }
  const outcome = await invokeIntegration(invocation);
  let output: IntegrationOutput;
  let requestId: string | undefined;
  if (outcome.kind === 'payload') {
    output = { body: outcome.body.toString('utf8'), headers: [] };
    requestId = outcome.requestId;
  } else if (outcome.kind === 'failure' && outcome.failure === 'function-error') {
    // A function error is an integration response too: its errorMessage selects which.
    const body = outcome.errorPayload?.toString('utf8') ?? JSON.stringify({ errorMessage: outcome.detail });
    output = { selector: errorMessageOf(body) ?? '', body, headers: [] };
    requestId = outcome.requestId;
  } else if (outcome.kind === 'failure') {
    return { answer: failureAnswer('rest', outcome.failure), function: fn, ...(outcome.requestId === undefined ? {} : { requestId: outcome.requestId }), detail: outcome.detail };
  } else {
    return { answer: failureAnswer('rest', 'function-error'), function: fn };
  }
  const result = mapResponse(integration, output, input, params);
  return { answer: result.answer, function: fn, ...(requestId === undefined ? {} : { requestId }), ...(result.detail === undefined ? {} : { detail: result.detail }) };
}

function errorMessageOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as unknown;
    const message = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)['errorMessage'] : undefined;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}

async function runHttp(
  input: RestIntegrationRequest,
  integration: Extract<ApiIntegration, { kind: 'http' }>,
  params: TemplateParams,
  payload: string,
  overrides: { header: Record<string, string>; querystring: Record<string, string>; path: Record<string, string> },
): Promise<RestIntegrationResult> {
  const mapped = integrationParameters(integration.requestParameters, input, params);
  const path = { ...mapped.path, ...overrides.path };
  const query = Object.entries({ ...mapped.querystring, ...overrides.querystring });
  const headers: [string, string][] = [
    ['Content-Type', mediaType(headerValue(input.request, 'content-type')) ?? 'application/json'],
    ['Accept', 'application/json'],
    ['User-Agent', `AmazonAPIGateway_${input.api.apiId}`],
    ['X-Amzn-Trace-Id', headerValue(input.request, 'x-amzn-trace-id') ?? ''],
    ...Object.entries({ ...mapped.header, ...overrides.header }),
  ];
  const method = integration.httpMethod === 'ANY' ? input.request.method : integration.httpMethod;
  let url: URL;
  try {
    url = backendUrl(integration.uri, path, query);
  } catch {
    return { answer: INTERNAL_ERROR(), detail: `the integration URL ${integration.uri} is not a URL once its parameters are filled` };
  }
  const outcome = await sendToBackend({ url, method, headers: dedupe(headers), body: Buffer.from(payload, 'utf8'), timeoutMs: integration.timeoutMs });
  if (outcome.kind === 'timeout') return { answer: failureAnswer('rest', 'integration-timeout'), detail: `${url.origin} gave no answer within ${integration.timeoutMs} ms` };
  if (outcome.kind === 'error') return { answer: INTERNAL_ERROR(), detail: `${url.origin}: ${outcome.detail}` };
  const body = await readBackendBody(outcome.response).catch(() => Buffer.alloc(0));
  const result = mapResponse(integration, { selector: String(outcome.response.statusCode ?? 200), body: body.toString('utf8'), headers: backendHeaders(outcome.response) }, input, params);
  return { answer: result.answer, ...(result.detail === undefined ? {} : { detail: result.detail }) };
}

/** A later header of the same name replaces an earlier one (mapped ones win over defaults). */
function dedupe(headers: readonly (readonly [string, string])[]): [string, string][] {
  const byName = new Map<string, [string, string]>();
  for (const [name, value] of headers) {
    byName.delete(name.toLowerCase());
    byName.set(name.toLowerCase(), [name, value]);
  }
  return [...byName.values()];
}

/**
 * An `HTTP_PROXY` integration: the request goes to the backend as it came (method, headers,
 * query string, body), with the URL's `{proxy}` and other variables filled from the mapped
 * parameters; the backend's status, headers and body come back as they are.
 */
async function runHttpProxy(input: RestIntegrationRequest, integration: Extract<ApiIntegration, { kind: 'http-proxy' }>): Promise<RestIntegrationResult> {
  const params = paramsOf(input.request, input.pathParameters);
  const mapped = integrationParameters(integration.requestParameters, input, params);
  const headers = dedupe([...input.request.headers, ...Object.entries(mapped.header)]);
  const method = integration.httpMethod === 'ANY' ? input.request.method : integration.httpMethod;
  let url: URL;
  try {
    url = backendUrl(integration.uri, mapped.path, Object.entries(mapped.querystring), input.request.rawQueryString);
  } catch {
    return { answer: INTERNAL_ERROR(), detail: `the integration URL ${integration.uri} is not a URL once its parameters are filled` };
  }
  const outcome = await sendToBackend({ url, method, headers, body: input.request.body, timeoutMs: integration.timeoutMs });
  if (outcome.kind === 'timeout') return { answer: failureAnswer('rest', 'integration-timeout'), detail: `${url.origin} gave no answer within ${integration.timeoutMs} ms` };
  if (outcome.kind === 'error') return { answer: INTERNAL_ERROR(), detail: `${url.origin}: ${outcome.detail}` };
  const statusCode = outcome.response.statusCode ?? 502;
  const back = backendHeaders(outcome.response).filter(([name]) => isEndToEndHeader(name));
  if (integration.responseTransferMode === 'STREAM') {
    const { response } = input;
    response.writeHead(statusCode, [...back, ['x-amzn-RequestId', input.request.requestId], ['x-amz-apigw-id', shortRequestId(input.request.requestId)]].flat());
    response.flushHeaders();
    try {
      for await (const chunk of outcome.response as AsyncIterable<Buffer>) {
        // A client that went away never drains: stop waiting when the response closes.
        if (!response.destroyed && !response.write(chunk)) await Promise.race([once(response, 'drain'), once(response, 'close')]);
      }
    } catch {
      // The backend cut the body short: the client sees it end.
    }
    response.end();
    return { written: { statusCode } };
  }
  const body = await readBackendBody(outcome.response).catch(() => Buffer.alloc(0));
  return { answer: { statusCode, headers: back, body } };
}
