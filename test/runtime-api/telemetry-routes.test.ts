import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import {
  BUFFERING_LIMITS,
  ExtensionRegistry,
  RuntimeChannel,
  TelemetryHub,
  buildRuntimeApi,
  parseSubscriptionRequest,
  registerExtensionRoutes,
  registerTelemetryRoutes,
  type RegisteredExtension,
} from '../../lib/runtime-api/index.js';

const TELEMETRY = '/2022-07-01/telemetry';
const LOGS = '/2020-08-15/logs';

interface Setup {
  readonly app: FastifyInstance;
  readonly hub: TelemetryHub;
  readonly registry: ExtensionRegistry;
  /** Registers one more extension and returns its identifier. */
  register(name: string): string;
  close(): Promise<void>;
}

async function setUp(): Promise<Setup> {
  const registry = new ExtensionRegistry();
  registry.reset([]);
  // Nothing listens on these ports: deliveries would only be retried, and close() stops them.
  const hub = new TelemetryHub({ retry: { initialDelayMs: 1000, maxAttempts: 1 } });
  const functionInfo = { functionName: 'fn', functionVersion: '$LATEST', handler: 'index.handler', accountId: '123456789012' };
  const app = await buildRuntimeApi({
    channel: new RuntimeChannel(),
    plugins: [async (scope) => registerExtensionRoutes(scope, { registry, functionInfo }), async (scope) => registerTelemetryRoutes(scope, { hub, registry })],
  });
  return {
    app,
    hub,
    registry,
    register(name) {
      const extension = registry.register(name, { events: ['INVOKE'] });
      assert.equal(typeof extension, 'object', `registered ${name}`);
      return (extension as RegisteredExtension).id;
    },
    async close() {
      await app.close();
      await hub.close();
    },
  };
}

function telemetryBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: '2022-12-13',
    types: ['platform', 'function'],
    destination: { protocol: 'HTTP', URI: 'http://sandbox.localdomain:8080/telemetry' },
    ...overrides,
  };
}

