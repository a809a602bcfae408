import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WebSocketRouteSpec } from '../../../lib/assembly/index.js';
import { evaluateRouteSelection, selectRoute } from '../../../lib/servers/start-api/websocket/select-route.js';
import { readProxyResult } from '../../../lib/servers/start-api/websocket/proxy-result.js';

const route = (routeKey: string): WebSocketRouteSpec => ({ routeKey, authorizationType: 'NONE', returnsResponse: false, integration: { kind: 'unsupported', description: 'none' } });

describe('WebSocket route selection', () => {
  it('evaluates $request.body references, bare or braced, nested, against JSON messages', () => {
    assert.equal(evaluateRouteSelection('$request.body.action', '{"action":"send"}'), 'send');
    assert.equal(evaluateRouteSelection('${request.body.kind}', '{"kind":"ping"}'), 'ping');
    assert.equal(evaluateRouteSelection('$request.body.meta.type', '{"meta":{"type":"join"}}'), 'join');
    assert.equal(evaluateRouteSelection('${request.body.a}-${request.body.b}', '{"a":"x","b":2}'), 'x-2');
    assert.equal(evaluateRouteSelection('$request.body.action', 'not json'), undefined);
    assert.equal(evaluateRouteSelection('$request.body.action', '{"other":1}'), undefined);
    assert.equal(evaluateRouteSelection('$request.body.action', '{"action":{"nested":true}}'), undefined);
    assert.equal(evaluateRouteSelection('$request.body.action', '["action"]'), undefined);
  });

  it('picks the matching route, else $default, else none; never $connect by a message', () => {
    const routes = [route('$connect'), route('send'), route('$default')];
    assert.equal(selectRoute(routes, '$request.body.action', '{"action":"send"}')?.routeKey, 'send');
    assert.equal(selectRoute(routes, '$request.body.action', '{"action":"other"}')?.routeKey, '$default');
    assert.equal(selectRoute(routes, '$request.body.action', '{"action":"$connect"}')?.routeKey, '$default');
    assert.equal(selectRoute(routes, '$request.body.action', undefined)?.routeKey, '$default');
    assert.equal(selectRoute([route('send')], '$request.body.action', '{"action":"other"}'), undefined);
  });
});

describe('readProxyResult', () => {
  it('takes the body of a proxy response, decoded when base64, and its headers', () => {
    const result = readProxyResult(Buffer.from(JSON.stringify({ statusCode: 200, headers: { 'Sec-WebSocket-Protocol': 'chat' }, body: 'aGk=', isBase64Encoded: true })));
    assert.deepEqual({ ...result, body: result.body?.toString('utf8') }, { statusCode: 200, headers: [['Sec-WebSocket-Protocol', 'chat']], body: 'hi', binary: true });
  });

  it('sends anything that is not a proxy response as it is, and nothing for null', () => {
    assert.equal(readProxyResult(Buffer.from('{"hello":"world"}')).body?.toString('utf8'), '{"hello":"world"}');
    assert.equal(readProxyResult(Buffer.from('"plain"')).body?.toString('utf8'), 'plain');
    assert.equal(readProxyResult(Buffer.from('null')).body, undefined);
    assert.equal(readProxyResult(Buffer.from(JSON.stringify({ statusCode: 401 }))).statusCode, 401);
  });
});
