// CORS as an HTTP API (`CorsConfiguration`) and a function URL (`Cors`) apply it: the front end
// answers preflights itself and puts the configured headers on every response, in place of the
// function's own. REST APIs have no such configuration: their preflights are OPTIONS methods of
// the template, and API Gateway adds nothing to a proxy response.
import type { ApiSpec, CorsSpec } from '../../assembly/index.js';
import { headerValue, type ApiAnswer, type ApiRequest } from './api-request.js';

const ALLOW_ORIGIN = 'access-control-allow-origin';
const ALLOW_CREDENTIALS = 'access-control-allow-credentials';
const ALLOW_METHODS = 'access-control-allow-methods';
const ALLOW_HEADERS = 'access-control-allow-headers';
const EXPOSE_HEADERS = 'access-control-expose-headers';
const MAX_AGE = 'access-control-max-age';
const CORS_HEADER_PREFIX = 'access-control-';

/** The CORS configuration the front end of an API or URL applies, if it has one. */
export function corsOf(api: ApiSpec): CorsSpec | undefined {
  return api.kind === 'http' || api.kind === 'url' ? api.cors : undefined;
}

/** A preflight: `OPTIONS` with an `Origin` and an `Access-Control-Request-Method`. */
export function isPreflight(request: ApiRequest): boolean {
  return request.method === 'OPTIONS' && headerValue(request, 'origin') !== undefined && headerValue(request, 'access-control-request-method') !== undefined;
}

function includes(allowed: readonly string[], value: string): boolean {
  const lower = value.toLowerCase();
  return allowed.some((item) => item === '*' || item.toLowerCase() === lower);
}

/** The `Access-Control-Allow-Origin` a request from `origin` gets, or undefined when the origin is not allowed. */
function allowedOrigin(cors: CorsSpec, origin: string | undefined): string | undefined {
  if (origin === undefined) return undefined;
  if (cors.allowOrigins.includes('*')) return '*';
  // Compared whole: `https://example.com/` (a trailing slash) is not the origin `https://example.com`.
  return includes(cors.allowOrigins.filter((item) => item !== '*'), origin) ? origin : undefined;
}

/** The header names of `Access-Control-Request-Headers`, lower case. */
function requestedHeaders(request: ApiRequest): string[] {
  return (headerValue(request, 'access-control-request-headers') ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
}

/**
 * The headers that allow a preflight: the configured `Access-Control-*` headers when the
 * origin, the method and every requested header are allowed; undefined when one is not.
 */
function preflightHeaders(cors: CorsSpec, request: ApiRequest): [string, string][] | undefined {
  const origin = allowedOrigin(cors, headerValue(request, 'origin'));
  const method = headerValue(request, 'access-control-request-method') ?? '';
  if (origin === undefined || !includes(cors.allowMethods, method) || !requestedHeaders(request).every((name) => includes(cors.allowHeaders, name))) return undefined;
  const headers: [string, string][] = [[ALLOW_ORIGIN, origin]];
  if (cors.allowCredentials) headers.push([ALLOW_CREDENTIALS, 'true']);
  if (cors.allowMethods.length > 0) headers.push([ALLOW_METHODS, cors.allowMethods.join(',')]);
  if (cors.allowHeaders.length > 0) headers.push([ALLOW_HEADERS, cors.allowHeaders.join(',')]);
  if (cors.maxAgeSeconds !== undefined) headers.push([MAX_AGE, String(cors.maxAgeSeconds)]);
  return headers;
}

/**
 * The front end's own answer to a preflight: 204 with the configured `Access-Control-*`
 * headers when the origin, the method and every requested header are allowed; 204 without
 * them otherwise, which the browser takes as a refusal. The function is not called.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html#urls-cors
 */
export function preflightAnswer(cors: CorsSpec, request: ApiRequest): ApiAnswer {
  return { statusCode: 204, headers: preflightHeaders(cors, request) ?? [], body: Buffer.alloc(0) };
}

/**
 * The headers of a response with the configuration applied: the function's own
 * `Access-Control-*` headers dropped, and for a request from an allowed origin the configured
 * `Access-Control-Allow-Origin`, `-Allow-Credentials` and `-Expose-Headers` added; for a
 * preflight a route took (an HTTP API's `ANY` or `OPTIONS` route), the preflight's headers.
 */
export function withCorsHeaders(cors: CorsSpec, request: ApiRequest, headers: readonly (readonly [string, string])[]): [string, string][] {
  const kept: [string, string][] = headers.filter(([name]) => !name.toLowerCase().startsWith(CORS_HEADER_PREFIX)).map(([name, value]) => [name, value]);
  if (isPreflight(request)) return [...kept, ...(preflightHeaders(cors, request) ?? [])];
  const origin = allowedOrigin(cors, headerValue(request, 'origin'));
  if (origin === undefined) return kept;
  kept.push([ALLOW_ORIGIN, origin]);
  if (cors.allowCredentials) kept.push([ALLOW_CREDENTIALS, 'true']);
  if (cors.exposeHeaders.length > 0) kept.push([EXPOSE_HEADERS, cors.exposeHeaders.join(',')]);
  return kept;
}

/** One line about a configuration browsers will not honour, or undefined. */
export function describeCorsGap(cors: CorsSpec, where: string): string | undefined {
  if (cors.allowCredentials && cors.allowOrigins.includes('*')) {
    return `${where} allows credentials from every origin ('*'), which browsers refuse; name the origins in AllowOrigins instead.`;
  }
  return undefined;
}
