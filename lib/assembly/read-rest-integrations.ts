/**
 * What a REST API method does besides Lambda proxy integrations: MOCK, non-proxy Lambda
 * (`AWS`), `HTTP` and `HTTP_PROXY` integrations with their mappings; request validators and
 * models; API keys given to stages by usage plans.
 */
import type { ApiIntegration, IntegrationResponseSpec, NonProxyIntegration, RestApiKeySpec, RestMethodRequestSpec } from './api-spec.js';
import { isRecord } from './cfn-template.js';
import type { FunctionSpec } from './function-spec.js';
import { Alphabets, stableCharacters } from './stable-characters.js';
import type { ResourceTarget, TemplateScope } from './template-scope.js';

/** Finds the function of the app an integration URI names. */
export type IntegrationFunctionFinder = (expression: unknown) => FunctionSpec | undefined;

const PASSTHROUGH = ['WHEN_NO_MATCH', 'WHEN_NO_TEMPLATES', 'NEVER'] as const;

function stringRecord(scope: TemplateScope, value: unknown): Record<string, string> {
  const resolved = value === undefined ? undefined : scope.resolve(value, []);
  const record: Record<string, string> = {};
  if (isRecord(resolved)) for (const [key, item] of Object.entries(resolved)) if (typeof item === 'string') record[key] = item;
  return record;
}

/** A property of a CloudFormation integration (`Uri`) or of an OpenAPI one (`uri`). */
function property(integration: Readonly<Record<string, unknown>>, name: string): unknown {
  return integration[name] ?? integration[name.charAt(0).toLowerCase() + name.slice(1)];
}

/** CloudFormation lists integration responses; OpenAPI keys them by selection pattern (`default` for none). */
function readIntegrationResponses(scope: TemplateScope, integration: Readonly<Record<string, unknown>>): IntegrationResponseSpec[] {
  const listed = integration['IntegrationResponses'];
  const keyed = integration['responses'];
  const responses: IntegrationResponseSpec[] = [];
  const add = (item: unknown, pattern: unknown): void => {
    if (!isRecord(item)) return;
    const selectionPattern = pattern === undefined ? undefined : scope.resolveString(pattern, []);
    responses.push({
      statusCode: scope.resolveString(property(item, 'StatusCode'), []) || '200',
      ...(selectionPattern === undefined || selectionPattern === '' ? {} : { selectionPattern }),
      responseParameters: stringRecord(scope, property(item, 'ResponseParameters')),
      responseTemplates: stringRecord(scope, property(item, 'ResponseTemplates')),
    });
  };
  if (Array.isArray(listed)) for (const item of listed) add(item, isRecord(item) ? item['SelectionPattern'] : undefined);
  else if (isRecord(keyed)) for (const [pattern, item] of Object.entries(keyed)) add(item, pattern === 'default' ? undefined : pattern);
  return responses;
}

function readNonProxy(scope: TemplateScope, integration: Readonly<Record<string, unknown>>): NonProxyIntegration {
  const behaviour = scope.resolveString(property(integration, 'PassthroughBehavior'), []).toUpperCase();
  return {
    requestTemplates: stringRecord(scope, property(integration, 'RequestTemplates')),
    passthroughBehavior: PASSTHROUGH.find((item) => item === behaviour) ?? 'WHEN_NO_MATCH',
    requestParameters: stringRecord(scope, property(integration, 'RequestParameters')),
    integrationResponses: readIntegrationResponses(scope, integration),
  };
}

function transferMode(scope: TemplateScope, integration: Readonly<Record<string, unknown>>): { responseTransferMode?: 'STREAM' } {
  return scope.resolveString(property(integration, 'ResponseTransferMode'), []).toUpperCase() === 'STREAM' ? { responseTransferMode: 'STREAM' } : {};
}

/**
 * The integration of a REST method that is not a Lambda proxy one, from its CloudFormation
 * `Integration` or its OpenAPI `x-amazon-apigateway-integration`. `AWS_PROXY` is the caller's.
 */
