/**
 * The app's API Gateway APIs and function URLs, read from the cloud assembly as plain route
 * specs: what API Gateway and the function URL front end would know about them.
 */
import type { FunctionSpec, FunctionUrlSpec } from './function-spec.js';

/** What a route or method sends its requests to. */
export type ApiIntegration =
  /** A Lambda proxy integration (`AWS_PROXY`) with a function of the app. */
  | {
      readonly kind: 'lambda-proxy';
      readonly function: FunctionSpec;
      /** `1.0` for REST APIs; HTTP APIs say which. */
      readonly payloadFormatVersion: '1.0' | '2.0';
      /** How long API Gateway waits for the function: 29 s for REST, 30 s for HTTP APIs by default. */
      readonly timeoutMs: number;
      /** REST: `STREAM` when the integration's `ResponseTransferMode` asks for streaming. */
      readonly responseTransferMode?: 'BUFFERED' | 'STREAM';
    }
  /** REST: a `MOCK` integration, answered by API Gateway itself from its templates. */
  | ({ readonly kind: 'mock' } & NonProxyIntegration)
  /** REST: a non-proxy Lambda integration (`AWS` with a function's invocation URI). */
  | ({ readonly kind: 'lambda'; readonly function: FunctionSpec; readonly timeoutMs: number } & NonProxyIntegration)
  /** REST: an `HTTP` (non-proxy) integration to a URL. */
  | ({ readonly kind: 'http'; readonly uri: string; readonly httpMethod: string; readonly timeoutMs: number } & NonProxyIntegration)
  /** REST: an `HTTP_PROXY` integration to a URL. */
  | {
      readonly kind: 'http-proxy';
      readonly uri: string;
      /** `ANY`: the method of the request. */
      readonly httpMethod: string;
      readonly timeoutMs: number;
      /** `integration.request.*` to their sources (`method.request.path.proxy`, `'static'`). */
      readonly requestParameters: Readonly<Record<string, string>>;
      readonly responseTransferMode?: 'BUFFERED' | 'STREAM';
    }
  /** Anything cdk-local does not emulate (AWS service integrations, VPC links, a function outside the app); answered 501. */
  | { readonly kind: 'unsupported'; readonly description: string };

/**
 * A Lambda authorizer: REST `TOKEN` and `REQUEST` (`AWS::ApiGateway::Authorizer`), HTTP API
 * `REQUEST` (`AWS::ApiGatewayV2::Authorizer`).
 */
export interface LambdaAuthorizerSpec {
  readonly kind: 'lambda';
  readonly logicalId: string;
  readonly name: string;
  /** `TOKEN` (REST only) or `REQUEST`. */
  readonly type: 'TOKEN' | 'REQUEST';
  /** The authorizer function, when it is a function of the app. */
  readonly function?: FunctionSpec;
  /** As the template spells them: `method.request.header.Authorization`, `$request.querystring.user`. */
  readonly identitySources: readonly string[];
  /** REST `TOKEN`: a regular expression the token must match before the function is called. */
  readonly identityValidationExpression?: string;
  /** How long a result is reused for the same identity; 0 turns caching off. */
  readonly resultTtlSeconds: number;
  /** HTTP APIs: the authorizer's payload format; REST authorizers take `1.0`. */
  readonly payloadFormatVersion: '1.0' | '2.0';
  /** HTTP APIs, payload 2.0: the function answers `{ isAuthorized, context }`. */
  readonly enableSimpleResponses: boolean;
}

/** A JWT authorizer (HTTP API `JWT`) or a Cognito user pool authorizer (REST `COGNITO_USER_POOLS`). */
export interface JwtAuthorizerSpec {
  readonly kind: 'jwt';
  readonly logicalId: string;
  readonly name: string;
  /** `jwt` for an HTTP API's, `cognito` for a REST API's user pool authorizer. */
  readonly flavour: 'jwt' | 'cognito';
  /** The issuers a token's `iss` may name (one for JWT, one per user pool for Cognito). */
  readonly issuers: readonly string[];
  /** JWT: the `aud` (or `client_id`) values accepted; empty accepts any. */
  readonly audience: readonly string[];
  readonly identitySources: readonly string[];
  /** Issuers of user pools defined in the app: their IDs are stand-ins, so their keys cannot be fetched. */
  readonly localIssuers: readonly string[];
}

/** An authorizer of an API. */
export type AuthorizerSpec = LambdaAuthorizerSpec | JwtAuthorizerSpec;

