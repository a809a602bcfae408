/**
 * The authorizers of API Gateway methods and routes, read from the template as plain specs:
 * Lambda (REST `TOKEN`/`REQUEST`, HTTP and WebSocket API `REQUEST`), JWT (HTTP API), Cognito user pools
 * (REST), and `AWS_IAM`.
 */
import type { AuthorizerSpec, JwtAuthorizerSpec, LambdaAuthorizerSpec, RouteAuthorization } from './api-spec.js';
import { isRecord } from './cfn-template.js';
import type { FunctionSpec } from './function-spec.js';
import type { TemplateScope } from './template-scope.js';

/** Finds the function of the app an authorizer URI names. */
export type AuthorizerFunctionLookup = (scope: TemplateScope, uri: unknown) => FunctionSpec | undefined;

/** API Gateway caches a REST authorizer's result for 300 s when the template does not say. */
const REST_DEFAULT_TTL_SECONDS = 300;
const MAX_DEPTH = 32;

function ttlOf(scope: TemplateScope, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const ttl = Number(scope.resolveString(value, []));
  return Number.isFinite(ttl) && ttl >= 0 ? ttl : fallback;
}

function listOf(scope: TemplateScope, value: unknown): string[] {
  if (value === undefined) return [];
  const resolved = scope.resolve(value, []);
  if (Array.isArray(resolved)) return resolved.filter((item): item is string => typeof item === 'string' && item !== '');
  return typeof resolved === 'string' && resolved !== '' ? [resolved] : [];
}

/** True when the expression refers to a user pool defined in the app, whose ID is a stand-in before deploy. */
function refersToAppUserPool(scope: TemplateScope, expression: unknown, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(expression)) return expression.some((item) => refersToAppUserPool(scope, item, depth + 1));
  if (!isRecord(expression)) return false;
  if (Object.keys(expression).length === 1 && scope.traceResource(expression)?.resource.Type === 'AWS::Cognito::UserPool') return true;
  return Object.values(expression).some((value) => refersToAppUserPool(scope, value, depth + 1));
}

/** `arn:aws:cognito-idp:<region>:<account>:userpool/<id>` → the issuer of its tokens. */
function userPoolIssuer(arn: string, urlSuffix: string): string | undefined {
  const match = /^arn:[^:]+:cognito-idp:([^:]+):[^:]*:userpool\/(.+)$/.exec(arn);
  return match === null ? undefined : `https://cognito-idp.${match[1]}.${urlSuffix}/${match[2]}`;
}

function readRestAuthorizer(scope: TemplateScope, logicalId: string, properties: Readonly<Record<string, unknown>>, lookup: AuthorizerFunctionLookup): AuthorizerSpec | undefined {
  const type = scope.resolveString(properties['Type'], []).toUpperCase();
  const name = scope.resolveString(properties['Name'], []) || logicalId;
  // REST identity sources are one comma-separated string.
  const identitySources = scope
    .resolveString(properties['IdentitySource'], [])
    .split(',')
    .map((source) => source.trim())
    .filter((source) => source !== '');
  if (type === 'COGNITO_USER_POOLS') {
    const arns = Array.isArray(properties['ProviderARNs']) ? properties['ProviderARNs'] : [];
    const issuers: string[] = [];
    const localIssuers: string[] = [];
    for (const arn of arns) {
      const issuer = userPoolIssuer(scope.resolveString(arn, []), scope.environment.urlSuffix);
      if (issuer === undefined) continue;
      issuers.push(issuer);
      if (refersToAppUserPool(scope, arn)) localIssuers.push(issuer);
    }
    const spec: JwtAuthorizerSpec = { kind: 'jwt', flavour: 'cognito', logicalId, name, issuers, audience: [], identitySources, localIssuers };
    return spec;
  }
  if (type !== 'TOKEN' && type !== 'REQUEST') return undefined;
  const fn = lookup(scope, properties['AuthorizerUri']);
  const expression = properties['IdentityValidationExpression'] === undefined ? '' : scope.resolveString(properties['IdentityValidationExpression'], []);
  const spec: LambdaAuthorizerSpec = {
    kind: 'lambda',
    logicalId,
    name,
    type,
    ...(fn === undefined ? {} : { function: fn }),
    identitySources,
    ...(type === 'TOKEN' && expression !== '' ? { identityValidationExpression: expression } : {}),
    resultTtlSeconds: ttlOf(scope, properties['AuthorizerResultTtlInSeconds'], REST_DEFAULT_TTL_SECONDS),
    payloadFormatVersion: '1.0',
    enableSimpleResponses: false,
  };
  return spec;
}

