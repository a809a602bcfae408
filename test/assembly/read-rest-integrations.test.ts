import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readAssembly, type ApiIntegration, type RestApiSpec, type RestRouteSpec } from '../../lib/assembly/index.js';
import { API_KEY_VALUE, synthesizeRestIntegrationsApp } from '../fixtures/start-api/rest-integrations-app.js';

describe('readAssembly: REST integrations, validators and API keys', () => {
  let root: string;
  let api: RestApiSpec;
  let spec: RestApiSpec;
  const route = (key: string, from: RestApiSpec = api): RestRouteSpec => {
    const found = from.routes.find((item) => `${item.httpMethod} ${item.resourcePath}` === key);
    assert.ok(found, `no ${key} in ${from.routes.map((item) => `${item.httpMethod} ${item.resourcePath}`).join(', ')}`);
    return found;
  };
  const integration = <K extends ApiIntegration['kind']>(key: string, kind: K, from?: RestApiSpec): Extract<ApiIntegration, { kind: K }> => {
    const found = route(key, from).integration;
    assert.equal(found.kind, kind, key);
    return found as Extract<ApiIntegration, { kind: K }>;
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'cdk-local-read-rest-integrations-'));
    synthesizeRestIntegrationsApp(join(root, 'cdk.out'), 'http://127.0.0.1:9');
    const assembly = await readAssembly(join(root, 'cdk.out'));
    api = assembly.apis.find((item): item is RestApiSpec => item.kind === 'rest' && item.constructPath === 'RestIntegrationsStack/Integrations')!;
    spec = assembly.apis.find((item): item is RestApiSpec => item.kind === 'rest' && item.constructPath === 'RestIntegrationsStack/Spec')!;
    assert.ok(api && spec);
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads MOCK integrations with their request templates and integration responses', () => {
    const mock = integration('GET /mock', 'mock');
    assert.equal(mock.passthroughBehavior, 'WHEN_NO_MATCH');
    assert.deepEqual(Object.keys(mock.requestTemplates), ['application/json']);
    assert.deepEqual(
      mock.integrationResponses.map((item) => [item.statusCode, item.selectionPattern]),
      [
        ['200', undefined],
        ['404', '404'],
      ],
    );
    assert.deepEqual(mock.integrationResponses[0]!.responseParameters, { 'method.response.header.X-Static': "'fixed'", 'method.response.header.X-Stage': 'context.stage' });
    const preflight = integration('OPTIONS /shared', 'mock');
    assert.equal(preflight.integrationResponses[0]!.statusCode, '204');
    assert.equal(preflight.integrationResponses[0]!.responseParameters['method.response.header.Access-Control-Max-Age'], "'600'");
  });

  it('reads a non-proxy Lambda, HTTP and HTTP_PROXY integrations, a streamed method and what is not emulated', () => {
    const lambda = integration('POST /mapped/{id}', 'lambda');
    assert.equal(lambda.function.constructPath, 'RestIntegrationsStack/Mapped');
    assert.equal(lambda.passthroughBehavior, 'NEVER');
    assert.equal(lambda.timeoutMs, 29_000);
    assert.equal(lambda.integrationResponses[1]!.selectionPattern, 'NotFound:.*');
    const http = integration('GET /http/{id}', 'http');
    assert.equal(http.uri, 'http://127.0.0.1:9/things/{id}');
    assert.equal(http.httpMethod, 'POST');
    assert.equal(http.requestParameters['integration.request.path.id'], 'method.request.path.id');
    const proxy = integration('ANY /passthrough/{proxy+}', 'http-proxy');
    assert.equal(proxy.uri, 'http://127.0.0.1:9/{proxy}');
    assert.equal(proxy.httpMethod, 'ANY');
    assert.equal(integration('GET /streamed', 'lambda-proxy').responseTransferMode, 'STREAM');
    assert.equal(integration('POST /queue', 'unsupported').description, 'an AWS service integration (sqs)');
  });

  it('reads integrations from an OpenAPI definition, responses keyed by pattern', () => {
    const mock = integration('GET /mocked', 'mock', spec);
    assert.equal(mock.passthroughBehavior, 'WHEN_NO_TEMPLATES');
    assert.deepEqual(
      mock.integrationResponses.map((item) => [item.statusCode, item.selectionPattern]),
      [
        ['200', undefined],
        ['503', '5\\d\\d'],
      ],
    );
  });

  it('reads the method request of an OpenAPI operation: validator, parameters, referenced schema, API key', () => {
    const pets = route('POST /pets', spec).methodRequest;
    assert.deepEqual(pets?.validator, { body: true, parameters: true });
    assert.deepEqual(pets?.requestParameters, { 'method.request.header.tenant': true });
    assert.deepEqual(pets?.requestModels, { 'application/json': { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } });
    assert.equal(pets?.apiKeyRequired, true);
    assert.deepEqual(spec.apiKeys?.map((key) => key.stages), [['v1'], ['v1']]);
  });

  it('reads the method request: validator, required parameters and the model schema', () => {
    const validated = route('POST /validated').methodRequest;
    assert.deepEqual(validated?.validator, { body: true, parameters: true });
    assert.deepEqual(validated?.requestParameters, { 'method.request.querystring.mode': true, 'method.request.header.X-Trace': true, 'method.request.querystring.optional': false });
    assert.deepEqual((validated?.requestModels['application/json'] as { required: string[] }).required, ['name']);
    assert.equal(route('GET /keyed').methodRequest?.apiKeyRequired, true);
    assert.equal(route('GET /mock').methodRequest, undefined);
  });

  it('reads the API keys usage plans give to its stages, a stable value for a generated one', async () => {
    assert.equal(api.apiKeySource, 'HEADER');
    const keys = api.apiKeys ?? [];
    assert.deepEqual(
      keys.map((key) => [key.constructPath, key.generated, key.enabled, key.stages]),
      [
        ['RestIntegrationsStack/Integrations/Key', false, true, ['dev']],
        ['RestIntegrationsStack/Generated', true, true, ['dev']],
      ],
    );
    assert.equal(keys[0]!.value, API_KEY_VALUE);
    assert.match(keys[1]!.value, /^[A-Za-z0-9]{40}$/);
    const again = await readAssembly(join(root, 'cdk.out'));
    const reread = again.apis.find((item): item is RestApiSpec => item.kind === 'rest' && item.constructPath === api.constructPath)!;
    assert.equal(reread.apiKeys?.[1]?.value, keys[1]!.value);
  });
});