/** How a route or method is authorized, when it is. */
export interface RouteAuthorization {
  /** `AWS_IAM`, or the authorizer that decides. */
  readonly authorizer: AuthorizerSpec | { readonly kind: 'iam' };
  /** `AuthorizationScopes` of the route or method (JWT and Cognito). */
  readonly scopes: readonly string[];
}

/** What the non-proxy integrations of a REST API (MOCK, AWS, HTTP) share: mapping both ways. */
export interface NonProxyIntegration {
  /** Request mapping templates by content type. */
  readonly requestTemplates: Readonly<Record<string, string>>;
  /** `WHEN_NO_MATCH` (the default), `WHEN_NO_TEMPLATES` or `NEVER`. */
  readonly passthroughBehavior: 'WHEN_NO_MATCH' | 'WHEN_NO_TEMPLATES' | 'NEVER';
  /** `integration.request.*` to their sources (`method.request.path.id`, `'static'`). */
  readonly requestParameters: Readonly<Record<string, string>>;
  readonly integrationResponses: readonly IntegrationResponseSpec[];
}

/** One integration response of a non-proxy integration. */
export interface IntegrationResponseSpec {
  /** The method response's status, e.g. `200`. */
  readonly statusCode: string;
  /** Matched against the Lambda error message or the backend's status; undefined or empty: the default response. */
  readonly selectionPattern?: string;
  /** `method.response.header.X` to `'static'`, `integration.response.header.Y`, `integration.response.body.path`... */
  readonly responseParameters: Readonly<Record<string, string>>;
  /** Response mapping templates by content type. */
  readonly responseTemplates: Readonly<Record<string, string>>;
}

/** What a REST method asks of a request before its integration runs. */
export interface RestMethodRequestSpec {
  /** `ApiKeyRequired`. */
  readonly apiKeyRequired: boolean;
  /** `method.request.querystring.x` and friends, `true` when required. */
  readonly requestParameters: Readonly<Record<string, boolean>>;
  /** JSON Schema (draft 4) of the body by content type (`$default` for any). */
  readonly requestModels: Readonly<Record<string, unknown>>;
  /** The request validator's checks; undefined without one. */
  readonly validator?: { readonly body: boolean; readonly parameters: boolean };
}

/** An `AWS::ApiGateway::ApiKey` that a usage plan gives to stages of an API. */
export interface RestApiKeySpec {
  /** The key's construct path. */
  readonly constructPath: string;
  /** The ten characters of the key's ID (stable stand-in for the one deploy would make). */
  readonly keyId: string;
  /** Its `Value`, or a stable stand-in when the service would generate one. */
  readonly value: string;
  /** True when the template gives no `Value` (the key is made up locally). */
  readonly generated: boolean;
  readonly enabled: boolean;
  /** The stages of this API whose usage plans hold the key. */
  readonly stages: readonly string[];
}

/** One stage of an API. */
export interface ApiStageSpec {
  /** e.g. `prod`; `$default` for an HTTP API's default stage. */
  readonly stageName: string;
  /** Stage variables, intrinsics resolved. */
  readonly variables: Readonly<Record<string, string>>;
}

/**
 * A CORS configuration the front end applies itself: an HTTP API's `CorsConfiguration` or a
 * function URL's `Cors`, read as the template gives it (header names and methods as written).
 */
export interface CorsSpec {
  /** Origins as written (`https://example.com`), or `*`. */
  readonly allowOrigins: readonly string[];
  /** Methods (`GET`), or `*`. */
  readonly allowMethods: readonly string[];
  /** Request header names, or `*`. */
  readonly allowHeaders: readonly string[];
  /** Response header names the browser may read, or `*`. */
  readonly exposeHeaders: readonly string[];
  /** How long a browser may keep a preflight's answer; unset: no `Access-Control-Max-Age`. */
  readonly maxAgeSeconds?: number;
  /** @default false */
  readonly allowCredentials: boolean;
}

/** What every API and URL has. */
interface EndpointBase {
  /** CloudFormation name of the top-level stack. */
  readonly stackName: string;
  /** Construct path without the trailing `/Resource`, e.g. `DemoStack/Api`. */
  readonly constructPath: string;
  readonly logicalId: string;
  /** The `Name` of the API (REST, HTTP, WebSocket); the function's name for a URL. */
  readonly name: string;
  readonly region: string;
  readonly accountId: string;
}

