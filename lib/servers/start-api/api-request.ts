/** One HTTP request as it reached the front end, before API Gateway or the URL front end made an event of it. */
export interface ApiRequest {
  /** As sent, upper case (`GET`, `PATCH`, ...). */
  readonly method: string;
  /** The path as sent, still percent-encoded, without the query string. */
  readonly path: string;
  /** Everything after the first `?`, as sent. */
  readonly rawQueryString: string;
  /** Header name and value pairs in the order sent, names as the client spelled them, repeats kept. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
  readonly sourceIp: string;
  /** e.g. `HTTP/1.1`. */
  readonly protocol: string;
  /** The ID the front end gives the request. */
  readonly requestId: string;
  /** When the request arrived. */
  readonly timeEpochMs: number;
}

/** A response ready to be written: status, header pairs (repeats kept), body. */
export interface ApiAnswer {
  readonly statusCode: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
}

/** Every value of a header, matched case-insensitively, in the order sent. */
export function headerValues(request: Pick<ApiRequest, 'headers'>, name: string): string[] {
  const lower = name.toLowerCase();
  return request.headers.filter(([key]) => key.toLowerCase() === lower).map(([, value]) => value);
}

/** The first value of a header, or undefined. */
export function headerValue(request: Pick<ApiRequest, 'headers'>, name: string): string | undefined {
  return headerValues(request, name)[0];
}

/** `%XX` decoded; a malformed escape leaves the text as it was, as API Gateway passes it on. */
export function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The query string's parameters in order, names and values decoded (`+` stays `+`). */
export function parseQueryString(rawQueryString: string): [string, string][] {
  if (rawQueryString === '') return [];
  return rawQueryString
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const equals = part.indexOf('=');
      return equals < 0 ? [decodeComponent(part), ''] : [decodeComponent(part.slice(0, equals)), decodeComponent(part.slice(equals + 1))];
    });
}

/**
 * The short ID API Gateway also gives a request (`x-amz-apigw-id`, REST's `extendedRequestId`;
 * an HTTP API's request ID and `apigw-requestid`), made from the request ID so both agree.
 */
export function shortRequestId(requestId: string): string {
  return Buffer.from(requestId.replace(/-/g, '').padEnd(22, '0').slice(0, 22), 'hex').toString('base64');
}

/** `dd/MMM/yyyy:HH:mm:ss +0000`, the request time format of API Gateway's events. */
export function formatRequestTime(epochMs: number): string {
  const date = new Date(epochMs);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/** True when a content type matches a media type pattern (`image/png`, `image/*`, `*\/*`). */
export function mediaTypeMatches(contentType: string, pattern: string): boolean {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  const wanted = pattern.trim().toLowerCase();
  if (wanted === '*/*') return type !== '';
  if (wanted.endsWith('/*')) return type.startsWith(wanted.slice(0, -1));
  return type === wanted;
}

/**
 * True when HTTP APIs and function URLs pass a body of this content type as text; any other
 * body (and one without a content type) reaches the function base64-encoded.
 */
export function isTextContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    /^application\/(json|javascript|xml|x-www-form-urlencoded|yaml|x-yaml|graphql)$/.test(type) ||
    /\+(json|xml)$/.test(type)
  );
}
