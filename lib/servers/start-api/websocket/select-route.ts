import type { WebSocketRouteSpec } from '../../../assembly/index.js';

/** A `$request.body.<path>` reference, bare or inside `${...}`. */
const BODY_REFERENCE = /\$\{request\.body\.([^}]+)\}|\$request\.body\.([A-Za-z0-9_\-.]+)/g;

function lookup(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/**
 * The route key a message selects by the API's route selection expression
 * (`$request.body.action`): evaluated against the message parsed as JSON. Undefined when the
 * expression cannot be evaluated (not JSON, the property missing): the `$default` route's turn.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-develop-routes.html
 */
export function evaluateRouteSelection(expression: string, message: string): string | undefined {
  let body: unknown;
  let parsed = false;
  let missing = false;
  const key = expression.replace(BODY_REFERENCE, (_match, braced: string | undefined, bare: string | undefined) => {
    if (!parsed) {
      parsed = true;
      try {
        body = JSON.parse(message);
      } catch {
        body = undefined;
      }
    }
    const value = lookup(body, (braced ?? bare)!);
    if (value === undefined || value === null || typeof value === 'object') {
      missing = true;
      return '';
    }
    return String(value);
  });
  return missing ? undefined : key;
}

/** The route of a message: the one whose key the expression selects, else `$default`, else none (U.118). */
export function selectRoute(routes: readonly WebSocketRouteSpec[], expression: string, message: string | undefined): WebSocketRouteSpec | undefined {
  const key = message === undefined ? undefined : evaluateRouteSelection(expression, message);
  const custom = key === undefined || key.startsWith('$') ? undefined : routes.find((route) => route.routeKey === key);
  return custom ?? routes.find((route) => route.routeKey === '$default');
}
