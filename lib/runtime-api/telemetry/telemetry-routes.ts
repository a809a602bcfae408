import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { apiError } from '../error-body.js';
import type { ExtensionRegistry } from '../extension-registry.js';
import { identifyExtension } from '../extension-routes.js';
import { readBody } from '../read-body.js';
import { parseSubscriptionRequest, type SubscriptionApi } from './subscription-request.js';
import type { TelemetryHub } from './telemetry-hub.js';

/** Options of {@link registerTelemetryRoutes}. */
export interface TelemetryRoutesOptions {
  readonly hub: TelemetryHub;
  /** Who may subscribe (docs/conformance.md H.42), and until when (registration closes when init is over). */
  readonly registry: ExtensionRegistry;
}

/** The largest subscription request read. */
const MAX_REQUEST_BYTES = 1024 * 1024;

interface SubscribeRoute {
  readonly api: SubscriptionApi;
  readonly path: string;
  readonly validationError: string;
  readonly closedError: string;
  readonly closedMessage: string;
}

/**
 * The two subscribe routes and the error types and messages the service answers with
 * (the closed-subscription errors as the service sends them, seen in AWS's emulator tests
 * and in extensions' reports of real Lambda).
 */
const ROUTES: readonly SubscribeRoute[] = [
  {
    api: 'telemetry',
    path: '/2022-07-01/telemetry',
    validationError: 'ValidationError',
    closedError: 'Telemetry.SubscriptionClosed',
    closedMessage: 'Telemetry API subscription is closed already',
  },
  {
    api: 'logs',
    path: '/2020-08-15/logs',
    validationError: 'Logs.ValidationError',
    closedError: 'Logs.SubscriptionClosed',
    closedMessage: 'Logs API subscription is closed already',
  },
];

const API_NAMES: Record<SubscriptionApi, string> = { telemetry: 'Telemetry API', logs: 'Logs API' };

async function subscribe(route: SubscribeRoute, options: TelemetryRoutesOptions, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const { hub, registry } = options;
  const extension = identifyExtension(registry, request, reply);
  if (extension === undefined) return reply;
  const closed = (): FastifyReply => reply.code(403).send(apiError(route.closedError, route.closedMessage));
  const invalid = (message: string): FastifyReply => reply.code(400).send(apiError(route.validationError, message));
  if (!registry.registrationOpen || !hub.subscriptionOpen) return closed();

  const read = await readBody(request.raw, reply.raw, MAX_REQUEST_BYTES);
  if (read.body === undefined) return invalid(`The request body is larger than ${MAX_REQUEST_BYTES} bytes`);
  let body: unknown;
  try {
    body = JSON.parse(read.body.toString('utf8'));
  } catch (error) {
    return invalid(`The request body is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = parseSubscriptionRequest(route.api, body);
  // The service reports every problem in one message, joined by "; ".
  if (!parsed.ok) return invalid(parsed.problems.join('; '));

  const outcome = hub.subscribe(extension.name, parsed.request);
  if (outcome === 'closed') return closed();
  if (outcome === 'subscribed-to-other-api') {
    const other = API_NAMES[route.api === 'telemetry' ? 'logs' : 'telemetry'];
    return invalid(`Extension ${extension.name} already subscribed through the ${other}; an extension uses the Telemetry API or the Logs API, not both`);
  }
  return reply.code(200).type('application/json').send('"OK"');
}

/**
 * The Telemetry API (`PUT /2022-07-01/telemetry`) and the deprecated Logs API
 * (`PUT /2020-08-15/logs`): subscriptions validated as the service validates them
 * (docs/conformance.md J.52–J.56, L.68), then handed to the {@link TelemetryHub}.
 * https://docs.aws.amazon.com/lambda/latest/dg/telemetry-api-reference.html
 */
export async function registerTelemetryRoutes(app: FastifyInstance, options: TelemetryRoutesOptions): Promise<void> {
  for (const route of ROUTES) {
    const handler = (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => subscribe(route, options, request, reply);
    app.put(route.path, handler);
    // The documentation writes the endpoint with a trailing slash.
    app.put(`${route.path}/`, handler);
  }
}
