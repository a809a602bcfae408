import { headerValues, parseQueryString, type ApiRequest } from '../api-request.js';

/** What an identity source can name besides the request itself. */
export interface IdentityContext {
  readonly request: ApiRequest;
  readonly stageVariables: Readonly<Record<string, string>>;
  /** `$context` variables by name (`stage`, `routeKey`, `identity.sourceIp`, ...). */
  readonly contextVariables: Readonly<Record<string, string>>;
  /** REST repeats keep the last value; HTTP APIs join them with commas. */
  readonly repeats: 'last' | 'join';
}

/** Where an identity source points, without its front end's prefix. */
type Source = { readonly where: 'header' | 'querystring' | 'stageVariables' | 'context'; readonly name: string };

const PREFIXES: readonly (readonly [string, Source['where']])[] = [
  ['method.request.header.', 'header'],
  ['method.request.querystring.', 'querystring'],
  ['stageVariables.', 'stageVariables'],
  ['context.', 'context'],
  ['$request.header.', 'header'],
  ['$request.querystring.', 'querystring'],
  ['$stageVariables.', 'stageVariables'],
  ['$context.', 'context'],
  // A WebSocket API's `$connect` authorizer.
  ['route.request.header.', 'header'],
  ['route.request.querystring.', 'querystring'],
];

function parseSource(text: string): Source | undefined {
  for (const [prefix, where] of PREFIXES) if (text.startsWith(prefix)) return { where, name: text.slice(prefix.length) };
  return undefined;
}

function pick(values: readonly string[], repeats: IdentityContext['repeats']): string | undefined {
  if (values.length === 0) return undefined;
  return repeats === 'join' ? values.join(',') : values[values.length - 1];
}

/**
 * The value an identity source (`method.request.header.Authorization`,
 * `$request.querystring.user`, `$context.routeKey`, `stageVariables.tenant`) has in a
 * request; undefined when it is absent or empty, as API Gateway counts a missing source.
 */
export function identityValue(source: string, context: IdentityContext): string | undefined {
  const parsed = parseSource(source.trim());
  if (parsed === undefined) return undefined;
  let value: string | undefined;
  switch (parsed.where) {
    case 'header':
      value = pick(headerValues(context.request, parsed.name), context.repeats);
      break;
    case 'querystring':
      // Query string names are case-sensitive.
      value = pick(
        parseQueryString(context.request.rawQueryString)
          .filter(([name]) => name === parsed.name)
          .map(([, item]) => item),
        context.repeats,
      );
      break;
    case 'stageVariables':
      value = context.stageVariables[parsed.name];
      break;
    case 'context':
      value = context.contextVariables[parsed.name];
      break;
  }
  return value === undefined || value === '' ? undefined : value;
}

/** The values of every identity source in order, or undefined when one is missing. */
export function identityValues(sources: readonly string[], context: IdentityContext): string[] | undefined {
  const values: string[] = [];
  for (const source of sources) {
    const value = identityValue(source, context);
    if (value === undefined) return undefined;
    values.push(value);
  }
  return values;
}
