/** `{"errorMessage","errorType"}`: the shape of every error the Runtime API answers with. */
export interface ApiErrorBody {
  readonly errorMessage: string;
  readonly errorType: string;
}

/** Builds the JSON error body the Runtime API answers with. */
export function apiError(errorType: string, errorMessage: string): ApiErrorBody {
  return { errorMessage, errorType };
}

const ERROR_CAUSE_CONTENT_TYPE = 'application/vnd.aws.lambda.error.cause+json';

/**
 * The body the caller sees for an `/error` post: verbatim, except that the structured
 * error-cause type is reduced to `{errorMessage, errorType, stackTrace}` as the service does.
 */
export function normaliseErrorBody(body: Buffer, contentType: string): { body: Buffer; contentType: string } {
  if (!contentType.toLowerCase().startsWith(ERROR_CAUSE_CONTENT_TYPE)) return { body, contentType };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) {
    return { body: Buffer.from(JSON.stringify(apiError('Runtime.Unknown', 'Invalid error body'))), contentType: 'application/json' };
  }
  const { errorMessage, errorType, stackTrace } = parsed as Record<string, unknown>;
  return { body: Buffer.from(JSON.stringify({ errorMessage, errorType, stackTrace })), contentType: 'application/json' };
}
