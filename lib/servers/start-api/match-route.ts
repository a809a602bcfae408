import type { HttpRouteSpec, RestRouteSpec } from '../../assembly/index.js';

/** How one segment of a route's path matched: literal beats a variable beats a greedy variable. */
const enum SegmentRank {
  Greedy = 1,
  Variable = 2,
  Literal = 3,
}

interface PathMatch {
  readonly pathParameters: Record<string, string>;
  /** One rank per segment of the route, compared in order: the higher, the more specific. */
  readonly ranks: readonly SegmentRank[];
}

function segmentsOf(path: string): string[] {
  return path.split('/').slice(1);
}

/**
 * Matches a request path against a route path with `{name}` and a trailing `{name+}`.
 * `decode` turns a raw segment into a parameter value. A greedy variable takes one segment
 * or more; variables never match an empty segment.
 */
export function matchPath(routePath: string, requestPath: string, decode: (segment: string) => string): PathMatch | undefined {
  const pattern = routePath === '/' ? [] : segmentsOf(routePath);
  const actual = requestPath === '/' || requestPath === '' ? [] : segmentsOf(requestPath);
  const pathParameters: Record<string, string> = {};
  const ranks: SegmentRank[] = [];
  for (let index = 0; index < pattern.length; index++) {
    const segment = pattern[index]!;
    const greedy = /^\{([^{}]+)\+\}$/.exec(segment);
    if (greedy !== null && index === pattern.length - 1) {
      const rest = actual.slice(index);
      if (rest.length === 0 || rest[0] === '') return undefined;
      pathParameters[greedy[1]!] = decode(rest.join('/'));
      ranks.push(SegmentRank.Greedy);
      return { pathParameters, ranks };
    }
    const value = actual[index];
    if (value === undefined) return undefined;
    const variable = /^\{([^{}]+)\}$/.exec(segment);
    if (variable !== null) {
      if (value === '') return undefined;
      pathParameters[variable[1]!] = decode(value);
      ranks.push(SegmentRank.Variable);
    } else if (segment === value || segment === decodeSegment(value)) {
      ranks.push(SegmentRank.Literal);
    } else {
      return undefined;
    }
  }
  return actual.length === pattern.length ? { pathParameters, ranks } : undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Positive when `a` is more specific than `b`. */
function compareRanks(a: readonly SegmentRank[], b: readonly SegmentRank[]): number {
  for (let index = 0; index < Math.min(a.length, b.length); index++) {
    if (a[index] !== b[index]) return a[index]! - b[index]!;
  }
  return a.length - b.length;
}

/** A route that matched, with its path parameters. */
export interface RouteMatch<R> {
  readonly route: R;
  readonly pathParameters: Record<string, string>;
}

/**
 * The REST API method a request reaches: the most specific resource whose path matches (a
 * literal segment over `{param}` over `{proxy+}`), then its method or `ANY`. Undefined when
 * no resource matches or the resource lacks the method: API Gateway answers both with 403.
 */
export function matchRestRoute(routes: readonly RestRouteSpec[], method: string, path: string): RouteMatch<RestRouteSpec> | undefined {
  let best: { path: string; match: PathMatch } | undefined;
  for (const route of routes) {
    const match = matchPath(route.resourcePath, path, (segment) => segment);
    if (match !== undefined && (best === undefined || compareRanks(match.ranks, best.match.ranks) > 0)) best = { path: route.resourcePath, match };
  }
  if (best === undefined) return undefined;
  const onResource = routes.filter((route) => route.resourcePath === best.path);
  const route = onResource.find((item) => item.httpMethod === method) ?? onResource.find((item) => item.httpMethod === 'ANY');
  return route === undefined ? undefined : { route, pathParameters: best.match.pathParameters };
}

/**
 * The HTTP API route a request reaches: among routes whose method (or `ANY`) and path match,
 * the most specific path, then an exact method over `ANY`; else `$default`; else undefined (404).
 * `path` is already decoded, as HTTP APIs decode it.
 */
export function matchHttpRoute(routes: readonly HttpRouteSpec[], method: string, path: string): RouteMatch<HttpRouteSpec> | undefined {
  let best: { route: HttpRouteSpec; match: PathMatch } | undefined;
  for (const route of routes) {
    if (route.path === undefined || (route.method !== method && route.method !== 'ANY')) continue;
    const match = matchPath(route.path, path, (segment) => segment);
    if (match === undefined) continue;
    const order = best === undefined ? 1 : compareRanks(match.ranks, best.match.ranks);
    if (order > 0 || (order === 0 && best !== undefined && best.route.method === 'ANY' && route.method !== 'ANY')) best = { route, match };
  }
  if (best !== undefined) return { route: best.route, pathParameters: best.match.pathParameters };
  const fallback = routes.find((route) => route.method === '$default');
  return fallback === undefined ? undefined : { route: fallback, pathParameters: {} };
}