export function readRestIntegration(
  scope: TemplateScope,
  integration: Readonly<Record<string, unknown>>,
  findFunction: IntegrationFunctionFinder,
  timeoutMs: number,
): ApiIntegration {
  const type = scope.resolveString(property(integration, 'Type'), []).toUpperCase();
  if (scope.resolveString(property(integration, 'ConnectionType'), []).toUpperCase() === 'VPC_LINK') return { kind: 'unsupported', description: `a ${type} integration through a VPC link` };
  const uri = property(integration, 'Uri');
  switch (type) {
    case 'MOCK':
      return { kind: 'mock', ...readNonProxy(scope, integration) };
    case 'AWS': {
      const text = scope.resolveString(uri, []);
      const fn = /:lambda:path\//.test(text) || text === '' ? findFunction(uri) : undefined;
      if (fn !== undefined) return { kind: 'lambda', function: fn, timeoutMs, ...readNonProxy(scope, integration) };
      if (/:lambda:path\//.test(text)) return { kind: 'unsupported', description: 'a Lambda function outside the app' };
      const service = /:apigateway:[^:]*:([^:/]+)[:/]/.exec(text)?.[1];
      return { kind: 'unsupported', description: `an AWS service integration${service === undefined ? '' : ` (${service})`}` };
    }
    case 'HTTP':
    case 'HTTP_PROXY': {
      const text = scope.resolveString(uri, []);
      if (!/^https?:\/\//i.test(text)) return { kind: 'unsupported', description: `an ${type} integration to ${text || 'no URL'}` };
      const httpMethod = scope.resolveString(property(integration, 'IntegrationHttpMethod') ?? integration['httpMethod'], []).toUpperCase() || 'ANY';
      if (type === 'HTTP') return { kind: 'http', uri: text, httpMethod, timeoutMs, ...readNonProxy(scope, integration) };
      return { kind: 'http-proxy', uri: text, httpMethod, timeoutMs, requestParameters: stringRecord(scope, property(integration, 'RequestParameters')), ...transferMode(scope, integration) };
    }
    default:
      return { kind: 'unsupported', description: `a ${type || 'missing'} integration` };
  }
}

/** `STREAM` for an `AWS_PROXY` integration whose `ResponseTransferMode` asks for it. */
export function proxyTransferMode(scope: TemplateScope, integration: Readonly<Record<string, unknown>>): { responseTransferMode?: 'STREAM' } {
  return transferMode(scope, integration);
}

/** The model a `$ref` expression names: the first `Ref` inside it to an `AWS::ApiGateway::Model`. */
function referencedModel(scope: TemplateScope, expression: unknown, depth = 0): ResourceTarget | undefined {
  if (depth > 16 || typeof expression !== 'object' || expression === null) return undefined;
  const target = !Array.isArray(expression) && Object.keys(expression).length === 1 ? scope.traceResource(expression) : undefined;
  if (target?.resource.Type === 'AWS::ApiGateway::Model') return target;
  for (const item of Object.values(expression)) {
    const found = referencedModel(scope, item, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A model's schema with the other models its `$ref`s name (`.../restapis/{id}/models/{name}`) put in place. */
function inlineModelRefs(scope: TemplateScope, schema: unknown, depth: number): unknown {
  if (depth > 16 || typeof schema !== 'object' || schema === null) return schema;
  if (Array.isArray(schema)) return schema.map((item) => inlineModelRefs(scope, item, depth + 1));
  const record = schema as Record<string, unknown>;
  const ref = record['$ref'];
  if (ref !== undefined && !(typeof ref === 'string' && ref.startsWith('#'))) {
    const model = referencedModel(scope, ref);
    const inlined = model === undefined ? undefined : modelSchema(model.scope, { Ref: model.logicalId }, depth + 1);
    if (typeof inlined === 'object' && inlined !== null && !Array.isArray(inlined)) {
      // Only a document's root may say which draft it is.
      const { $schema: _draft, ...rest } = inlined as Record<string, unknown>;
      return rest;
    }
    if (model !== undefined) return {};
  }
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, inlineModelRefs(scope, value, depth + 1)]));
}

/** The JSON Schema of a model: the `Schema` of an `AWS::ApiGateway::Model` the value refers to; built-in names have none. */
function modelSchema(scope: TemplateScope, value: unknown, depth = 0): unknown {
  const target = scope.traceResource(value);
  if (target === undefined || target.resource.Type !== 'AWS::ApiGateway::Model') return undefined;
  const given = target.resource.Properties?.['Schema'];
  let schema: unknown = given;
  if (typeof schema !== 'object' || schema === null) {
    try {
      schema = JSON.parse(target.scope.resolveString(given, [])) as unknown;
    } catch {
      return undefined;
    }
  }
  // Resolved after the references to other models are replaced, which resolving would flatten.
  return target.scope.resolve(inlineModelRefs(target.scope, schema, depth), []);
}

/** What an `AWS::ApiGateway::Method` asks of a request: API key, required parameters, models, validator. */
export function readMethodRequest(scope: TemplateScope, properties: Readonly<Record<string, unknown>>): RestMethodRequestSpec | undefined {
  const apiKeyRequired = scope.resolve(properties['ApiKeyRequired'], []);
  const parameters = properties['RequestParameters'] === undefined ? undefined : scope.resolve(properties['RequestParameters'], []);
  const requestParameters: Record<string, boolean> = {};
  if (isRecord(parameters)) for (const [name, required] of Object.entries(parameters)) requestParameters[name] = required === true || required === 'true';
  const requestModels: Record<string, unknown> = {};
  const models = properties['RequestModels'];
  if (isRecord(models)) {
    for (const [contentType, model] of Object.entries(models)) {
      const schema = modelSchema(scope, model);
      if (schema !== undefined) requestModels[contentType] = schema;
    }
  }
  const validatorTarget = scope.traceResource(properties['RequestValidatorId']);
  const validatorProperties = validatorTarget?.resource.Type === 'AWS::ApiGateway::RequestValidator' ? (validatorTarget.resource.Properties ?? {}) : undefined;
  const flag = (value: unknown): boolean => {
    const resolved = value === undefined ? undefined : scope.resolve(value, []);
    return resolved === true || resolved === 'true';
  };
  const validator = validatorProperties === undefined ? undefined : { body: flag(validatorProperties['ValidateRequestBody']), parameters: flag(validatorProperties['ValidateRequestParameters']) };
  const keyRequired = apiKeyRequired === true || apiKeyRequired === 'true';
  if (!keyRequired && validator === undefined && Object.keys(requestParameters).length === 0 && Object.keys(requestModels).length === 0) return undefined;
  return { apiKeyRequired: keyRequired, requestParameters, requestModels, ...(validator === undefined ? {} : { validator }) };
}

function refersTo(scope: TemplateScope, value: unknown, logicalId: string): boolean {
  const target = scope.traceResource(value);
  return target?.scope === scope && target.logicalId === logicalId;
}

/** The stage name a usage plan's `Stage` gives: a stage's `StageName` through its `Ref`, or the text. */
function stageNameOf(scope: TemplateScope, value: unknown): string {
  const target = scope.traceResource(value);
  if (target?.resource.Type === 'AWS::ApiGateway::Stage') return target.scope.resolveString(target.resource.Properties?.['StageName'], []);
  return scope.resolveString(value, []);
}

/**
 * The API keys of the template that usage plans give to stages of the API. A key without a
 * `Value` gets a stable stand-in of the 40 characters the service would generate.
 */
export function readApiKeys(scope: TemplateScope, apiLogicalId: string): RestApiKeySpec[] {
  const resources = Object.entries(scope.template.Resources).filter(([id]) => scope.resourceExists(id));
  const planStages = new Map<string, string[]>();
  for (const [id, resource] of resources) {
    if (resource.Type !== 'AWS::ApiGateway::UsagePlan') continue;
    const apiStages = resource.Properties?.['ApiStages'];
    const stages = Array.isArray(apiStages) ? apiStages.filter((item) => isRecord(item) && refersTo(scope, item['ApiId'], apiLogicalId)).map((item) => stageNameOf(scope, (item as Record<string, unknown>)['Stage'])) : [];
    planStages.set(id, stages.filter((stage) => stage !== ''));
  }
  const keys: RestApiKeySpec[] = [];
  for (const [id, resource] of resources) {
    if (resource.Type !== 'AWS::ApiGateway::ApiKey') continue;
    const stages = new Set<string>();
    for (const [, link] of resources) {
      if (link.Type !== 'AWS::ApiGateway::UsagePlanKey' || !refersTo(scope, link.Properties?.['KeyId'], id)) continue;
      const plan = scope.traceResource(link.Properties?.['UsagePlanId']);
      for (const stage of (plan === undefined ? undefined : planStages.get(plan.logicalId)) ?? []) stages.add(stage);
    }
    if (stages.size === 0) continue;
    const properties = resource.Properties ?? {};
    const value = properties['Value'] === undefined ? '' : scope.resolveString(properties['Value'], []);
    const enabled = properties['Enabled'] === undefined ? false : scope.resolve(properties['Enabled'], []);
    keys.push({
      constructPath: scope.constructPath(id),
      keyId: stableCharacters(`api-key-id:${scope.environment.stackName}/${id}`, 10, Alphabets.LOWER_ALPHANUMERIC),
      value: value || stableCharacters(`api-key:${scope.environment.stackName}/${id}`, 40, Alphabets.MIXED_ALPHANUMERIC),
      generated: value === '',
      enabled: enabled === true || enabled === 'true',
      stages: [...stages],
    });
  }
  return keys;
}

const OPENAPI_SOURCES: Record<string, string> = { query: 'querystring', header: 'header', path: 'path' };

/** A JSON pointer inside the document (`#/components/schemas/Pet`). */
function pointer(document: Readonly<Record<string, unknown>>, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let value: unknown = document;
  for (const part of ref.slice(2).split('/')) value = isRecord(value) ? value[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  return value;
}

/** A schema with the document's `$ref`s put in place, as API Gateway's models are self-contained. */
function inlineRefs(document: Readonly<Record<string, unknown>>, schema: unknown, depth = 0): unknown {
  if (depth > 32) return {};
  if (Array.isArray(schema)) return schema.map((item) => inlineRefs(document, item, depth + 1));
  if (!isRecord(schema)) return schema;
  const ref = schema['$ref'];
  if (typeof ref === 'string' && ref.startsWith('#/')) return inlineRefs(document, pointer(document, ref), depth + 1);
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, inlineRefs(document, value, depth + 1)]));
}

