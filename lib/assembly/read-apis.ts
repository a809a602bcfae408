import type {
  ApiIntegration,
  ApiSpec,
  ApiStageSpec,
  FunctionUrlEndpointSpec,
  HttpApiSpec,
  HttpRouteSpec,
  RestApiSpec,
  RestRouteSpec,
  WebSocketApiSpec,
  WebSocketRouteSpec,
} from './api-spec.js';
import { isRecord } from './cfn-template.js';
import { readCors } from './read-cors.js';
import { readRouteAuthorization, type AuthorizerFunctionLookup } from './read-authorizers.js';
import type { FunctionSpec } from './function-spec.js';
import { proxyTransferMode, readApiKeys, readMethodRequest, readOpenApiMethodRequest, readRestIntegration } from './read-rest-integrations.js';
import { Alphabets, stableCharacters } from './stable-characters.js';
import type { ResourceTarget, TemplateScope } from './template-scope.js';

/** Finds the spec of a function of the app by the template it is in and its logical ID. */
export type FunctionLookup = (scope: TemplateScope, logicalId: string) => FunctionSpec | undefined;

/** API Gateway's integration timeouts by default. */
const REST_TIMEOUT_MS = 29_000;
const HTTP_TIMEOUT_MS = 30_000;
const WEBSOCKET_TIMEOUT_MS = 29_000;
const MAX_DEPTH = 32;

/** The HTTP methods OpenAPI names as path item keys. */
const OPENAPI_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const OPENAPI_ANY = 'x-amazon-apigateway-any-method';

/**
 * The REST, HTTP and WebSocket APIs and the function URLs of one template (not its nested
 * templates), in template order. Resources whose condition is false are left out.
 */
export function readApis(scope: TemplateScope, lookup: FunctionLookup, warnings: string[]): ApiSpec[] {
  const apis: ApiSpec[] = [];
  for (const [logicalId, resource] of Object.entries(scope.template.Resources)) {
    if (!scope.resourceExists(logicalId)) continue;
    if (resource.Type === 'AWS::ApiGateway::RestApi') {
      apis.push(readRestApi(scope, logicalId, lookup, warnings));
    } else if (resource.Type === 'AWS::ApiGatewayV2::Api') {
      const protocol = scope.resolveString(resource.Properties?.['ProtocolType'], []);
      apis.push(protocol === 'WEBSOCKET' ? readWebSocketApi(scope, logicalId, lookup) : readHttpApi(scope, logicalId, lookup));
    } else if (resource.Type === 'AWS::Lambda::Url') {
      const url = readFunctionUrl(scope, logicalId, lookup);
      if (url !== undefined) apis.push(url);
    }
  }
  return apis;
}

function base(scope: TemplateScope, logicalId: string, name: string): Omit<RestApiSpec, 'kind' | 'apiId' | 'stages' | 'routes' | 'binaryMediaTypes' | 'apiKeys' | 'apiKeySource'> {
  return {
    stackName: scope.environment.topStackName,
    constructPath: scope.constructPath(logicalId),
    logicalId,
    name,
    region: scope.environment.region,
    accountId: scope.environment.accountId,
  };
}

function apiId(scope: TemplateScope, logicalId: string): string {
  return stableCharacters(`api:${scope.environment.stackName}/${logicalId}`, 10, Alphabets.LOWER_ALPHANUMERIC);
}

/** The resources of the template of a given type whose `property` refers to `logicalId`. */
function resourcesReferring(scope: TemplateScope, type: string, property: string, logicalId: string): [string, Readonly<Record<string, unknown>>][] {
  const found: [string, Readonly<Record<string, unknown>>][] = [];
  for (const [id, resource] of Object.entries(scope.template.Resources)) {
    if (resource.Type !== type || !scope.resourceExists(id)) continue;
    const properties = resource.Properties ?? {};
    const target = scope.traceResource(properties[property]);
    if (target?.scope === scope && target.logicalId === logicalId) found.push([id, properties]);
  }
  return found;
}

function stringMap(scope: TemplateScope, value: unknown): Record<string, string> {
  const resolved = value === undefined ? undefined : scope.resolve(value, []);
  const map: Record<string, string> = {};
  if (isRecord(resolved)) {
    for (const [name, item] of Object.entries(resolved)) map[name] = typeof item === 'string' ? item : JSON.stringify(item);
  }
  return map;
}

function stringList(scope: TemplateScope, value: unknown): string[] {
  const resolved = value === undefined ? undefined : scope.resolve(value, []);
  return Array.isArray(resolved) ? resolved.filter((item): item is string => typeof item === 'string') : [];
}

