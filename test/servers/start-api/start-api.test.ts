import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LocalLambda } from '../../../lib/host/index.js';
import { startApi, type ApiEndpoint, type ApiServer } from '../../../lib/servers/index.js';
import { createMarkedApp, processesWithMarker, type MarkedApp } from '../../helpers/marked-app.js';
import { synthesizeApiApp } from '../../fixtures/start-api/api-app.js';

const MARKER_VARIABLE = 'CDK_LOCAL_START_API_MARKER';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A GET with raw headers, repeats kept as separate lines (fetch would join them). */
function rawGet(url: string, headers: readonly string[]): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { headers: ['Host', new URL(url).host, ...headers] }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('startApi', () => {
  let app: MarkedApp;
  let local: LocalLambda;
  let server: ApiServer;
  let signals: string;
  const notices: string[] = [];
  const endpoint = (path: string): ApiEndpoint => {
    const found = server.endpoints.find((item) => item.path === path);
    assert.ok(found, `no endpoint ${path}`);
    return found;
  };
  /** The endpoint's origin joined with a path (a REST path names its stage itself). */
  const at = (path: string, rest: string): string => `http://127.0.0.1:${endpoint(path).port}${rest}`;
  const respondWith = (url: string, instruction: unknown, init: RequestInit = {}): Promise<Response> =>
    fetch(url, { method: 'POST', body: JSON.stringify(instruction), headers: { 'content-type': 'application/json' }, ...init });
  const signalFile = (name: string): string => join(signals, name);

  before(async () => {
    signals = await mkdtemp(join(tmpdir(), 'cdk-local-start-api-signals-'));
    app = await createMarkedApp({
      prefix: 'cdk-local-start-api-',
      synthesize: synthesizeApiApp,
      markerVariable: MARKER_VARIABLE,
      defaults: { credentials: 'none', sandbox: false },
    });
    local = await app.open();
    server = await startApi({ local, onNotice: (message) => notices.push(message) });
  });

  after(async () => {
    await Promise.allSettled([server?.close(), local?.close()]);
    await app?.remove();
    await rm(signals, { recursive: true, force: true });
  });

  it('serves each API and URL on its own port, its URL carrying the stage', () => {
    assert.deepEqual(
      server.endpoints.map((item) => `${item.kind} ${item.path} ${item.url.replace(/:\d+\//, ':PORT/')}`),
      [
        'function URL ApiStack/Respond/FunctionUrl http://127.0.0.1:PORT/',
        'function URL ApiStack/Streamer/FunctionUrl http://127.0.0.1:PORT/',
        'REST API ApiStack/Rest http://127.0.0.1:PORT/test/',
        'REST API ApiStack/Proxy http://127.0.0.1:PORT/prod/',
        'REST API ApiStack/Spec http://127.0.0.1:PORT/v1/',
        'HTTP API ApiStack/Http http://127.0.0.1:PORT/',
        'HTTP API ApiStack/Staged http://127.0.0.1:PORT/dev/',
      ],
    );
    assert.equal(new Set(server.endpoints.map((item) => item.port)).size, server.endpoints.length);
    assert.ok(notices.some((notice) => /WebSocket API ApiStack\/Socket has no stage, so it is not served/.test(notice)), notices.join('\n'));
  });

  describe('a REST API', () => {
    it('sends the payload format 1.0 event API Gateway sends', async () => {
      const response = await rawGet(at('ApiStack/Rest', '/test/items/a%20b?q=1&q=2&single=x'), ['X-Multi', 'one', 'X-Multi', 'two', 'User-Agent', 'test-agent']);
      assert.equal(response.status, 200);
      assert.match(String(response.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/);
      assert.ok(response.headers['x-amz-apigw-id']);
      const event = JSON.parse(response.body) as Json;
      assert.equal(event.resource, '/items/{id}');
      assert.equal(event.path, '/items/a%20b');
      assert.equal(event.httpMethod, 'GET');
      assert.deepEqual(event.pathParameters, { id: 'a%20b' });
      assert.deepEqual(event.queryStringParameters, { q: '2', single: 'x' });
      assert.deepEqual(event.multiValueQueryStringParameters, { q: ['1', '2'], single: ['x'] });
      assert.deepEqual(event.stageVariables, { color: 'blue' });
      assert.equal(event.body, null);
      assert.equal(event.isBase64Encoded, false);
      assert.deepEqual(event.multiValueHeaders['X-Multi'], ['one', 'two']);
      assert.equal(event.headers['X-Multi'], 'two');
      assert.equal(event.requestContext.stage, 'test');
      assert.equal(event.requestContext.resourcePath, '/items/{id}');
      assert.equal(event.requestContext.path, '/test/items/a%20b');
      assert.equal(event.requestContext.accountId, '111122223333');
      assert.equal(event.requestContext.requestId, response.headers['x-amzn-requestid']);
      assert.equal(event.requestContext.extendedRequestId, response.headers['x-amz-apigw-id']);
      assert.match(event.requestContext.extendedRequestId, /^[A-Za-z0-9+/]{15}=$/);
      assert.equal(event.requestContext.identity.sourceIp, '127.0.0.1');
      assert.equal(event.requestContext.identity.userAgent, 'test-agent');
      assert.equal(event.requestContext.protocol, 'HTTP/1.1');
      assert.equal(typeof event.requestContext.requestTimeEpoch, 'number');
      assert.match(event.requestContext.requestTime, /^\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
      assert.equal(event.headers['X-Forwarded-For'], '127.0.0.1');
    });

    it('routes literal segments before parameters before {proxy+}, and ANY for any method', async () => {
      const special = await fetch(at('ApiStack/Rest', '/test/items/special'));
      // The Respond function answers null here, which is not a proxy response.
      assert.equal(special.status, 502);
      const files = (await (await fetch(at('ApiStack/Rest', '/test/files/a/b.txt'), { method: 'DELETE' })).json()) as Json;
      assert.deepEqual(files.pathParameters, { proxy: 'a/b.txt' });
      assert.equal(files.resource, '/files/{proxy+}');
      const custom = (await (await fetch(at('ApiStack/Rest', '/test/items/7'), { method: 'PATCH', body: 'x' })).json()) as Json;
      assert.equal(custom.httpMethod, 'PATCH');
      const root = (await (await fetch(at('ApiStack/Rest', '/test/'))).json()) as Json;
      assert.equal(root.resource, '/');
      assert.equal(root.path, '/');
    });

    it('answers 403 Missing Authentication Token for an unknown stage, path or method', async () => {
      for (const [method, path] of [
        ['GET', '/nostage/items'],
        ['GET', '/test/nothing/here'],
        ['POST', '/test/items'],
        ['GET', '/'],
      ] as const) {
        const response = await fetch(at('ApiStack/Rest', path), { method });
        assert.equal(response.status, 403, `${method} ${path}`);
        assert.deepEqual(await response.json(), { message: 'Missing Authentication Token' });
        assert.equal(response.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
      }
    });

    it('maps status, headers, multiValueHeaders and base64 bodies of the proxy response', async () => {
      const response = await respondWith(at('ApiStack/Rest', '/test/respond'), {
        return: { statusCode: 201, headers: { 'X-Single': 's', 'Content-Type': 'text/plain' }, multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] }, body: 'made' },
      });
      assert.equal(response.status, 201);
      assert.equal(response.headers.get('x-single'), 's');
      assert.equal(response.headers.get('content-type'), 'text/plain');
      assert.deepEqual(response.headers.getSetCookie(), ['a=1', 'b=2']);
      assert.equal(await response.text(), 'made');
      const plain = await respondWith(at('ApiStack/Rest', '/test/respond'), { return: { statusCode: 200, body: '{}' } });
      assert.equal(plain.headers.get('content-type'), 'application/json');
      const binary = await respondWith(at('ApiStack/Rest', '/test/respond'), { return: { statusCode: 200, headers: { 'Content-Type': 'image/png' }, body: 'AAEC', isBase64Encoded: true } }, { headers: { 'content-type': 'application/json', accept: 'image/png' } });
      assert.deepEqual([...new Uint8Array(await binary.arrayBuffer())], [0, 1, 2]);
    });

    it('sends a body of a binary media type base64-encoded, others as text', async () => {
      const binary = (await (await fetch(at('ApiStack/Rest', '/test/files/x'), { method: 'POST', body: new Uint8Array([0, 255]), headers: { 'content-type': 'image/png' } })).json()) as Json;
      assert.equal(binary.isBase64Encoded, true);
      assert.equal(binary.body, 'AP8=');
      const text = (await (await fetch(at('ApiStack/Rest', '/test/files/x'), { method: 'POST', body: 'plain', headers: { 'content-type': 'application/octet-stream' } })).json()) as Json;
      assert.equal(text.isBase64Encoded, false);
      assert.equal(text.body, 'plain');
    });

    it('answers 502 for a function error or a malformed response, and 500 for a MOCK without integration responses', async () => {
      for (const instruction of [{ throw: 'boom' }, { return: 'just a string' }, { return: { statusCode: 200, cookies: ['a=1'] } }, { return: { statusCode: 200, headers: { 'X-Bad': 'a\nb' } } }]) {
        const response = await respondWith(at('ApiStack/Rest', '/test/respond'), instruction);
        assert.equal(response.status, 502, JSON.stringify(instruction));
        assert.equal(await response.text(), '{"message": "Internal server error"}');
      }
      const malformedJson = await fetch(at('ApiStack/Rest', '/test/respond'), { method: 'POST', body: '{not json' });
      assert.equal(malformedJson.status, 502);
      const mock = await fetch(at('ApiStack/Rest', '/test/mock'));
      assert.equal(mock.status, 500);
      assert.equal(await mock.text(), '{"message": "Internal server error"}');
    });

    it("answers 502 when the function times out, 504 when the integration's timeout passes first", async () => {
      const never = signalFile('never');
      const timedOut = await respondWith(at('ApiStack/Rest', '/test/short'), { waitFor: never });
      assert.equal(timedOut.status, 502);
      const release = signalFile('slow-rest');
      const slow = await respondWith(at('ApiStack/Rest', '/test/slow'), { waitFor: release, return: { statusCode: 200 } });
      assert.equal(slow.status, 504);
      assert.equal(await slow.text(), '{"message": "Endpoint request timed out"}');
      await writeFile(release, '');
    });

    it('answers 500 when Lambda throttles the function', async () => {
      const release = signalFile('hold');
      const first = respondWith(at('ApiStack/Rest', '/test/hold'), { waitFor: release, return: { statusCode: 200, body: 'held' } });
      const second = respondWith(at('ApiStack/Rest', '/test/hold'), { waitFor: release, return: { statusCode: 200, body: 'held' } });
      const throttled = await Promise.race([first, second]);
      assert.equal(throttled.status, 500);
      assert.equal(await throttled.text(), '{"message": "Internal server error"}');
      await writeFile(release, '');
      const statuses = (await Promise.all([first, second])).map((response) => response.status).sort();
      assert.deepEqual(statuses, [200, 500]);
    });

    it('serves a LambdaRestApi proxy and an OpenAPI definition', async () => {
      const proxied = (await (await fetch(at('ApiStack/Proxy', '/prod/any/where?x=1'))).json()) as Json;
      assert.deepEqual(proxied.pathParameters, { proxy: 'any/where' });
      const root = (await (await fetch(at('ApiStack/Proxy', '/prod'))).json()) as Json;
      assert.equal(root.resource, '/');
      const pet = (await (await fetch(at('ApiStack/Spec', '/v1/pets/7'))).json()) as Json;
      assert.deepEqual(pet.pathParameters, { petId: '7' });
      assert.equal(pet.requestContext.stage, 'v1');
    });
  });

  describe('an HTTP API', () => {
    it('sends the payload format 2.0 event', async () => {
      const response = await rawGet(at('ApiStack/Http', '/items/a%20b?q=1&q=2'), ['X-Multi', 'one', 'X-Multi', 'two', 'Cookie', 'c1=1; c2=2']);
      assert.equal(response.status, 200);
      assert.ok(response.headers['apigw-requestid']);
      const event = JSON.parse(response.body) as Json;
      assert.equal(event.version, '2.0');
      assert.equal(event.routeKey, 'GET /items/{id}');
      assert.equal(event.rawPath, '/items/a b');
      assert.equal(event.rawQueryString, 'q=1&q=2');
      assert.deepEqual(event.queryStringParameters, { q: '1,2' });
      assert.deepEqual(event.cookies, ['c1=1', 'c2=2']);
      assert.equal(event.headers['x-multi'], 'one,two');
      assert.equal(event.headers.cookie, undefined);
      assert.deepEqual(event.pathParameters, { id: 'a b' });
      assert.equal(event.requestContext.stage, '$default');
      assert.equal(event.requestContext.requestId, response.headers['apigw-requestid']);
      assert.equal(event.requestContext.http.method, 'GET');
      assert.equal(event.requestContext.http.path, '/items/a b');
      assert.equal(event.requestContext.http.sourceIp, '127.0.0.1');
      assert.equal(event.body, undefined);
      assert.equal(event.isBase64Encoded, false);
    });

    it('prefers an exact method over ANY, falls back to $default, and sends 1.0 where the integration asks', async () => {
      const anyMethod = await fetch(at('ApiStack/Http', '/items/3'), { method: 'PUT', body: JSON.stringify({ return: 'from ANY' }), headers: { 'content-type': 'application/json' } });
      assert.equal(await anyMethod.text(), 'from ANY');
      const fallback = (await (await fetch(at('ApiStack/Http', '/no/route/here'))).json()) as Json;
      assert.equal(fallback.routeKey, '$default');
      const v1 = (await (await fetch(at('ApiStack/Http', '/v1/deep/path'))).json()) as Json;
      assert.equal(v1.version, '1.0');
      assert.deepEqual(v1.pathParameters, { proxy: 'deep/path' });
      assert.equal(v1.resource, '/v1/{proxy+}');
    });

    it('sends a body that is not text base64-encoded', async () => {
      const event = (await (await fetch(at('ApiStack/Http', '/anything'), { method: 'POST', body: new Uint8Array([1, 2]), headers: { 'content-type': 'application/octet-stream' } })).json()) as Json;
      assert.equal(event.isBase64Encoded, true);
      assert.equal(event.body, 'AQI=');
    });

    it('maps structured and inferred responses, cookies included', async () => {
      const inferred = await respondWith(at('ApiStack/Http', '/respond'), { return: { hello: 'world' } });
      assert.equal(inferred.status, 200);
      assert.equal(inferred.headers.get('content-type'), 'application/json');
      assert.deepEqual(await inferred.json(), { hello: 'world' });
      const structured = await respondWith(at('ApiStack/Http', '/respond'), { return: { statusCode: 202, cookies: ['a=1', 'b=2'], headers: { 'x-h': 'v' }, body: 'ok' } });
      assert.equal(structured.status, 202);
      assert.deepEqual(structured.headers.getSetCookie(), ['a=1', 'b=2']);
      assert.equal(await structured.text(), 'ok');
    });

    it('answers 500, 503 and 404 as HTTP APIs do', async () => {
      const failed = await respondWith(at('ApiStack/Http', '/respond'), { throw: 'boom' });
      assert.equal(failed.status, 500);
      assert.equal(await failed.text(), '{"message":"Internal Server Error"}');
      const malformed = await respondWith(at('ApiStack/Http', '/respond'), { return: { statusCode: 'abc' } });
      assert.equal(malformed.status, 500);
      const release = signalFile('slow-http');
      const slow = await respondWith(at('ApiStack/Http', '/slow'), { waitFor: release });
      assert.equal(slow.status, 503);
      assert.equal(await slow.text(), '{"message":"Service Unavailable"}');
      await writeFile(release, '');
      const staged = await fetch(at('ApiStack/Staged', '/hello'));
      assert.equal(staged.status, 404);
      assert.equal(await staged.text(), '{"message":"Not Found"}');
    });

    it('serves a named stage under its name', async () => {
      const event = (await (await fetch(at('ApiStack/Staged', '/dev/hello'))).json()) as Json;
      assert.equal(event.requestContext.stage, 'dev');
      assert.equal(event.rawPath, '/dev/hello');
    });
  });

  describe('function URLs', () => {
    it('answer whole in BUFFERED mode, with the 2.0 event', async () => {
      const response = await respondWith(endpoint('ApiStack/Respond/FunctionUrl').url, { return: { statusCode: 202, body: 'accepted' } });
      assert.equal(response.status, 202);
      assert.match(response.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(await response.text(), 'accepted');
      const failed = await respondWith(endpoint('ApiStack/Respond/FunctionUrl').url, { throw: 'boom' });
      assert.equal(failed.status, 502);
    });

    it('stream chunks to the client as the function writes them, after the prelude', async () => {
      const release = signalFile('stream');
      const response = await fetch(`${endpoint('ApiStack/Streamer/FunctionUrl').url}?waitFor=${encodeURIComponent(release)}`);
      assert.equal(response.status, 201);
      assert.equal(response.headers.get('x-streamed'), 'yes');
      assert.equal(response.headers.get('content-type'), 'text/plain');
      assert.deepEqual(response.headers.getSetCookie(), ['flavour=oat']);
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      // The function is still waiting for the signal file: the first chunk has come before its end.
      while (!text.includes('first\n')) {
        const { value, done } = await reader.read();
        assert.equal(done, false, 'the stream ended before the first chunk');
        text += decoder.decode(value, { stream: true });
      }
      assert.equal(text, 'first\n');
      await writeFile(release, '');
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      assert.equal(text, 'first\nsecond\n');
    });
  });

  describe('streamed function URLs that go wrong', () => {
    it('answer 502 when the function fails before its first byte', async () => {
      const response = await fetch(`${endpoint('ApiStack/Streamer/FunctionUrl').url}?fail=1`);
      assert.equal(response.status, 502);
      assert.equal(await response.text(), 'Internal Server Error');
    });

    it('keep serving when a client leaves mid-stream', async () => {
      const release = signalFile('left');
      const controller = new AbortController();
      const response = await fetch(`${endpoint('ApiStack/Streamer/FunctionUrl').url}?waitFor=${encodeURIComponent(release)}`, { signal: controller.signal });
      const reader = response.body!.getReader();
      await reader.read();
      controller.abort();
      await writeFile(release, '');
      const again = await fetch(`${endpoint('ApiStack/Streamer/FunctionUrl').url}`);
      assert.equal(await again.text(), 'first\nsecond\n');
    });
  });

  describe('bad input', () => {
    it('answers headers that are too large, and bodies over the limit, without a 500', async () => {
      const status = await new Promise<number>((resolve, reject) => {
        const request = httpRequest(at('ApiStack/Http', '/x'), { headers: { 'x-huge': 'a'.repeat(100 * 1024) } }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.on('error', reject);
        request.end();
      });
      assert.equal(status, 431);
      const large = await fetch(at('ApiStack/Http', '/x'), { method: 'POST', body: Buffer.alloc(11 * 1024 * 1024) }).catch(() => undefined);
      if (large !== undefined) assert.equal(large.status, 413);
    });
  });

  it('leaves no process or port behind once closed', async () => {
    const ports = server.endpoints.map((item) => item.port);
    await server.close();
    await server.close();
    await local.close();
    assert.deepEqual(await processesWithMarker(MARKER_VARIABLE, app.marker), []);
    for (const port of ports) {
      await assert.rejects(fetch(`http://127.0.0.1:${port}/`), `port ${port} still answers`);
    }
  });
});