function readHttpAuthorizer(scope: TemplateScope, logicalId: string, properties: Readonly<Record<string, unknown>>, lookup: AuthorizerFunctionLookup): AuthorizerSpec | undefined {
  const type = scope.resolveString(properties['AuthorizerType'], []).toUpperCase();
  const name = scope.resolveString(properties['Name'], []) || logicalId;
  const identitySources = listOf(scope, properties['IdentitySource']);
  if (type === 'JWT') {
    const configuration = isRecord(properties['JwtConfiguration']) ? properties['JwtConfiguration'] : {};
    const issuer = scope.resolveString(configuration['Issuer'], []);
    const spec: JwtAuthorizerSpec = {
      kind: 'jwt',
      flavour: 'jwt',
      logicalId,
      name,
      issuers: issuer === '' ? [] : [issuer],
      audience: listOf(scope, configuration['Audience']),
      identitySources,
      localIssuers: issuer !== '' && refersToAppUserPool(scope, configuration['Issuer']) ? [issuer] : [],
    };
    return spec;
  }
  if (type !== 'REQUEST') return undefined;
  const fn = lookup(scope, properties['AuthorizerUri']);
  const version = scope.resolveString(properties['AuthorizerPayloadFormatVersion'], []) === '2.0' ? '2.0' : '1.0';
  const spec: LambdaAuthorizerSpec = {
    kind: 'lambda',
    logicalId,
    name,
    type: 'REQUEST',
    ...(fn === undefined ? {} : { function: fn }),
    identitySources,
    // An HTTP API caches nothing unless its authorizer says for how long.
    resultTtlSeconds: ttlOf(scope, properties['AuthorizerResultTtlInSeconds'], 0),
    payloadFormatVersion: version,
    enableSimpleResponses: version === '2.0' && scope.resolveString(properties['EnableSimpleResponses'], []) === 'true',
  };
  return spec;
}

/**
 * How a REST method (`AWS::ApiGateway::Method`) or an HTTP API route
 * (`AWS::ApiGatewayV2::Route`) is authorized: its `AuthorizationType`, the authorizer its
 * `AuthorizerId` names, its `AuthorizationScopes`. Undefined when it is not, or when the
 * authorizer cannot be found in the template.
 */
export function readRouteAuthorization(
  scope: TemplateScope,
  properties: Readonly<Record<string, unknown>>,
  lookup: AuthorizerFunctionLookup,
): RouteAuthorization | undefined {
  const authorizationType = scope.resolveString(properties['AuthorizationType'], []).toUpperCase();
  if (authorizationType === '' || authorizationType === 'NONE') return undefined;
  const scopes = listOf(scope, properties['AuthorizationScopes']);
  if (authorizationType === 'AWS_IAM') return { authorizer: { kind: 'iam' }, scopes };
  const target = scope.traceResource(properties['AuthorizerId']);
  if (target === undefined) return undefined;
  const authorizerProperties = target.resource.Properties ?? {};
  const authorizer =
    target.resource.Type === 'AWS::ApiGateway::Authorizer'
      ? readRestAuthorizer(target.scope, target.logicalId, authorizerProperties, lookup)
      : target.resource.Type === 'AWS::ApiGatewayV2::Authorizer'
        ? readHttpAuthorizer(target.scope, target.logicalId, authorizerProperties, lookup)
        : undefined;
  return authorizer === undefined ? undefined : { authorizer, scopes };
}