/** One method of a REST API resource: `GET /items/{id}`. */
export interface RestRouteSpec {
  /** The resource path, e.g. `/items/{id}`, `/{proxy+}`, `/`. */
  readonly resourcePath: string;
  /** Upper case, or `ANY`. */
  readonly httpMethod: string;
  /** `NONE`, `AWS_IAM`, `CUSTOM`, `COGNITO_USER_POOLS`. */
  readonly authorizationType: string;
  /** The authorizer that guards the method; undefined when `NONE` or not found. */
  readonly authorization?: RouteAuthorization;
  readonly integration: ApiIntegration;
  /** API keys, parameters and models the method asks for; undefined: nothing. */
  readonly methodRequest?: RestMethodRequestSpec;
}

/** An `AWS::ApiGateway::RestApi` (also a `SpecRestApi` with an inline OpenAPI body). */
export interface RestApiSpec extends EndpointBase {
  readonly kind: 'rest';
  /** The ten characters of the API's ID (stable stand-in for the one deploy would make). */
  readonly apiId: string;
  readonly stages: readonly ApiStageSpec[];
  readonly routes: readonly RestRouteSpec[];
  /** Content types sent to the function as base64 (`BinaryMediaTypes`), e.g. `image/png`, `*\/*`. */
  readonly binaryMediaTypes: readonly string[];
  /** The API keys usage plans give to its stages. @default none */
  readonly apiKeys?: readonly RestApiKeySpec[];
  /** Where API keys come from (`ApiKeySourceType`). @default 'HEADER' */
  readonly apiKeySource?: 'HEADER' | 'AUTHORIZER';
}

/** One route of an HTTP API. */
export interface HttpRouteSpec {
  /** `GET /items/{id}`, `ANY /{proxy+}`, `$default`. */
  readonly routeKey: string;
  /** Upper case, `ANY`, or `$default`. */
  readonly method: string;
  /** The path of the route key; undefined for `$default`. */
  readonly path?: string;
  readonly authorizationType: string;
  /** The authorizer that guards the route; undefined when `NONE` or not found. */
  readonly authorization?: RouteAuthorization;
  readonly integration: ApiIntegration;
}

/** An `AWS::ApiGatewayV2::Api` with `ProtocolType: HTTP`. */
export interface HttpApiSpec extends EndpointBase {
  readonly kind: 'http';
  readonly apiId: string;
  readonly stages: readonly ApiStageSpec[];
  readonly routes: readonly HttpRouteSpec[];
  /** The API's `CorsConfiguration` (CDK's `corsPreflight`), if it has one. */
  readonly cors?: CorsSpec;
}

/** One route of a WebSocket API (`$connect`, `$disconnect`, `$default`, or a custom key). */
export interface WebSocketRouteSpec {
  readonly routeKey: string;
  /** `NONE`, `AWS_IAM`, `CUSTOM`; the service authorizes only `$connect`. */
  readonly authorizationType: string;
  /** The authorizer that guards the route (a Lambda `REQUEST` authorizer, `AWS_IAM`); undefined when `NONE` or not found. */
  readonly authorization?: RouteAuthorization;
  /** Two-way: the route has a route response (`AWS::ApiGatewayV2::RouteResponse`), so the function's answer goes back to the client. */
  readonly returnsResponse: boolean;
  readonly integration: ApiIntegration;
}

/** An `AWS::ApiGatewayV2::Api` with `ProtocolType: WEBSOCKET`. */
export interface WebSocketApiSpec extends EndpointBase {
  readonly kind: 'websocket';
  readonly apiId: string;
  readonly routeSelectionExpression: string;
  readonly stages: readonly ApiStageSpec[];
  readonly routes: readonly WebSocketRouteSpec[];
}

/** An `AWS::Lambda::Url` for a function of the app. */
export interface FunctionUrlEndpointSpec extends EndpointBase, Omit<FunctionUrlSpec, 'cors'> {
  readonly kind: 'url';
  /** The URL's `Cors` (CDK's `addFunctionUrl({ cors })`), if it has one. */
  readonly cors?: CorsSpec;
  /** The 32 characters of the URL's ID (stable stand-in). */
  readonly urlId: string;
  readonly function: FunctionSpec;
}

/** An API or a function URL of the app. */
export type ApiSpec = RestApiSpec | HttpApiSpec | WebSocketApiSpec | FunctionUrlEndpointSpec;