function put(app: FastifyInstance, url: string, id: string | undefined, body: unknown) {
  return app.inject({
    method: 'PUT',
    url,
    headers: { 'content-type': 'application/json', ...(id === undefined ? {} : { 'lambda-extension-identifier': id }) },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('Telemetry API subscriptions (PUT /2022-07-01/telemetry)', () => {
  it('J.52 J.55 accepts every schema version, HTTP and TCP, with and without buffering: 200 "OK"', async () => {
    const setup = await setUp();
    const bodies = [
      telemetryBody({ schemaVersion: '2022-07-01' }),
      telemetryBody({ schemaVersion: '2022-12-13', types: ['extension'] }),
      telemetryBody({ schemaVersion: '2025-01-29', destination: { protocol: 'TCP', port: 9999 } }),
      telemetryBody({ buffering: { maxItems: 1000, maxBytes: 262144, timeoutMs: 100 } }),
      telemetryBody({ destination: { protocol: 'HTTP', URI: 'http://sandbox:4243' } }),
    ];
    for (const [index, body] of bodies.entries()) {
      const response = await put(setup.app, TELEMETRY, setup.register(`ext-${index}`), body);
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.body, '"OK"');
      assert.match(String(response.headers['content-type']), /^application\/json/);
    }
    assert.deepEqual(
      setup.hub.subscriptions.map((subscription) => subscription.name),
      bodies.map((_body, index) => `ext-${index}`),
    );
    assert.deepEqual(setup.hub.subscriptions[2]?.destination, { protocol: 'TCP', port: 9999 });
    await setup.close();
  });

  it('J.52 the endpoint also answers with the trailing slash the documentation writes', async () => {
    const setup = await setUp();
    const response = await put(setup.app, `${TELEMETRY}/`, setup.register('ext'), telemetryBody());
    assert.equal(response.statusCode, 200);
    await setup.close();
  });

  it('J.52 refuses a bad schemaVersion, types or destination with 400 ValidationError', async () => {
    const setup = await setUp();
    const id = setup.register('ext');
    const cases: [Record<string, unknown>, RegExp][] = [
      [telemetryBody({ schemaVersion: undefined }), /schemaVersion is not provided/],
      [telemetryBody({ schemaVersion: '2020-08-15' }), /schemaVersion must be one of 2022-07-01, 2022-12-13, 2025-01-29/],
      [telemetryBody({ types: [] }), /types should not be empty/],
      [telemetryBody({ types: undefined }), /types should not be empty/],
      [telemetryBody({ types: ['platform', 'logs'] }), /types must be an array of platform, function, extension/],
      [telemetryBody({ types: 'platform' }), /types must be an array/],
      [telemetryBody({ destination: undefined }), /destination is not provided/],
      [telemetryBody({ destination: { protocol: 'UDP', port: 1 } }), /destination.protocol must be HTTP or TCP/],
      [telemetryBody({ destination: { protocol: 'HTTP' } }), /URI is not provided/],
      [telemetryBody({ destination: { protocol: 'TCP', port: 0 } }), /destination.port must be an integer from 1 to 65535/],
      [telemetryBody({ destination: { protocol: 'TCP', port: 65536 } }), /destination.port/],
      [telemetryBody({ destination: { protocol: 'TCP', port: '8080' } }), /destination.port/],
    ];
    for (const [body, message] of cases) {
      const response = await put(setup.app, TELEMETRY, id, body);
      assert.equal(response.statusCode, 400, JSON.stringify(body));
      assert.equal(response.json().errorType, 'ValidationError');
      assert.match(response.json().errorMessage, message);
      assert.match(String(response.headers['content-type']), /^application\/json/);
    }
    const notJson = await put(setup.app, TELEMETRY, id, '{"schemaVersion":');
    assert.equal(notJson.statusCode, 400);
    assert.equal(notJson.json().errorType, 'ValidationError');
    const notObject = await put(setup.app, TELEMETRY, id, '[]');
    assert.equal(notObject.statusCode, 400);
    assert.deepEqual(setup.hub.subscriptions, [], 'nothing was subscribed');
    await setup.close();
  });

  it('J.52 J.53 reports every problem in one message, as the documentation example does', async () => {
    const setup = await setUp();
    const response = await put(setup.app, TELEMETRY, setup.register('ext'), telemetryBody({ types: [], destination: { protocol: 'HTTP', URI: 'http://sandbox.localdomain' } }));
    assert.equal(response.statusCode, 400);
    assert.deepEqual(response.json(), { errorType: 'ValidationError', errorMessage: 'URI port is not provided; types should not be empty' });
    await setup.close();
  });

  it('J.53 buffering: each bound is accepted, one past it is refused with 400 ValidationError; defaults filled in', async () => {
    const setup = await setUp();
    let count = 0;
    // A refused request subscribes nothing, so one extension can make them all.
    const refusedId = setup.register('refused');
    for (const key of ['maxItems', 'maxBytes', 'timeoutMs'] as const) {
      const { min, max } = BUFFERING_LIMITS[key];
      for (const value of [min, max]) {
        const response = await put(setup.app, TELEMETRY, setup.register(`ok-${count++}`), telemetryBody({ buffering: { [key]: value } }));
        assert.equal(response.statusCode, 200, `${key}=${value}`);
      }
      for (const value of [min - 1, max + 1, 1.5, '1000', 0]) {
        const response = await put(setup.app, TELEMETRY, refusedId, telemetryBody({ buffering: { [key]: value } }));
        assert.equal(response.statusCode, 400, `${key}=${String(value)}`);
        assert.equal(response.json().errorType, 'ValidationError');
        assert.match(response.json().errorMessage, new RegExp(`buffering.${key} must be an integer from ${min} to ${max}`));
      }
    }
    const parsed = parseSubscriptionRequest('telemetry', telemetryBody());
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.request.buffering, { maxItems: 10_000, maxBytes: 262_144, timeoutMs: 1000 });
    const partial = parseSubscriptionRequest('telemetry', telemetryBody({ buffering: { timeoutMs: 25 } }));
    assert.ok(partial.ok);
    assert.deepEqual(partial.request.buffering, { maxItems: 10_000, maxBytes: 262_144, timeoutMs: 25 });
    await setup.close();
  });

  it('J.54 the URI is http://sandbox.localdomain (or sandbox) with a port; a path is allowed; no HTTPS, no other host', async () => {
    const setup = await setUp();
    let count = 0;
    for (const URI of ['http://sandbox.localdomain:8080', 'http://sandbox.localdomain:8080/lambda_logs?x=1', 'http://sandbox:1234/']) {
      const response = await put(setup.app, TELEMETRY, setup.register(`ok-${count++}`), telemetryBody({ destination: { protocol: 'HTTP', URI } }));
      assert.equal(response.statusCode, 200, URI);
    }
    const refused: [string, RegExp][] = [
      ['https://sandbox.localdomain:8080', /URI scheme must be http/],
      ['http://localhost:8080', /URI host must be sandbox.localdomain/],
      ['http://127.0.0.1:8080', /URI host must be sandbox.localdomain/],
      ['http://example.com:8080', /URI host must be sandbox.localdomain/],
      ['http://sandbox.localdomain', /^URI port is not provided$/],
      ['sandbox.localdomain:8080', /URI/],
      ['not a uri', /is not a valid URI/],
    ];
    const refusedId = setup.register('refused');
    for (const [URI, message] of refused) {
      const response = await put(setup.app, TELEMETRY, refusedId, telemetryBody({ destination: { protocol: 'HTTP', URI } }));
      assert.equal(response.statusCode, 400, URI);
      assert.equal(response.json().errorType, 'ValidationError');
      assert.match(response.json().errorMessage, message, URI);
    }
    await setup.close();
  });

  it('H.42 J.52 a missing, malformed or unknown Lambda-Extension-Identifier is refused with 403', async () => {
    const setup = await setUp();
    setup.register('ext');
    for (const url of [TELEMETRY, LOGS]) {
      const missing = await put(setup.app, url, undefined, telemetryBody());
      assert.equal(missing.statusCode, 403);
      assert.equal(missing.json().errorType, 'Extension.MissingExtensionIdentifier');
      const invalid = await put(setup.app, url, 'not-a-uuid', telemetryBody());
      assert.equal(invalid.statusCode, 403);
      assert.equal(invalid.json().errorType, 'Extension.InvalidExtensionIdentifier');
      const unknown = await put(setup.app, url, '5c4a3b2a-1f0e-4d3c-9b8a-7f6e5d4c3b2a', telemetryBody());
      assert.equal(unknown.statusCode, 403);
      assert.equal(unknown.json().errorType, 'Extension.UnknownExtensionIdentifier');
    }
    assert.deepEqual(setup.hub.subscriptions, []);
    await setup.close();
  });

  it('J.56 after init a subscription is refused with 403 Telemetry.SubscriptionClosed', async () => {
    const setup = await setUp();
    const id = setup.register('ext');
    setup.registry.closeRegistration();
    const response = await put(setup.app, TELEMETRY, id, telemetryBody());
    assert.equal(response.statusCode, 403);
    assert.deepEqual(response.json(), { errorType: 'Telemetry.SubscriptionClosed', errorMessage: 'Telemetry API subscription is closed already' });
    // Closed before validation: even an invalid body gets the same answer.
    assert.equal((await put(setup.app, TELEMETRY, id, '{}')).statusCode, 403);
    await setup.close();

    const other = await setUp();
    const otherId = other.register('ext');
    other.hub.endInit();
    const closedByHub = await put(other.app, TELEMETRY, otherId, telemetryBody());
    assert.equal(closedByHub.statusCode, 403);
    assert.equal(closedByHub.json().errorType, 'Telemetry.SubscriptionClosed');
    await other.close();
  });

  it('J.55 L.68 subscribing twice keeps one subscription; the other API then answers with an error', async () => {
    const setup = await setUp();
    const id = setup.register('ext');
    assert.equal((await put(setup.app, TELEMETRY, id, telemetryBody())).statusCode, 200);
    const again = await put(setup.app, TELEMETRY, id, telemetryBody({ types: ['function'] }));
    assert.equal(again.statusCode, 200);
    assert.equal(setup.hub.subscriptions.length, 1);
    assert.deepEqual(setup.hub.subscriptions[0]?.types, ['platform', 'function'], 'the first subscription stands');
    const logs = await put(setup.app, LOGS, id, { ...telemetryBody(), schemaVersion: '2021-03-18' });
    assert.equal(logs.statusCode, 400);
    assert.equal(logs.json().errorType, 'Logs.ValidationError');
    assert.match(logs.json().errorMessage, /already subscribed through the Telemetry API/);
    await setup.close();
  });
});

describe('Logs API subscriptions (PUT /2020-08-15/logs)', () => {
  it('L.68 accepts schemaVersion 2020-08-15, 2021-03-18 or none, HTTP (POST or PUT) and TCP: 200 "OK"', async () => {
    const setup = await setUp();
    const bodies = [
      { schemaVersion: '2020-08-15', types: ['platform', 'function'], destination: { protocol: 'HTTP', URI: 'http://sandbox.localdomain:8080/lambda_logs' } },
      { schemaVersion: '2021-03-18', types: ['extension'], destination: { protocol: 'HTTP', URI: 'http://sandbox:8080', method: 'PUT', encoding: 'JSON' } },
      { types: ['platform'], destination: { protocol: 'TCP', port: 9999 }, buffering: { maxItems: 1000, maxBytes: 262144, timeoutMs: 100 } },
    ];
    for (const [index, body] of bodies.entries()) {
      const response = await put(setup.app, LOGS, setup.register(`ext-${index}`), body);
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.body, '"OK"');
    }
    assert.deepEqual(
      setup.hub.subscriptions.map((subscription) => subscription.api),
      ['logs', 'logs', 'logs'],
    );
    assert.deepEqual(setup.hub.subscriptions[1]?.destination, { protocol: 'HTTP', URI: 'http://sandbox:8080', method: 'PUT' });
    assert.equal((await put(setup.app, `${LOGS}/`, setup.register('slash'), bodies[0])).statusCode, 200);
    await setup.close();
  });

  it('L.68 refuses bad requests with 400 Logs.ValidationError, with the buffering limits of J.53', async () => {
    const setup = await setUp();
    const id = setup.register('ext');
    const base = { schemaVersion: '2021-03-18', types: ['platform'], destination: { protocol: 'HTTP', URI: 'http://sandbox.localdomain:8080' } };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...base, schemaVersion: '2022-07-01' }, /schemaVersion must be one of 2020-08-15, 2021-03-18/],
      [{ ...base, types: [] }, /types should not be empty/],
      [{ ...base, destination: { protocol: 'HTTP', URI: 'http://sandbox.localdomain' } }, /URI port is not provided/],
      [{ ...base, destination: { protocol: 'HTTP', URI: 'http://sandbox:8080', method: 'GET' } }, /destination.method must be POST or PUT/],
      [{ ...base, buffering: { maxItems: 999 } }, /buffering.maxItems must be an integer from 1000 to 10000/],
      [{ ...base, buffering: { maxBytes: 1_048_577 } }, /buffering.maxBytes must be an integer from 262144 to 1048576/],
      [{ ...base, buffering: { timeoutMs: 24 } }, /buffering.timeoutMs must be an integer from 25 to 30000/],
    ];
    for (const [body, message] of cases) {
      const response = await put(setup.app, LOGS, id, body);
      assert.equal(response.statusCode, 400, JSON.stringify(body));
      assert.equal(response.json().errorType, 'Logs.ValidationError');
      assert.match(response.json().errorMessage, message);
    }
    await setup.close();
  });

  it('L.68 only during init: afterwards 403 Logs.SubscriptionClosed', async () => {
    const setup = await setUp();
    const id = setup.register('ext');
    setup.registry.closeRegistration();
    const response = await put(setup.app, LOGS, id, { types: ['platform'], destination: { protocol: 'TCP', port: 9999 } });
    assert.equal(response.statusCode, 403);
    assert.deepEqual(response.json(), { errorType: 'Logs.SubscriptionClosed', errorMessage: 'Logs API subscription is closed already' });
    await setup.close();
  });

  it('L.68 an extension subscribed to the Logs API cannot also subscribe to the Telemetry API', async () => {
    const setup = await setUp();
    const id = setup.register('ext');
    assert.equal((await put(setup.app, LOGS, id, { types: ['platform'], destination: { protocol: 'TCP', port: 9999 } })).statusCode, 200);
    const telemetry = await put(setup.app, TELEMETRY, id, telemetryBody());
    assert.equal(telemetry.statusCode, 400);
    assert.equal(telemetry.json().errorType, 'ValidationError');
    assert.match(telemetry.json().errorMessage, /already subscribed through the Logs API/);
    await setup.close();
  });
});