/**
 * What an OpenAPI operation asks of a request: its validator (`x-amazon-apigateway-request-validator`,
 * the operation's or the document's), required `parameters`, the body schema (OpenAPI 3
 * `requestBody` or Swagger 2 `in: body`), and an API key when its security names an `apiKey`
 * scheme in the `x-api-key` header.
 */
export function readOpenApiMethodRequest(
  document: Readonly<Record<string, unknown>>,
  pathItem: Readonly<Record<string, unknown>>,
  operation: Readonly<Record<string, unknown>>,
): RestMethodRequestSpec | undefined {
  const requestParameters: Record<string, boolean> = {};
  const requestModels: Record<string, unknown> = {};
  const parameters = [...(Array.isArray(pathItem['parameters']) ? pathItem['parameters'] : []), ...(Array.isArray(operation['parameters']) ? operation['parameters'] : [])];
  for (const given of parameters) {
    const parameter = inlineRefs(document, given);
    if (!isRecord(parameter) || typeof parameter['name'] !== 'string') continue;
    const source = typeof parameter['in'] === 'string' ? OPENAPI_SOURCES[parameter['in']] : undefined;
    if (source !== undefined) requestParameters[`method.request.${source}.${parameter['name']}`] = parameter['required'] === true;
    if (parameter['in'] === 'body' && parameter['schema'] !== undefined) {
      const consumes = Array.isArray(operation['consumes']) ? operation['consumes'] : Array.isArray(document['consumes']) ? document['consumes'] : ['application/json'];
      for (const type of consumes) if (typeof type === 'string') requestModels[type] = parameter['schema'];
    }
  }
  const body = inlineRefs(document, operation['requestBody']);
  const content = isRecord(body) ? body['content'] : undefined;
  if (isRecord(content)) for (const [type, media] of Object.entries(content)) if (isRecord(media) && media['schema'] !== undefined) requestModels[type] = media['schema'];
  for (const [type, schema] of Object.entries(requestModels)) requestModels[type] = inlineRefs(document, schema);
  const validators = isRecord(document['x-amazon-apigateway-request-validators']) ? document['x-amazon-apigateway-request-validators'] : {};
  const validatorName = operation['x-amazon-apigateway-request-validator'] ?? document['x-amazon-apigateway-request-validator'];
  const validator = typeof validatorName === 'string' && isRecord(validators[validatorName]) ? validators[validatorName] : undefined;
  const schemes = isRecord(document['components']) && isRecord(document['components']['securitySchemes']) ? document['components']['securitySchemes'] : isRecord(document['securityDefinitions']) ? document['securityDefinitions'] : {};
  const security = Array.isArray(operation['security']) ? operation['security'] : Array.isArray(document['security']) ? document['security'] : [];
  const apiKeyRequired = security.some(
    (requirement) =>
      isRecord(requirement) &&
      Object.keys(requirement).some((name) => {
        const scheme = schemes[name];
        return isRecord(scheme) && scheme['type'] === 'apiKey' && scheme['in'] === 'header' && String(scheme['name']).toLowerCase() === 'x-api-key' && scheme['x-amazon-apigateway-authtype'] === undefined;
      }),
  );
  if (!apiKeyRequired && validator === undefined && Object.keys(requestParameters).length === 0 && Object.keys(requestModels).length === 0) return undefined;
  return {
    apiKeyRequired,
    requestParameters,
    requestModels,
    ...(validator === undefined ? {} : { validator: { body: validator['validateRequestBody'] === true, parameters: validator['validateRequestParameters'] === true } }),
  };
}
