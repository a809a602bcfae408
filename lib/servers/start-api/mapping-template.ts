import { JSONPath } from 'jsonpath-plus';
import { Compile, parse } from 'velocityjs';

/** A mapping template that cannot be rendered: its JSON input does not parse, or the template does not. */
export class MappingTemplateError extends Error {
  constructor(
    message: string,
    /** True when the payload the template reads is not JSON (a 400 for a request template). */
    readonly badInput: boolean,
  ) {
    super(message);
  }
}

/** The request's parameters as `$input.params()` gives them. */
export interface TemplateParams {
  readonly path: Readonly<Record<string, string>>;
  readonly querystring: Readonly<Record<string, string>>;
  readonly header: Readonly<Record<string, string>>;
}

/** What a mapping template sees. */
export interface TemplateInput {
  /** The payload: the method request's body, or the integration response's. */
  readonly body: string;
  readonly params: TemplateParams;
  /** `$context`: the request's context variables. */
  readonly context: Readonly<Record<string, unknown>>;
  readonly stageVariables: Readonly<Record<string, string>>;
}

/** What rendering gave: the text, and what the template set in `$context.*Override`. */
export interface RenderedTemplate {
  readonly text: string;
  /** `$context.responseOverride.status`, when set. */
  readonly statusOverride?: number;
  /** `$context.responseOverride.header.X`. */
  readonly headerOverrides: Readonly<Record<string, string>>;
  /** `$context.requestOverride.header/querystring/path.X`. */
  readonly requestOverrides: { readonly header: Record<string, string>; readonly querystring: Record<string, string>; readonly path: Record<string, string> };
}

type Ast = ReturnType<typeof parse>;
const parsed = new Map<string, Ast>();

function parseTemplate(template: string): Ast {
  let ast = parsed.get(template);
  if (ast === undefined) {
    try {
      ast = parse(template);
    } catch (error) {
      throw new MappingTemplateError(`the mapping template does not parse: ${error instanceof Error ? error.message : String(error)}`, false);
    }
    if (parsed.size > 500) parsed.clear();
    parsed.set(template, ast);
  }
  return ast;
}

/** Java's `StringEscapeUtils.escapeJavaScript`, which `$util.escapeJavaScript` is. */
export function escapeJavaScript(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    switch (char) {
      case '"':
      case "'":
      case '\\':
      case '/':
        out += `\\${char}`;
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
    }
    if (code < 0x20 || code > 0x7e) {
      // Java escapes UTF-16 code units, upper-case hex.
      for (const unit of char.length === 1 ? [code] : [char.charCodeAt(0), char.charCodeAt(1)]) out += `\\u${unit.toString(16).toUpperCase().padStart(4, '0')}`;
    } else {
      out += char;
    }
  }
  return out;
}

/** Java's `URLEncoder.encode(text, "UTF-8")`: form encoding, space as `+`. */
export function urlEncode(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Java's `URLDecoder.decode(text, "UTF-8")`. */
export function urlDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new MappingTemplateError('$util.urlDecode was given malformed input', false);
  }
}

/** Velocity renders a missing value as nothing; JSON's null is missing too. */
function present(value: unknown): unknown {
  return value === null ? undefined : value;
}

/** Java `String` methods templates call that JavaScript strings lack (`$s.length()`, `$s.contains(...)`). */
const STRING_METHODS: Record<string, (text: string, params: unknown[]) => unknown> = {
  length: (text) => text.length,
  isEmpty: (text) => text.length === 0,
  contains: (text, [part]) => text.includes(String(part)),
  equals: (text, [other]) => text === other,
  equalsIgnoreCase: (text, [other]) => typeof other === 'string' && text.toLowerCase() === other.toLowerCase(),
  matches: (text, [pattern]) => new RegExp(`^(?:${String(pattern)})$`).test(text),
  replaceAll: (text, [pattern, replacement]) => text.replace(new RegExp(String(pattern), 'g'), String(replacement).replace(/\$(\d)/g, '$$$1')),
};

