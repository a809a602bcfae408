import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isCdkLocalError } from '../../lib/errors.js';
import { findApis, readAssembly, type ApiIntegration, type ApiSpec, type Assembly, type HttpApiSpec, type RestApiSpec } from '../../lib/assembly/index.js';
import { synthesizeApiApp } from '../fixtures/start-api/api-app.js';

function integrationTarget(integration: ApiIntegration): string {
  return integration.kind === 'lambda-proxy' ? `${integration.function.logicalId.replace(/[A-F0-9]{8}$/, '')} ${integration.payloadFormatVersion} ${integration.timeoutMs}` : integration.kind === 'unsupported' ? `unsupported: ${integration.description}` : integration.kind;
}

describe('readAssembly: APIs and function URLs', () => {
  let root: string;
  let assembly: Assembly;
  const api = <K extends ApiSpec['kind']>(kind: K, path: string): Extract<ApiSpec, { kind: K }> => {
    const found = assembly.apis.find((item) => item.kind === kind && item.constructPath === path);
    assert.ok(found, `no ${kind} ${path} in ${assembly.apis.map((item) => item.constructPath).join(', ')}`);
    return found as Extract<ApiSpec, { kind: K }>;
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'cdk-local-read-apis-'));
    synthesizeApiApp(join(root, 'cdk.out'));
    assembly = await readAssembly(join(root, 'cdk.out'));
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads every API and URL of the app, in template order', () => {
    assert.deepEqual(
      assembly.apis.map((item) => `${item.kind} ${item.constructPath}`),
      [
        'url ApiStack/Respond/FunctionUrl',
        'url ApiStack/Streamer/FunctionUrl',
        'rest ApiStack/Rest',
        'rest ApiStack/Proxy',
        'rest ApiStack/Spec',
        'http ApiStack/Http',
        'http ApiStack/Staged',
        'websocket ApiStack/Socket',
      ],
    );
  });

  it('turns a RestApi into its methods, resource paths, stage and binary media types', () => {
    const rest: RestApiSpec = api('rest', 'ApiStack/Rest');
    assert.equal(rest.name, 'rest-api');
    assert.match(rest.apiId, /^[a-z0-9]{10}$/);
    assert.equal(rest.region, 'eu-west-1');
    assert.equal(rest.accountId, '111122223333');
    assert.deepEqual(rest.stages, [{ stageName: 'test', variables: { color: 'blue' } }]);
    assert.deepEqual(rest.binaryMediaTypes, ['image/png']);
    const routes = Object.fromEntries(rest.routes.map((route) => [`${route.httpMethod} ${route.resourcePath}`, integrationTarget(route.integration)]));
    assert.deepEqual(routes, {
      'GET /': 'Echo 1.0 29000',
      'GET /items': 'Echo 1.0 29000',
      'ANY /items/{id}': 'Echo 1.0 29000',
      'GET /items/special': 'Respond 1.0 29000',
      'ANY /files/{proxy+}': 'Echo 1.0 29000',
      'POST /respond': 'Respond 1.0 29000',
      'POST /short': 'Short 1.0 29000',
      'POST /hold': 'Holder 1.0 29000',
      'POST /slow': 'Respond 1.0 1000',
      'GET /mock': 'mock',
    });
    const item = rest.routes.find((route) => route.resourcePath === '/items')!;
    assert.equal(item.integration.kind === 'lambda-proxy' && item.integration.function.constructPath, 'ApiStack/Echo');
  });

  it('reads a LambdaRestApi as ANY on the root and on {proxy+}, at stage prod', () => {
    const proxy = api('rest', 'ApiStack/Proxy');
    assert.deepEqual(proxy.stages, [{ stageName: 'prod', variables: {} }]);
    assert.deepEqual(proxy.routes.map((route) => `${route.httpMethod} ${route.resourcePath} ${integrationTarget(route.integration)}`).sort(), [
      'ANY / Echo 1.0 29000',
      'ANY /{proxy+} Echo 1.0 29000',
    ]);
  });

  it('reads the paths of an inline OpenAPI definition', () => {
    const spec = api('rest', 'ApiStack/Spec');
    // The Name CDK sets wins over the definition's title, as in CloudFormation.
    assert.equal(spec.name, 'Spec');
    assert.deepEqual(spec.stages.map((stage) => stage.stageName), ['v1']);
    assert.deepEqual(spec.routes.map((route) => `${route.httpMethod} ${route.resourcePath} ${integrationTarget(route.integration)}`), [
      'GET /pets/{petId} Echo 1.0 29000',
    ]);
  });

  it('turns an HttpApi into route keys, payload formats and its $default stage', () => {
    const http: HttpApiSpec = api('http', 'ApiStack/Http');
    assert.equal(http.name, 'http-api');
    assert.deepEqual(http.stages, [{ stageName: '$default', variables: {} }]);
    const routes = Object.fromEntries(http.routes.map((route) => [route.routeKey, `${route.method} ${route.path ?? '-'} ${integrationTarget(route.integration)}`]));
    assert.deepEqual(routes, {
      $default: '$default - Echo 2.0 30000',
      'GET /items/{id}': 'GET /items/{id} Echo 2.0 30000',
      'ANY /items/{id}': 'ANY /items/{id} Respond 2.0 30000',
      'POST /respond': 'POST /respond Respond 2.0 30000',
      'POST /short': 'POST /short Short 2.0 30000',
      'POST /slow': 'POST /slow Respond 2.0 1000',
      'ANY /v1/{proxy+}': 'ANY /v1/{proxy+} Echo 1.0 30000',
    });
    assert.deepEqual(api('http', 'ApiStack/Staged').stages, [{ stageName: 'dev', variables: {} }]);
  });

  it('records a WebSocket API with its routes', () => {
    const socket = api('websocket', 'ApiStack/Socket');
    assert.equal(socket.routeSelectionExpression, '$request.body.action');
    assert.deepEqual(socket.routes.map((route) => `${route.routeKey} ${integrationTarget(route.integration)}`), ['$connect Echo 1.0 29000']);
  });

  it('reads function URLs with their auth type and invoke mode', () => {
    const buffered = api('url', 'ApiStack/Respond/FunctionUrl');
    assert.equal(buffered.function.constructPath, 'ApiStack/Respond');
    assert.equal(buffered.authType, 'NONE');
    assert.equal(buffered.invokeMode, 'BUFFERED');
    assert.match(buffered.urlId, /^[a-z0-9]{32}$/);
    const streamed = api('url', 'ApiStack/Streamer/FunctionUrl');
    assert.equal(streamed.invokeMode, 'RESPONSE_STREAM');
    assert.equal(streamed.name, streamed.function.functionName);
  });

  it('finds APIs by construct path, logical ID, name, and a URL by its function', () => {
    const paths = (name: string): string[] => findApis(assembly.apis, name).map((item) => item.constructPath);
    const rest = api('rest', 'ApiStack/Rest');
    assert.deepEqual(paths('ApiStack/Rest'), ['ApiStack/Rest']);
    assert.deepEqual(paths('/ApiStack/Rest/Resource'), ['ApiStack/Rest']);
    assert.deepEqual(paths('Rest'), ['ApiStack/Rest']);
    assert.deepEqual(paths(rest.logicalId), ['ApiStack/Rest']);
    assert.deepEqual(paths('rest-api'), ['ApiStack/Rest']);
    assert.deepEqual(paths('HTTP-API'), ['ApiStack/Http']);
    assert.deepEqual(paths('Streamer'), ['ApiStack/Streamer/FunctionUrl']);
    assert.throws(
      () => findApis(assembly.apis, 'Nope'),
      (error) => isCdkLocalError(error) && error.code === 'CDKL_API_NOT_FOUND' && /No API or function URL 'Nope' \(the app has .*ApiStack\/Http/.test(error.message),
    );
  });

  it('gives the same IDs on every read', async () => {
    const again = await readAssembly(join(root, 'cdk.out'));
    assert.deepEqual(
      again.apis.map((item) => ('apiId' in item ? item.apiId : item.urlId)),
      assembly.apis.map((item) => ('apiId' in item ? item.apiId : item.urlId)),
    );
  });
});
