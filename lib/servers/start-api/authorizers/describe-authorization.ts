import type { ApiSpec, AuthorizerSpec, RouteAuthorization } from '../../../assembly/index.js';

/** The routes of an API with how each is authorized, keyed as the notices name them. */
function guardedRoutes(api: ApiSpec): { readonly key: string; readonly authorizationType: string; readonly authorization?: RouteAuthorization }[] {
  if (api.kind === 'rest') return api.routes.map((route) => ({ key: `${route.httpMethod} ${route.resourcePath}`, ...route }));
  if (api.kind === 'http') return api.routes.map((route) => ({ key: route.routeKey, ...route }));
  if (api.kind === 'websocket') return api.routes.filter((route) => route.routeKey === '$connect').map((route) => ({ key: route.routeKey, ...route }));
  return [];
}

/**
 * One line per thing about an API's authorization that a user should know at start: routes
 * that take any SigV4-signed request, user pools whose tokens cannot be checked against
 * real keys before deploy (and the issuer to sign them for), authorizers that cannot run,
 * and authorization cdk-local does not enforce.
 */
export function describeAuthorization(api: ApiSpec, options: { readonly verifyJwt: boolean }): string[] {
  const lines: string[] = [];
  if (api.kind === 'url') {
    if (api.authType === 'AWS_IAM') lines.push(`function URL ${api.constructPath} has AuthType AWS_IAM: it takes any request signed with SigV4, without checking the signature, and answers 403 to others.`);
    return lines;
  }
  const routes = guardedRoutes(api);
  const iam = routes.filter((route) => route.authorization?.authorizer.kind === 'iam').map((route) => route.key);
  if (iam.length > 0) lines.push(`${api.constructPath}: ${iam.join(', ')} use AWS_IAM: they take any request signed with SigV4, without checking the signature, and answer 403 to others.`);
  const authorizers = new Map<string, AuthorizerSpec>();
  for (const route of routes) {
    const authorizer = route.authorization?.authorizer;
    if (authorizer !== undefined && authorizer.kind !== 'iam') authorizers.set(authorizer.logicalId, authorizer);
    if (route.authorizationType.toUpperCase() !== 'NONE' && route.authorization === undefined) {
      lines.push(`${api.constructPath}: ${route.key} has authorization ${route.authorizationType} with an authorizer cdk-local cannot find, so it does not enforce it; requests go through.`);
    }
  }
  for (const authorizer of authorizers.values()) {
    if (authorizer.kind === 'lambda' && authorizer.function === undefined) {
      lines.push(`${api.constructPath}: the function of authorizer ${authorizer.name} is not part of the app; its routes answer as for an authorizer error.`);
    }
    if (authorizer.kind === 'jwt') {
      for (const issuer of authorizer.localIssuers) {
        const audience = authorizer.audience.length === 0 ? '' : ` and audience ${authorizer.audience.join(', ')}`;
        lines.push(`${api.constructPath}: authorizer ${authorizer.name} takes tokens of the app's user pool as issuer ${issuer}${audience} (stand-in IDs until deploy); their signatures are not checked.`);
      }
    }
  }
  if (!options.verifyJwt && [...authorizers.values()].some((authorizer) => authorizer.kind === 'jwt')) {
    lines.push(`${api.constructPath}: JWT signatures are not checked (--no-verify-jwt); issuer, audience, expiry and scopes are.`);
  }
  return lines;
}
