import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { ExtensionRegistry, RuntimeChannel, buildRuntimeApi, registerExtensionRoutes } from '../../lib/runtime-api/index.js';

const PREFIX = '/2020-01-01/extension';
const functionInfo = { functionName: 'my-function', functionVersion: '$LATEST', handler: 'index.handler', accountId: '123456789012' };

async function setUp(external: string[] = ['agent']): Promise<{ app: FastifyInstance; registry: ExtensionRegistry; failures: string[] }> {
  const failures: string[] = [];
  const registry = new ExtensionRegistry({ failed: (extension, kind, errorType) => failures.push(`${extension.name} ${kind} ${errorType}`) });
  registry.reset(external);
  const app = await buildRuntimeApi({ channel: new RuntimeChannel(), plugins: [(scope) => registerExtensionRoutes(scope, { registry, functionInfo })] });
  return { app, registry, failures };
}

function register(app: FastifyInstance, name: string | undefined, body: unknown, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: `${PREFIX}/register`,
    headers: { ...(name === undefined ? {} : { 'lambda-extension-name': name }), ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('Extensions API routes', () => {
  it('H.40 register answers 200 with an identifier and the function, accountId only when asked', async () => {
    const { app } = await setUp();
    const response = await register(app, 'agent', { events: ['INVOKE', 'SHUTDOWN'] });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['lambda-extension-identifier']), /^[0-9a-f-]{36}$/);
    assert.deepEqual(response.json(), { functionName: 'my-function', functionVersion: '$LATEST', handler: 'index.handler' });
    const internal = await register(app, 'internal-one', { events: ['INVOKE'] }, { 'lambda-extension-accept-feature': 'accountId' });
    assert.deepEqual(internal.json(), { ...functionInfo });
    await app.close();
  });

  it('H.41 register errors: empty name, malformed body, unknown event, SHUTDOWN for an internal extension, duplicate, after init, more than 10', async () => {
    const { app, registry } = await setUp(['agent']);
    const errorType = async (name: string | undefined, body: unknown): Promise<string> => {
      const response = await register(app, name, body);
      assert.equal(response.statusCode, 403);
      return response.json().errorType;
    };
    assert.equal(await errorType(undefined, { events: [] }), 'Extension.InvalidExtensionName');
    assert.equal(await errorType('agent', '{not json'), 'InvalidRequestFormat');
    assert.equal(await errorType('agent', { events: ['INVOKE', 'RESTORE'] }), 'Extension.InvalidEventType');
    assert.equal(await errorType('in-process', { events: ['SHUTDOWN'] }), 'Extension.InvalidEventType');
    assert.equal((await register(app, 'agent', { events: ['INVOKE'] })).statusCode, 200);
    assert.equal(await errorType('agent', { events: ['INVOKE'] }), 'Extension.InvalidExtensionState');
    for (let i = 0; i < 9; i++) assert.equal((await register(app, `internal-${i}`, { events: [] })).statusCode, 200);
    assert.equal(await errorType('eleventh', { events: [] }), 'Extension.TooManyExtensions');
    registry.closeRegistration();
    assert.equal(await errorType('late', { events: [] }), 'Extension.RegistrationClosed');
    await app.close();
  });

  it('H.42 calls without, with a malformed or with an unknown identifier are refused', async () => {
    const { app } = await setUp();
    const next = (id?: string) => app.inject({ method: 'GET', url: `${PREFIX}/event/next`, headers: id === undefined ? {} : { 'lambda-extension-identifier': id } });
    assert.equal((await next()).json().errorType, 'Extension.MissingExtensionIdentifier');
    assert.equal((await next('not-a-uuid')).json().errorType, 'Extension.InvalidExtensionIdentifier');
    const unknown = await next('6f7c1a52-64b0-4f9e-9b5c-3a0b8f0f2d11');
    assert.equal(unknown.statusCode, 403);
    assert.equal(unknown.json().errorType, 'Extension.UnknownExtensionIdentifier');
    await app.close();
  });

  it('H.43 H.44 /event/next ends init, then returns dispatched events with an event identifier', async () => {
    const { app, registry } = await setUp();
    const id = String((await register(app, 'agent', { events: ['INVOKE'] })).headers['lambda-extension-identifier']);
    assert.equal(registry.allReady, false);
    const pending = app.inject({ method: 'GET', url: `${PREFIX}/event/next`, headers: { 'lambda-extension-identifier': id } });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(registry.allReady, true, 'the first /next means init is done');
    const event = { eventType: 'INVOKE' as const, deadlineMs: 1, requestId: 'r', invokedFunctionArn: 'arn', tracing: { type: 'X-Amzn-Trace-Id' as const, value: 'Root=1-x' } };
    assert.equal(registry.dispatch(event).length, 1);
    assert.equal(registry.allIdle, false, 'the extension holds the event until its next /next');
    const response = await pending;
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), event);
    assert.match(String(response.headers['lambda-extension-event-identifier']), /^[0-9a-f-]{36}$/);
    const again = app.inject({ method: 'GET', url: `${PREFIX}/event/next`, headers: { 'lambda-extension-identifier': id } });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(registry.allIdle, true);
    registry.reset([]);
    assert.equal((await again).statusCode, 403, 'a reset releases the waiting call');
    await app.close();
  });

  it('H.45 init/error and exit/error need an error type header; with one, 202 and the environment is told', async () => {
    const { app, failures } = await setUp();
    const id = String((await register(app, 'agent', { events: [] })).headers['lambda-extension-identifier']);
    const missing = await app.inject({ method: 'POST', url: `${PREFIX}/init/error`, headers: { 'lambda-extension-identifier': id }, payload: '{}' });
    assert.equal(missing.statusCode, 403);
    assert.equal(missing.json().errorType, 'Extension.MissingHeader');
    for (const kind of ['init', 'exit']) {
      const response = await app.inject({
        method: 'POST',
        url: `${PREFIX}/${kind}/error`,
        headers: { 'lambda-extension-identifier': id, 'lambda-extension-function-error-type': 'Extension.Broken' },
        payload: '{"errorMessage":"broken"}',
      });
      assert.equal(response.statusCode, 202);
      assert.deepEqual(response.json(), { status: 'OK' });
    }
    assert.deepEqual(failures, ['agent init Extension.Broken', 'agent exit Extension.Broken']);
    await app.close();
  });
});
