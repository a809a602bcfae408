import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { LocalLambda } from '../../../lib/host/index.js';
import { startApi, type ApiServer } from '../../../lib/servers/index.js';
import { createMarkedApp, processesWithMarker, type MarkedApp } from '../../helpers/marked-app.js';
import { API_KEY_VALUE, synthesizeRestIntegrationsApp } from '../../fixtures/start-api/rest-integrations-app.js';

const MARKER_VARIABLE = 'CDK_LOCAL_REST_INTEGRATIONS_MARKER';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What the backend server saw of one request. */
interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

describe('startApi: REST integrations', () => {
  let backend: Server;
  let app: MarkedApp;
  let local: LocalLambda;
  let server: ApiServer;
  const seen: Seen[] = [];
  const notices: string[] = [];
  /** Why the front end answered as it did, request by request, for failure messages. */
  const details: string[] = [];
  const lastDetail = (): string => details.at(-1) ?? '';
  let base: string;
  /** Lets the backend's `/chunks` answer finish. */
  let release: () => void = () => undefined;

  before(async () => {
    // A real HTTP backend for the HTTP and HTTP_PROXY integrations.
    backend = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.url === '/chunks') {
          response.writeHead(200, { 'content-type': 'text/plain' });
          response.write('one\n');
          new Promise<void>((resolve) => (release = resolve)).then(() => response.end('two\n'), () => undefined);
          return;
        }
        seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        if (request.url?.startsWith('/things/teapot') === true) {
          response.writeHead(418, { 'content-type': 'application/json' });
          response.end('{"short": "and stout"}');
          return;
        }
        response.writeHead(request.url?.includes('created') === true ? 201 : 200, { 'content-type': 'application/json', 'x-backend': 'local', 'set-cookie': ['a=1', 'b=2'] });
        response.end(JSON.stringify({ path: request.url, method: request.method }));
      });
    });
    backend.listen(0, '127.0.0.1');
    await once(backend, 'listening');
    const backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
    app = await createMarkedApp({
      prefix: 'cdk-local-rest-integrations-',
      synthesize: (outdir) => synthesizeRestIntegrationsApp(outdir, backendUrl),
      markerVariable: MARKER_VARIABLE,
      defaults: { credentials: 'none', sandbox: false },
    });
    local = await app.open();
    server = await startApi({ local, onNotice: (message) => notices.push(message), onRequest: (summary) => details.push(`${summary.statusCode} ${summary.detail ?? ''}`) });
    base = `http://127.0.0.1:${server.endpoints[0]!.port}/dev`;
  });

  after(async () => {
    await Promise.allSettled([server?.close(), local?.close()]);
    backend?.close();
    backend?.closeAllConnections();
    await app?.remove();
  });

  it('says at start what it does not emulate and the local value of a generated API key', () => {
    assert.ok(notices.some((notice) => /POST \/queue uses an AWS service integration \(sqs\).*501/.test(notice)), notices.join('\n'));
    // Given to both APIs, the generated key is told about once.
    assert.equal(notices.filter((notice) => /API key RestIntegrationsStack\/Generated has no Value in the app; locally its value is [A-Za-z0-9]{40}/.test(notice)).length, 1, notices.join('\n'));
    assert.ok(!notices.some((notice) => /MOCK|HTTP_PROXY|\/mapped/.test(notice)), notices.join('\n'));
  });

  describe('MOCK integrations', () => {
    it('answer from the integration response the request template selects, with its parameters and template', async () => {
      const response = await fetch(`${base}/mock`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'application/json');
      assert.equal(response.headers.get('x-static'), 'fixed');
      assert.equal(response.headers.get('x-stage'), 'dev');
      assert.equal(response.headers.get('x-override'), 'yes');
      assert.match(response.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
      assert.deepEqual(await response.json(), { mocked: true, stage: 'dev', color: 'green', override: 'done' });
      const missing = await fetch(`${base}/mock?code=404`);
      assert.equal(missing.status, 404);
      assert.deepEqual(await missing.json(), { message: 'no such thing' });
      // No integration response matches 500 and there is a default one: the default answers.
      const fallback = await fetch(`${base}/mock?code=500`);
      assert.equal(fallback.status, 200);
    });

    it('answer from an OpenAPI definition the same way', async () => {
      const spec = server.endpoints.find((item) => item.path === 'RestIntegrationsStack/Spec')!;
      const ok = await fetch(`${spec.url}mocked?status=200`);
      assert.equal(ok.status, 200, lastDetail());
      assert.equal(ok.headers.get('x-from'), 'spec');
      assert.deepEqual(await ok.json(), { spec: true });
      const unavailable = await fetch(`${spec.url}mocked?status=503`);
      assert.equal(unavailable.status, 503);
      assert.deepEqual(await unavailable.json(), { spec: 'unavailable' });
    });

    it('validate and check API keys as an OpenAPI definition asks', async () => {
      const spec = server.endpoints.find((item) => item.path === 'RestIntegrationsStack/Spec')!;
      const send = (headers: Record<string, string>, body: unknown): Promise<Response> =>
        fetch(`${spec.url}pets`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
      assert.equal((await send({ tenant: 't' }, { name: 'Rex' })).status, 403);
      const missing = await send({ 'x-api-key': API_KEY_VALUE }, { name: 'Rex' });
      assert.equal(missing.status, 400);
      assert.equal(await missing.text(), '{"message": "Missing required request parameters: [tenant]"}');
      const invalid = await send({ 'x-api-key': API_KEY_VALUE, tenant: 't' }, { kind: 'dog' });
      assert.equal(await invalid.text(), '{"message": "Invalid request body"}');
      const created = await send({ 'x-api-key': API_KEY_VALUE, tenant: 't' }, { name: 'Rex' });
      assert.equal(created.status, 201, lastDetail());
      assert.deepEqual(await created.json(), { created: true });
    });

    it("answer CDK's defaultCorsPreflightOptions preflights as API Gateway does", async () => {
      const preflight = await fetch(`${base}/mapped/7`, { method: 'OPTIONS', headers: { origin: 'https://site.example.com', 'access-control-request-method': 'POST' } });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
      assert.equal(preflight.headers.get('access-control-allow-methods'), 'OPTIONS,GET,PUT,POST,DELETE,PATCH,HEAD');
      assert.equal(preflight.headers.get('access-control-allow-headers'), 'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent');
      assert.equal(await preflight.text(), '');
      const root = await fetch(`${base}/`, { method: 'OPTIONS' });
      assert.equal(root.status, 204);
      // A list of origins: the first by default, the request's own when it is another of the list.
      const listed = await fetch(`${base}/shared`, { method: 'OPTIONS', headers: { origin: 'https://two.example.com' } });
      assert.equal(listed.status, 204);
      assert.equal(listed.headers.get('access-control-allow-origin'), 'https://two.example.com');
      assert.equal(listed.headers.get('access-control-allow-credentials'), 'true');
      assert.equal(listed.headers.get('access-control-max-age'), '600');
      assert.equal(listed.headers.get('access-control-allow-methods'), 'GET,PUT');
      assert.equal(listed.headers.get('vary'), 'Origin');
      const other = await fetch(`${base}/shared`, { method: 'OPTIONS', headers: { origin: 'https://evil.example.com' } });
      assert.equal(other.headers.get('access-control-allow-origin'), 'https://one.example.com');
    });
  });

  describe('a non-proxy Lambda integration', () => {
    it('sends what the request template makes and maps the answer through the response template', async () => {
      const response = await fetch(`${base}/mapped/42?q=${encodeURIComponent('say "hi"/bye')}`, {
        method: 'POST',
        body: JSON.stringify({ name: 'Ada', tags: ['a', 'b', 'c'] }),
        headers: { 'content-type': 'application/json', 'x-thing': 'thing-value' },
      });
      assert.equal(response.status, 200, lastDetail());
      assert.equal(response.headers.get('x-greeting'), 'hello Ada');
      const body = (await response.json()) as Json;
      assert.equal(body.message, 'hello Ada');
      assert.deepEqual(body.received, {
        name: 'Ada',
        id: '42',
        query: 'say "hi"/bye',
        stage: 'dev',
        color: 'green',
        tags: 3,
        encoded: Buffer.from('Ada').toString('base64'),
        header: 'thing-value',
        headers: body.received.headers,
      });
      assert.ok(body.received.headers > 3);
    });

    it('selects the integration response whose pattern matches the error message', async () => {
      const response = await fetch(`${base}/mapped/1`, { method: 'POST', body: JSON.stringify({ name: 'missing', tags: [] }), headers: { 'content-type': 'application/json' } });
      assert.equal(response.status, 404);
      assert.deepEqual(await response.json(), { error: 'NotFound: missing' });
    });

    it("invokes asynchronously when the integration maps X-Amz-Invocation-Type 'Event'", async () => {
      const response = await fetch(`${base}/async`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      assert.equal(response.status, 202, lastDetail());
      assert.deepEqual(await response.json(), { queued: true });
    });

    it('refuses a content type without a template when the passthrough behaviour is NEVER', async () => {
      const response = await fetch(`${base}/mapped/1`, { method: 'POST', body: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(response.status, 415);
      assert.deepEqual(await response.json(), { message: 'Unsupported Media Type' });
    });

    it('answers 400 when the template reads a body that is not JSON', async () => {
      const response = await fetch(`${base}/mapped/1`, { method: 'POST', body: '{not json', headers: { 'content-type': 'application/json' } });
      assert.equal(response.status, 400);
      assert.match(((await response.json()) as Json).message, /^Could not parse request body into json/);
    });
  });

  describe('HTTP integrations', () => {
    it('HTTP: sends the mapped request to the backend and maps its answer', async () => {
      seen.length = 0;
      const response = await fetch(`${base}/http/abc?q=from-query`);
      assert.equal(response.status, 200, lastDetail());
      assert.equal(response.headers.get('x-backend'), 'local');
      assert.deepEqual(await response.json(), { fromBackend: { path: '/things/abc?static=yes', method: 'POST' } });
      const request = seen.at(-1)!;
      assert.equal(request.method, 'POST');
      assert.equal(request.headers['x-from-query'], 'from-query');
      assert.deepEqual(JSON.parse(request.body), { wanted: 'abc' });
      const teapot = await fetch(`${base}/http/teapot`);
      assert.equal(teapot.status, 418);
      assert.deepEqual(await teapot.json(), { backendFailed: true });
    });

    it('HTTP_PROXY: passes method, path, query, headers and body through, and the answer back', async () => {
      seen.length = 0;
      const response = await fetch(`${base}/passthrough/created/x%20y?a=1&a=2&plus=a+b`, { method: 'PUT', body: 'raw body', headers: { 'content-type': 'text/plain', 'x-custom': 'c' } });
      assert.equal(response.status, 201);
      assert.equal(response.headers.get('x-backend'), 'local');
      assert.deepEqual(response.headers.getSetCookie(), ['a=1', 'b=2']);
      assert.deepEqual(await response.json(), { path: '/created/x%20y?a=1&a=2&plus=a+b', method: 'PUT' });
      const request = seen.at(-1)!;
      assert.equal(request.body, 'raw body');
      assert.equal(request.headers['x-custom'], 'c');
      assert.equal(request.headers['content-type'], 'text/plain');
      assert.equal(request.headers['x-forwarded-for'], '127.0.0.1');
    });
  });

  describe('a streamed HTTP_PROXY method', () => {
    it("passes the backend's chunks on as they come", async () => {
      const response = await fetch(`${base}/streamed-proxy/chunks`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'text/plain');
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      // The backend holds its end until released: the first chunk has come before it.
      while (!text.includes('one\n')) {
        const { value, done } = await reader.read();
        assert.equal(done, false, 'the stream ended before the first chunk');
        text += decoder.decode(value, { stream: true });
      }
      release();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      assert.equal(text, 'one\ntwo\n');
    });
  });

  describe('request validation', () => {
    const valid = { method: 'POST', headers: { 'content-type': 'application/json', 'x-trace': 't' }, body: JSON.stringify({ name: 'Ada', age: 3 }) };

    it('answers 400 naming the missing required parameters', async () => {
      const response = await fetch(`${base}/validated`, { ...valid, headers: { 'content-type': 'application/json' } });
      assert.equal(response.status, 400);
      assert.equal(response.headers.get('x-amzn-errortype'), 'BadRequestException');
      assert.equal(await response.text(), '{"message": "Missing required request parameters: [mode, X-Trace]"}');
      const blank = await fetch(`${base}/validated?mode=`, valid);
      assert.equal(blank.status, 400);
    });

    it('answers 400 Invalid request body for a body the model refuses, and passes a valid one', async () => {
      for (const body of ['{"age": 3}', '{"name": "Ada", "age": -1}', '{"name": ""}', 'not json', '{"name": "Ada", "address": {"street": "x"}}']) {
        const response = await fetch(`${base}/validated?mode=x`, { ...valid, body });
        assert.equal(response.status, 400, body);
        assert.equal(await response.text(), '{"message": "Invalid request body"}');
      }
      const ok = await fetch(`${base}/validated?mode=x`, { ...valid, body: JSON.stringify({ name: 'Ada', age: 3, address: { city: 'Paris' } }) });
      assert.equal(ok.status, 200, lastDetail());
      assert.deepEqual(await ok.json(), { valid: true });
    });
  });

  describe('API keys', () => {
    it('answer 403 Forbidden without a key of the stage, and let the right key in', async () => {
      for (const headers of [{}, { 'x-api-key': 'wrong' }] as Record<string, string>[]) {
        const response = await fetch(`${base}/keyed`, { headers });
        assert.equal(response.status, 403);
        assert.equal(await response.text(), '{"message":"Forbidden"}');
        assert.equal(response.headers.get('x-amzn-errortype'), 'ForbiddenException');
      }
      const ok = await fetch(`${base}/keyed`, { headers: { 'x-api-key': API_KEY_VALUE } });
      assert.equal(ok.status, 200);
      assert.deepEqual(await ok.json(), { key: API_KEY_VALUE });
      const proxied = await fetch(`${base}/keyed-proxy`, { headers: { 'x-api-key': API_KEY_VALUE } });
      const identity = ((await proxied.json()) as Json).requestContext.identity;
      assert.equal(identity.apiKey, API_KEY_VALUE);
      assert.match(identity.apiKeyId, /^[a-z0-9]{10}$/);
      assert.equal((await fetch(`${base}/keyed-proxy`)).status, 403);
      const generated = /locally its value is ([A-Za-z0-9]{40})/.exec(notices.join('\n'))![1]!;
      assert.equal((await fetch(`${base}/keyed`, { headers: { 'x-api-key': generated } })).status, 200);
    });
  });

  describe('a streamed method', () => {
    it('streams the status, headers and chunks the function writes', async () => {
      const response = await fetch(`${base}/streamed`);
      assert.equal(response.status, 202);
      assert.equal(response.headers.get('content-type'), 'text/plain');
      assert.equal(response.headers.get('x-streamed'), 'rest');
      assert.equal(response.headers.get('x-multi'), 'one, two');
      assert.match(response.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(await response.text(), 'first /streamed\nsecond\n');
      const failed = await fetch(`${base}/streamed?fail=1`);
      assert.equal(failed.status, 502);
      assert.equal(await failed.text(), '{"message": "Internal server error"}');
    });
  });

  it('answers 501 for an AWS service integration', async () => {
    const response = await fetch(`${base}/queue`, { method: 'POST', body: '{}' });
    assert.equal(response.status, 501);
  });

  it('leaves no process behind once closed', async () => {
    await server.close();
    await local.close();
    assert.deepEqual(await processesWithMarker(MARKER_VARIABLE, app.marker), []);
  });
});