const CUSTOM_METHODS = [
  {
    uid: 'java-string',
    match: ({ property, context }: { property: string; context: unknown }) => typeof context === 'string' && Object.hasOwn(STRING_METHODS, property),
    resolve: ({ property, context, params }: { property: string; context: unknown; params: unknown[] }) => STRING_METHODS[property]!(context as string, params),
  },
];

function inputOf(input: TemplateInput): Record<string, unknown> {
  let json: { value: unknown } | undefined;
  const document = (): unknown => {
    if (json === undefined) {
      const text = input.body.trim();
      try {
        json = { value: text === '' ? {} : (JSON.parse(text) as unknown) };
      } catch (error) {
        throw new MappingTemplateError(`Could not parse request body into json: ${error instanceof Error ? error.message : String(error)}`, true);
      }
    }
    return json.value;
  };
  const evaluate = (path: unknown): unknown => {
    const expression = typeof path === 'string' && path !== '' ? path : '$';
    return JSONPath({ path: expression, json: document() as object, wrap: false });
  };
  const all = (): Record<string, Record<string, string>> => ({ path: { ...input.params.path }, querystring: { ...input.params.querystring }, header: { ...input.params.header } });
  const lowerHeaders = Object.fromEntries(Object.entries(input.params.header).map(([name, value]) => [name.toLowerCase(), value]));
  return {
    body: input.body,
    json: (path: unknown): string => {
      const value = evaluate(path);
      return value === undefined ? '' : JSON.stringify(value);
    },
    path: (path: unknown): unknown => present(evaluate(path)),
    params: (name?: unknown): unknown => {
      if (name === undefined) return all();
      const key = String(name);
      return input.params.path[key] ?? input.params.querystring[key] ?? input.params.header[key] ?? lowerHeaders[key.toLowerCase()] ?? '';
    },
  };
}

const UTIL = {
  escapeJavaScript: (text: unknown): string => escapeJavaScript(text === undefined || text === null ? '' : String(text)),
  parseJson: (text: unknown): unknown => {
    try {
      return present(JSON.parse(String(text)));
    } catch {
      throw new MappingTemplateError('$util.parseJson was given text that is not JSON', false);
    }
  },
  urlEncode: (text: unknown): string => urlEncode(String(text ?? '')),
  urlDecode: (text: unknown): string => urlDecode(String(text ?? '')),
  base64Encode: (text: unknown): string => Buffer.from(String(text ?? ''), 'utf8').toString('base64'),
  base64Decode: (text: unknown): string => Buffer.from(String(text ?? ''), 'base64').toString('utf8'),
};

function textRecord(value: unknown): Record<string, string> {
  const record: Record<string, string> = {};
  if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) if (item !== undefined && item !== null) record[key] = String(item);
  return record;
}

/**
 * Renders an API Gateway mapping template with a real Velocity engine: `$input` (`body`,
 * `json()`, `path()`, `params()`), `$util`, `$context` (with `responseOverride` and
 * `requestOverride`) and `$stageVariables`. A missing value renders as nothing, as in API Gateway.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
 */
export function renderTemplate(template: string, input: TemplateInput): RenderedTemplate {
  const context = {
    ...input.context,
    responseOverride: { header: {} as Record<string, unknown> } as Record<string, unknown>,
    requestOverride: { header: {}, querystring: {}, path: {} } as Record<string, Record<string, unknown>>,
  };
  const compile = new Compile(parseTemplate(template), { customMethodHandlers: CUSTOM_METHODS });
  let text: string;
  try {
    text = compile.render({ input: inputOf(input), util: UTIL, context, stageVariables: { ...input.stageVariables } }, undefined, true);
  } catch (error) {
    if (error instanceof MappingTemplateError) throw error;
    throw new MappingTemplateError(`the mapping template failed: ${error instanceof Error ? error.message : String(error)}`, false);
  }
  const status = Number(context.responseOverride['status']);
  return {
    text,
    ...(Number.isInteger(status) && status >= 100 && status <= 599 ? { statusOverride: status } : {}),
    headerOverrides: textRecord(context.responseOverride['header']),
    requestOverrides: { header: textRecord(context.requestOverride['header']), querystring: textRecord(context.requestOverride['querystring']), path: textRecord(context.requestOverride['path']) },
  };
}
