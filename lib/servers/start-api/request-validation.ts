import AjvDraft04 from 'ajv-draft-04';
import type { ValidateFunction } from 'ajv';
import type { RestRouteSpec } from '../../assembly/index.js';
import { headerValues, parseQueryString, type ApiAnswer, type ApiRequest } from './api-request.js';

function badRequest(message: string): ApiAnswer {
  return {
    statusCode: 400,
    headers: [
      ['Content-Type', 'application/json'],
      ['x-amzn-ErrorType', 'BadRequestException'],
    ],
    body: Buffer.from(JSON.stringify({ message }).replace('":"', '": "')),
  };
}

// The package is CommonJS: its class is the default export's `default` under Node's ESM interop.
const Ajv = (AjvDraft04 as unknown as { default: typeof AjvDraft04.default }).default;
let ajv: InstanceType<typeof Ajv> | undefined;
const compiled = new Map<string, ValidateFunction | undefined>();

/** Made at the first validation: most runs validate nothing. */
function ajvInstance(): InstanceType<typeof Ajv> {
  // Draft 4, as API Gateway models are; formats are not checked (the service checks few of them).
  ajv ??= new Ajv({ strict: false, validateFormats: false, allErrors: false });
  return ajv;
}

function validatorOf(schema: unknown): ValidateFunction | undefined {
  const key = JSON.stringify(schema);
  if (!compiled.has(key)) {
    let validate: ValidateFunction | undefined;
    try {
      validate = ajvInstance().compile(schema as object);
    } catch {
      // A schema Ajv cannot compile checks nothing, as a model API Gateway would not have taken.
      validate = undefined;
    }
    compiled.set(key, validate);
  }
  return compiled.get(key);
}

/** True when the request has the parameter (`method.request.querystring.x`...) and it is not blank. */
function hasParameter(request: ApiRequest, pathParameters: Readonly<Record<string, string>>, source: string, name: string): boolean {
  switch (source) {
    case 'path':
      return (pathParameters[name] ?? '') !== '';
    case 'querystring':
    case 'multivaluequerystring':
      return parseQueryString(request.rawQueryString).some(([key, value]) => key === name && value !== '');
    case 'header':
    case 'multivalueheader':
      return headerValues(request, name).some((value) => value !== '');
    default:
      return true;
  }
}

/**
 * Validates a request as the method's request validator asks: required parameters present and
 * not blank, then the body against the model of its content type (or `$default`). Undefined
 * when it passes; else the service's 400.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html
 */
export function validateRequest(route: RestRouteSpec, request: ApiRequest, pathParameters: Readonly<Record<string, string>>): { answer: ApiAnswer; detail: string } | undefined {
  const spec = route.methodRequest;
  if (spec?.validator === undefined) return undefined;
  if (spec.validator.parameters) {
    const missing: string[] = [];
    for (const [key, required] of Object.entries(spec.requestParameters)) {
      const match = /^method\.request\.([a-z]+)\.(.+)$/.exec(key);
      if (!required || match === null) continue;
      if (!hasParameter(request, pathParameters, match[1]!, match[2]!)) missing.push(match[2]!);
    }
    if (missing.length > 0) return { answer: badRequest(`Missing required request parameters: [${missing.join(', ')}]`), detail: `missing ${missing.join(', ')}` };
  }
  if (spec.validator.body) {
    const contentType = (headerValues(request, 'content-type')[0] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
    const entry = Object.entries(spec.requestModels).find(([type]) => type.toLowerCase() === contentType) ?? Object.entries(spec.requestModels).find(([type]) => type === '$default');
    const validate = entry === undefined ? undefined : validatorOf(entry[1]);
    if (validate !== undefined) {
      let body: unknown;
      try {
        body = JSON.parse(request.body.toString('utf8'));
      } catch {
        return { answer: badRequest('Invalid request body'), detail: 'the body is not JSON' };
      }
      if (!validate(body)) return { answer: badRequest('Invalid request body'), detail: `the body does not match the model: ${ajvInstance().errorsText(validate.errors)}` };
    }
  }
  return undefined;
}
