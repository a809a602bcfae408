import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { apiError } from './error-body.js';
import type { ExtensionRegistry, RegisteredExtension } from './extension-registry.js';
import { readBody } from './read-body.js';

const PREFIX = '/2020-01-01/extension';
const MAX_REQUEST_BYTES = 1024 * 1024;

/** Header names of the Extensions API, as AWS spells them. */
const ExtensionHeaders = {
  name: 'Lambda-Extension-Name',
  identifier: 'Lambda-Extension-Identifier',
  eventIdentifier: 'Lambda-Extension-Event-Identifier',
  acceptFeature: 'Lambda-Extension-Accept-Feature',
  functionErrorType: 'Lambda-Extension-Function-Error-Type',
} as const;

/** What `register` answers with, about the function. */
export interface ExtensionFunctionInfo {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly handler: string;
  readonly accountId: string;
}

/** Options of {@link registerExtensionRoutes}. */
export interface ExtensionRoutesOptions {
  readonly registry: ExtensionRegistry;
  readonly functionInfo: ExtensionFunctionInfo;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Resolves the extension an API call comes from, or answers the call with the error
 * the service gives (docs/conformance.md H.42). Shared with the Telemetry and Logs APIs.
 */
export function identifyExtension(registry: ExtensionRegistry, request: FastifyRequest, reply: FastifyReply): RegisteredExtension | undefined {
  const found = registry.identify(header(request, ExtensionHeaders.identifier));
  if (typeof found !== 'string') return found;
  const messages: Record<typeof found, string> = {
    'Extension.MissingExtensionIdentifier': 'Missing Lambda-Extension-Identifier header',
    'Extension.InvalidExtensionIdentifier': 'Invalid Lambda-Extension-Identifier',
    'Extension.UnknownExtensionIdentifier': 'Unknown extension',
  };
  void reply.code(403).send(apiError(found, messages[found]));
  return undefined;
}

/** The Extensions API routes (`/2020-01-01/extension/...`). https://docs.aws.amazon.com/lambda/latest/dg/runtimes-extensions-api.html */
export async function registerExtensionRoutes(app: FastifyInstance, options: ExtensionRoutesOptions): Promise<void> {
  const { registry, functionInfo } = options;

  app.post(`${PREFIX}/register`, async (request, reply) => {
    const read = await readBody(request.raw, reply.raw, MAX_REQUEST_BYTES);
    let body: unknown;
    try {
      body = JSON.parse(read.body?.toString('utf8') ?? '');
    } catch {
      body = undefined;
    }
    const result = registry.register(header(request, ExtensionHeaders.name), body);
    if (typeof result === 'string') {
      const messages: Record<typeof result, string> = {
        'Extension.InvalidExtensionName': 'Empty extension name',
        InvalidRequestFormat: 'The request body is not a valid registration',
        'Extension.InvalidEventType': 'Invalid event type for this extension',
        'Extension.RegistrationClosed': 'Registration is closed: init is over',
        'Extension.InvalidExtensionState': 'An extension with this name is already registered',
        'Extension.TooManyExtensions': 'Too many extensions registered (at most 10)',
      };
      return reply.code(403).send(apiError(result, messages[result]));
    }
    const wantsAccountId = (header(request, ExtensionHeaders.acceptFeature) ?? '').split(',').some((feature) => feature.trim() === 'accountId');
    return reply
      .code(200)
      .header(ExtensionHeaders.identifier, result.id)
      .send({
        functionName: functionInfo.functionName,
        functionVersion: functionInfo.functionVersion,
        handler: functionInfo.handler,
        ...(wantsAccountId ? { accountId: functionInfo.accountId } : {}),
      });
  });

  app.get(`${PREFIX}/event/next`, async (request, reply) => {
    const extension = identifyExtension(registry, request, reply);
    if (extension === undefined) return reply;
    const event = await registry.next(extension, (cancel) => {
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) cancel();
      });
    });
    if (event === undefined) return reply.code(403).send(apiError('Extension.Terminated', 'The environment is shutting down'));
    return reply.code(200).header(ExtensionHeaders.eventIdentifier, randomUUID()).send(event);
  });

  for (const kind of ['init', 'exit'] as const) {
    app.post(`${PREFIX}/${kind}/error`, async (request, reply) => {
      const extension = identifyExtension(registry, request, reply);
      if (extension === undefined) return reply;
      const errorType = header(request, ExtensionHeaders.functionErrorType);
      if (errorType === undefined || errorType === '') {
        return reply.code(403).send(apiError('Extension.MissingHeader', `Missing ${ExtensionHeaders.functionErrorType} header`));
      }
      const read = await readBody(request.raw, reply.raw, MAX_REQUEST_BYTES);
      registry.fail(extension, kind, errorType, read.body ?? Buffer.alloc(0));
      return reply.code(202).send({ status: 'OK' });
    });
  }
}
