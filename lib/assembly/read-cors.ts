import type { CorsSpec } from './api-spec.js';
import { isRecord } from './cfn-template.js';
import type { TemplateScope } from './template-scope.js';

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item !== '') : [];
}

/**
 * A CORS configuration as the front end knows it: an HTTP API's `CorsConfiguration` or a
 * function URL's `Cors` (both have the same six properties). Undefined when there is none.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-apigatewayv2-api-cors.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-lambda-url-cors.html
 */
export function readCors(scope: TemplateScope, value: unknown): CorsSpec | undefined {
  if (value === undefined) return undefined;
  const resolved = scope.resolve(value, []);
  if (!isRecord(resolved)) return undefined;
  const maxAge = resolved['MaxAge'] === undefined ? undefined : Number(resolved['MaxAge']);
  const credentials = resolved['AllowCredentials'];
  return {
    allowOrigins: list(resolved['AllowOrigins']),
    allowMethods: list(resolved['AllowMethods']),
    allowHeaders: list(resolved['AllowHeaders']),
    exposeHeaders: list(resolved['ExposeHeaders']),
    ...(maxAge === undefined || !Number.isInteger(maxAge) ? {} : { maxAgeSeconds: maxAge }),
    allowCredentials: credentials === true || credentials === 'true',
  };
}