/**
 * The function an integration URI or ARN names: the first reference inside the expression
 * (`Fn::GetAtt [Fn, Arn]` inside CDK's `Fn::Join`, a `Ref`, an `Fn::Sub` variable) that leads
 * to an `AWS::Lambda::Function` of the app, through aliases and versions.
 */
export function findIntegrationFunction(scope: TemplateScope, expression: unknown, lookup: FunctionLookup, depth = 0): FunctionSpec | undefined {
  if (depth > MAX_DEPTH) return undefined;
  if (Array.isArray(expression)) {
    for (const item of expression) {
      const found = findIntegrationFunction(scope, item, lookup, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (!isRecord(expression)) return undefined;
  const keys = Object.keys(expression);
  if (keys.length === 1 && keys[0] === 'Fn::Sub') return findInSub(scope, expression['Fn::Sub'], lookup, depth);
  const target = keys.length === 1 ? scope.traceResource(expression) : undefined;
  if (target !== undefined) return functionOf(target, lookup, depth);
  for (const value of Object.values(expression)) {
    const found = findIntegrationFunction(scope, value, lookup, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

function findInSub(scope: TemplateScope, argument: unknown, lookup: FunctionLookup, depth: number): FunctionSpec | undefined {
  const [text, variables] = Array.isArray(argument) ? [argument[0], argument[1]] : [argument, undefined];
  if (typeof text !== 'string') return undefined;
  for (const match of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
    const name = match[1]!;
    const bound = isRecord(variables) ? variables[name] : undefined;
    const [logicalId, ...attribute] = name.split('.');
    const expression = bound ?? (attribute.length === 0 ? { Ref: logicalId } : { 'Fn::GetAtt': [logicalId, attribute.join('.')] });
    const found = findIntegrationFunction(scope, expression, lookup, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

function functionOf(target: ResourceTarget, lookup: FunctionLookup, depth: number): FunctionSpec | undefined {
  const { scope, logicalId, resource } = target;
  if (resource.Type === 'AWS::Lambda::Function') return lookup(scope, logicalId);
  if (resource.Type === 'AWS::Lambda::Alias' || resource.Type === 'AWS::Lambda::Version') {
    return findIntegrationFunction(scope, resource.Properties?.['FunctionName'], lookup, depth + 1);
  }
  return undefined;
}

function proxyIntegration(
  scope: TemplateScope,
  type: string,
  uri: unknown,
  lookup: FunctionLookup,
  payloadFormatVersion: '1.0' | '2.0',
  timeoutMs: number,
): ApiIntegration {
  if (type.toUpperCase() !== 'AWS_PROXY') return { kind: 'unsupported', description: `a ${type || 'missing'} integration` };
  const fn = findIntegrationFunction(scope, uri, lookup);
  if (fn === undefined) {
    const text = scope.resolveString(uri, []);
    return { kind: 'unsupported', description: /:lambda:|lambda:path/.test(text) ? 'a Lambda function outside the app' : `an AWS_PROXY integration with ${text || 'no URI'}` };
  }
  return { kind: 'lambda-proxy', function: fn, payloadFormatVersion, timeoutMs };
}

/** A REST method's integration: Lambda proxy as before, the others read with their mappings. */
function restIntegration(scope: TemplateScope, integration: Readonly<Record<string, unknown>>, lookup: FunctionLookup): ApiIntegration {
  const type = scope.resolveString(integration['Type'] ?? integration['type'], []);
  const timeoutMs = timeoutOf(scope, integration['TimeoutInMillis'] ?? integration['timeoutInMillis'], REST_TIMEOUT_MS);
  if (type.toUpperCase() !== 'AWS_PROXY') return readRestIntegration(scope, integration, (uri) => findIntegrationFunction(scope, uri, lookup), timeoutMs);
  const proxy = proxyIntegration(scope, type, integration['Uri'] ?? integration['uri'], lookup, '1.0', timeoutMs);
  return proxy.kind === 'lambda-proxy' ? { ...proxy, ...proxyTransferMode(scope, integration) } : proxy;
}

function timeoutOf(scope: TemplateScope, value: unknown, fallback: number): number {
  const resolved = value === undefined ? undefined : Number(scope.resolveString(value, []));
  return resolved !== undefined && Number.isFinite(resolved) && resolved > 0 ? resolved : fallback;
}

function readRestApi(scope: TemplateScope, logicalId: string, lookup: FunctionLookup, warnings: string[]): RestApiSpec {
  const properties = scope.template.Resources[logicalId]?.Properties ?? {};
  const body = properties['Body'] === undefined ? undefined : scope.resolve(properties['Body'], []);
  const routes: RestRouteSpec[] = [];
  const binaryMediaTypes = stringList(scope, properties['BinaryMediaTypes']);
  if (isRecord(body)) {
    routes.push(...readOpenApiRoutes(scope, properties['Body'], lookup));
    const fromBody = body['x-amazon-apigateway-binary-media-types'];
    if (Array.isArray(fromBody)) binaryMediaTypes.push(...fromBody.filter((item): item is string => typeof item === 'string'));
  } else if (properties['BodyS3Location'] !== undefined) {
    warnings.push(`The OpenAPI definition of ${scope.constructPath(logicalId)} is in S3 (BodyS3Location), which cdk-local does not read yet; give it inline (ApiDefinition.fromInline) to serve it.`);
  }
  routes.push(...readRestMethods(scope, logicalId, lookup));
  const name = scope.resolveString(properties['Name'], []) || (isRecord(body) && isRecord(body['info']) && typeof body['info']['title'] === 'string' ? body['info']['title'] : logicalId);
  return {
    kind: 'rest',
    ...base(scope, logicalId, name),
    apiId: apiId(scope, logicalId),
    stages: readRestStages(scope, logicalId),
    routes,
    binaryMediaTypes,
    apiKeys: readApiKeys(scope, logicalId),
    apiKeySource: (scope.resolveString(properties['ApiKeySourceType'], []) || (isRecord(body) && typeof body['x-amazon-apigateway-api-key-source'] === 'string' ? body['x-amazon-apigateway-api-key-source'] : '')).toUpperCase() === 'AUTHORIZER' ? 'AUTHORIZER' : 'HEADER',
  };
}

/** The path of a REST API resource, from its `PathPart`s up to the root. */
function resourcePath(scope: TemplateScope, target: ResourceTarget | undefined, apiLogicalId: string, depth = 0): string | undefined {
  if (target === undefined || target.scope !== scope || depth > MAX_DEPTH) return undefined;
  if (target.resource.Type === 'AWS::ApiGateway::RestApi') return target.logicalId === apiLogicalId ? '' : undefined;
  if (target.resource.Type !== 'AWS::ApiGateway::Resource') return undefined;
  const properties = target.resource.Properties ?? {};
  const parent = resourcePath(scope, scope.traceResource(properties['ParentId']), apiLogicalId, depth + 1);
  return parent === undefined ? undefined : `${parent}/${scope.resolveString(properties['PathPart'], [])}`;
}

/** How a method or route is authorized, its authorizer's function found as integrations' are. */
function authorizationOf(scope: TemplateScope, properties: Readonly<Record<string, unknown>>, lookup: FunctionLookup): Pick<RestRouteSpec, 'authorization'> {
  const authorizerFunction: AuthorizerFunctionLookup = (where, uri) => findIntegrationFunction(where, uri, lookup);
  const authorization = readRouteAuthorization(scope, properties, authorizerFunction);
  return authorization === undefined ? {} : { authorization };
}

function readRestMethods(scope: TemplateScope, apiLogicalId: string, lookup: FunctionLookup): RestRouteSpec[] {
  const routes: RestRouteSpec[] = [];
  for (const [, properties] of resourcesReferring(scope, 'AWS::ApiGateway::Method', 'RestApiId', apiLogicalId)) {
    const path = resourcePath(scope, scope.traceResource(properties['ResourceId']), apiLogicalId);
    if (path === undefined) continue;
    const integration = isRecord(properties['Integration']) ? properties['Integration'] : {};
    const methodRequest = readMethodRequest(scope, properties);
    routes.push({
      resourcePath: path === '' ? '/' : path,
      httpMethod: scope.resolveString(properties['HttpMethod'], []).toUpperCase(),
      authorizationType: scope.resolveString(properties['AuthorizationType'], []) || 'NONE',
      ...authorizationOf(scope, properties, lookup),
      integration: restIntegration(scope, integration, lookup),
      ...(methodRequest === undefined ? {} : { methodRequest }),
    });
  }
  return routes;
}

function readOpenApiRoutes(scope: TemplateScope, body: unknown, lookup: FunctionLookup): RestRouteSpec[] {
  // Read unresolved, so the integration's uri still holds the reference to the function.
  const paths = isRecord(body) && isRecord(body['paths']) ? body['paths'] : {};
  const document = scope.resolve(body, []);
  const routes: RestRouteSpec[] = [];
  for (const [path, item] of Object.entries(paths)) {
    if (!isRecord(item)) continue;
    const resolvedItem = isRecord(document) && isRecord(document['paths']) ? document['paths'][path] : undefined;
    for (const [key, operation] of Object.entries(item)) {
      const method = key === OPENAPI_ANY ? 'ANY' : OPENAPI_METHODS.includes(key) ? key.toUpperCase() : undefined;
      if (method === undefined || !isRecord(operation)) continue;
      const integration = operation['x-amazon-apigateway-integration'];
      const security = Array.isArray(operation['security']) && operation['security'].length > 0 ? 'CUSTOM' : 'NONE';
      const resolvedOperation = isRecord(resolvedItem) ? resolvedItem[key] : undefined;
      const methodRequest = isRecord(document) && isRecord(resolvedItem) && isRecord(resolvedOperation) ? readOpenApiMethodRequest(document, resolvedItem, resolvedOperation) : undefined;
      routes.push({
        resourcePath: path,
        httpMethod: method,
        authorizationType: security,
        integration: isRecord(integration) ? restIntegration(scope, integration, lookup) : { kind: 'unsupported', description: 'no x-amazon-apigateway-integration' },
        ...(methodRequest === undefined ? {} : { methodRequest }),
      });
    }
  }
  return routes;
}

function readRestStages(scope: TemplateScope, apiLogicalId: string): ApiStageSpec[] {
  const stages = new Map<string, ApiStageSpec>();
  for (const [, properties] of resourcesReferring(scope, 'AWS::ApiGateway::Stage', 'RestApiId', apiLogicalId)) {
    const stageName = scope.resolveString(properties['StageName'], []);
    if (stageName !== '') stages.set(stageName, { stageName, variables: stringMap(scope, properties['Variables']) });
  }
  // A Deployment with a StageName creates that stage itself.
  for (const [, properties] of resourcesReferring(scope, 'AWS::ApiGateway::Deployment', 'RestApiId', apiLogicalId)) {
    const stageName = scope.resolveString(properties['StageName'], []);
    const description = isRecord(properties['StageDescription']) ? properties['StageDescription'] : {};
    if (stageName !== '' && !stages.has(stageName)) stages.set(stageName, { stageName, variables: stringMap(scope, description['Variables']) });
  }
  return [...stages.values()];
}

function readHttpStages(scope: TemplateScope, apiLogicalId: string): ApiStageSpec[] {
  return resourcesReferring(scope, 'AWS::ApiGatewayV2::Stage', 'ApiId', apiLogicalId)
    .map(([, properties]) => ({ stageName: scope.resolveString(properties['StageName'], []), variables: stringMap(scope, properties['StageVariables']) }))
    .filter((stage) => stage.stageName !== '');
}

/** The integrations of an HTTP or WebSocket API, by logical ID. */
function readV2Integrations(scope: TemplateScope, apiLogicalId: string, lookup: FunctionLookup, defaultTimeoutMs = HTTP_TIMEOUT_MS): Map<string, ApiIntegration> {
  const integrations = new Map<string, ApiIntegration>();
  for (const [id, properties] of resourcesReferring(scope, 'AWS::ApiGatewayV2::Integration', 'ApiId', apiLogicalId)) {
    const version = scope.resolveString(properties['PayloadFormatVersion'], []) === '2.0' ? '2.0' : '1.0';
    integrations.set(
      id,
      proxyIntegration(scope, scope.resolveString(properties['IntegrationType'], []), properties['IntegrationUri'], lookup, version, timeoutOf(scope, properties['TimeoutInMillis'], defaultTimeoutMs)),
    );
  }
  return integrations;
}

/** The integration a route's `Target` (`integrations/<id>`) names. */
function routeIntegration(scope: TemplateScope, target: unknown, integrations: Map<string, ApiIntegration>): ApiIntegration {
  const found = findIntegrationReference(scope, target, 0);
  const integration = found === undefined ? undefined : integrations.get(found);
  return integration ?? { kind: 'unsupported', description: target === undefined ? 'a route without an integration' : 'an integration cdk-local cannot find' };
}

function findIntegrationReference(scope: TemplateScope, expression: unknown, depth: number): string | undefined {
  if (depth > MAX_DEPTH) return undefined;
  if (Array.isArray(expression)) {
    for (const item of expression) {
      const found = findIntegrationReference(scope, item, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (!isRecord(expression)) return undefined;
  const target = Object.keys(expression).length === 1 ? scope.traceResource(expression) : undefined;
  if (target?.resource.Type === 'AWS::ApiGatewayV2::Integration') return target.logicalId;
  for (const value of Object.values(expression)) {
    const found = findIntegrationReference(scope, value, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

function readHttpApi(scope: TemplateScope, logicalId: string, lookup: FunctionLookup): HttpApiSpec {
  const properties = scope.template.Resources[logicalId]?.Properties ?? {};
  const integrations = readV2Integrations(scope, logicalId, lookup);
  const routes: HttpRouteSpec[] = [];
  for (const [, route] of resourcesReferring(scope, 'AWS::ApiGatewayV2::Route', 'ApiId', logicalId)) {
    const routeKey = scope.resolveString(route['RouteKey'], []);
    routes.push({
      ...parseRouteKey(routeKey),
      authorizationType: scope.resolveString(route['AuthorizationType'], []) || 'NONE',
      ...authorizationOf(scope, route, lookup),
      integration: routeIntegration(scope, route['Target'], integrations),
    });
  }
  // Quick create: the API itself names a Lambda target, which gets a route and a $default stage.
  let stages = readHttpStages(scope, logicalId);
  if (properties['Target'] !== undefined) {
    const routeKey = scope.resolveString(properties['RouteKey'], []) || '$default';
    routes.push({
      ...parseRouteKey(routeKey),
      authorizationType: 'NONE',
      integration: proxyIntegration(scope, 'AWS_PROXY', properties['Target'], lookup, '2.0', HTTP_TIMEOUT_MS),
    });
    if (!stages.some((stage) => stage.stageName === '$default')) stages = [...stages, { stageName: '$default', variables: {} }];
  }
  const cors = readCors(scope, properties['CorsConfiguration']);
  return {
    kind: 'http',
    ...base(scope, logicalId, scope.resolveString(properties['Name'], []) || logicalId),
    apiId: apiId(scope, logicalId),
    stages,
    routes,
    ...(cors === undefined ? {} : { cors }),
  };
}

/** `GET /items/{id}` → method and path; `$default` stays as it is. */
export function parseRouteKey(routeKey: string): { routeKey: string; method: string; path?: string } {
  const trimmed = routeKey.trim();
  if (trimmed === '$default') return { routeKey: trimmed, method: '$default' };
  const space = trimmed.indexOf(' ');
  if (space < 0) return { routeKey: trimmed, method: 'ANY', path: trimmed };
  return { routeKey: trimmed, method: trimmed.slice(0, space).toUpperCase(), path: trimmed.slice(space + 1).trim() };
}

function readWebSocketApi(scope: TemplateScope, logicalId: string, lookup: FunctionLookup): WebSocketApiSpec {
  const properties = scope.template.Resources[logicalId]?.Properties ?? {};
  const integrations = readV2Integrations(scope, logicalId, lookup, WEBSOCKET_TIMEOUT_MS);
  const routes: WebSocketRouteSpec[] = resourcesReferring(scope, 'AWS::ApiGatewayV2::Route', 'ApiId', logicalId).map(([routeId, route]) => ({
    routeKey: scope.resolveString(route['RouteKey'], []),
    authorizationType: scope.resolveString(route['AuthorizationType'], []) || 'NONE',
    ...authorizationOf(scope, route, lookup),
    returnsResponse: resourcesReferring(scope, 'AWS::ApiGatewayV2::RouteResponse', 'RouteId', routeId).length > 0,
    integration: routeIntegration(scope, route['Target'], integrations),
  }));
  return {
    kind: 'websocket',
    ...base(scope, logicalId, scope.resolveString(properties['Name'], []) || logicalId),
    apiId: apiId(scope, logicalId),
    routeSelectionExpression: scope.resolveString(properties['RouteSelectionExpression'], []) || '$request.body.action',
    stages: readHttpStages(scope, logicalId),
    routes,
  };
}

function readFunctionUrl(scope: TemplateScope, logicalId: string, lookup: FunctionLookup): FunctionUrlEndpointSpec | undefined {
  const properties = scope.template.Resources[logicalId]?.Properties ?? {};
  // A URL of an alias (Qualifier) runs the same code; it is served like the function's own.
  const fn = findIntegrationFunction(scope, properties['TargetFunctionArn'], lookup);
  if (fn === undefined) return undefined;
  const cors = readCors(scope, properties['Cors']);
  return {
    kind: 'url',
    ...base(scope, logicalId, fn.functionName),
    urlId: stableCharacters(`url:${scope.environment.stackName}/${logicalId}`, 32, Alphabets.LOWER_ALPHANUMERIC),
    function: fn,
    authType: scope.resolveString(properties['AuthType'], []) === 'NONE' ? 'NONE' : 'AWS_IAM',
    invokeMode: scope.resolveString(properties['InvokeMode'], []) === 'RESPONSE_STREAM' ? 'RESPONSE_STREAM' : 'BUFFERED',
    ...(cors === undefined ? {} : { cors }),
  };
}
