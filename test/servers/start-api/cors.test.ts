import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CorsSpec } from '../../../lib/assembly/index.js';
import type { ApiRequest } from '../../../lib/servers/start-api/api-request.js';
import { isPreflight, preflightAnswer, withCorsHeaders } from '../../../lib/servers/start-api/cors.js';

const ORIGIN = 'http://127.0.0.1:4321';

const cors: CorsSpec = {
  allowOrigins: [ORIGIN],
  allowMethods: ['GET', 'PUT'],
  allowHeaders: ['X-Custom', 'content-type'],
  exposeHeaders: ['x-exposed'],
  maxAgeSeconds: 300,
  allowCredentials: true,
};

function request(method: string, headers: Record<string, string>): ApiRequest {
  return {
    method,
    path: '/items/1',
    rawQueryString: '',
    headers: Object.entries(headers),
    body: Buffer.alloc(0),
    sourceIp: '127.0.0.1',
    protocol: 'HTTP/1.1',
    requestId: 'r',
    timeEpochMs: 0,
  };
}

const preflight = (origin: string, method: string, requestHeaders?: string): ApiRequest =>
  request('OPTIONS', { Origin: origin, 'Access-Control-Request-Method': method, ...(requestHeaders === undefined ? {} : { 'Access-Control-Request-Headers': requestHeaders }) });

describe('CORS of HTTP APIs and function URLs', () => {
  it('T.107 takes OPTIONS with an Origin and an Access-Control-Request-Method for a preflight, and nothing else', () => {
    assert.equal(isPreflight(preflight(ORIGIN, 'PUT')), true);
    assert.equal(isPreflight(request('OPTIONS', { Origin: ORIGIN })), false);
    assert.equal(isPreflight(request('OPTIONS', { 'Access-Control-Request-Method': 'PUT' })), false);
    assert.equal(isPreflight(request('GET', { origin: ORIGIN, 'access-control-request-method': 'PUT' })), false);
  });

  it('T.109 answers an allowed preflight 204 with the configured headers', () => {
    const answer = preflightAnswer(cors, preflight(ORIGIN, 'PUT', 'x-custom, Content-Type'));
    assert.equal(answer.statusCode, 204);
    assert.equal(answer.body.length, 0);
    assert.deepEqual(answer.headers, [
      ['access-control-allow-origin', ORIGIN],
      ['access-control-allow-credentials', 'true'],
      ['access-control-allow-methods', 'GET,PUT'],
      ['access-control-allow-headers', 'X-Custom,content-type'],
      ['access-control-max-age', '300'],
    ]);
  });

  it('T.110 answers 204 without any Access-Control header when the origin, the method or a header is not allowed', () => {
    for (const refused of [
      preflight('http://127.0.0.1:9999', 'PUT'),
      preflight('https://example.com', 'GET'),
      preflight(ORIGIN, 'DELETE'),
      preflight(ORIGIN, 'PUT', 'x-custom, x-other'),
    ]) {
      const answer = preflightAnswer(cors, refused);
      assert.equal(answer.statusCode, 204);
      assert.deepEqual(answer.headers, []);
    }
    // An origin written with a trailing slash is not the browser's origin.
    assert.deepEqual(preflightAnswer({ ...cors, allowOrigins: [`${ORIGIN}/`] }, preflight(ORIGIN, 'GET')).headers, []);
  });

  it("T.109 allows any origin, method or header with '*', and matches origins, methods and header names without regard to case", () => {
    const open: CorsSpec = { allowOrigins: ['*'], allowMethods: ['*'], allowHeaders: ['*'], exposeHeaders: [], allowCredentials: false };
    assert.deepEqual(preflightAnswer(open, preflight('https://anywhere.example', 'PATCH', 'x-anything')).headers, [
      ['access-control-allow-origin', '*'],
      ['access-control-allow-methods', '*'],
      ['access-control-allow-headers', '*'],
    ]);
    const answer = preflightAnswer(cors, preflight(ORIGIN.toUpperCase(), 'put', 'X-CUSTOM'));
    assert.equal(answer.headers[0]?.[1], ORIGIN.toUpperCase());
  });

  it("T.111 replaces the function's CORS headers with the configured ones for an allowed origin", () => {
    const functionHeaders: [string, string][] = [
      ['content-type', 'application/json'],
      ['Access-Control-Allow-Origin', 'https://function.example'],
      ['access-control-expose-headers', 'x-hidden'],
      ['x-hidden', 'unseen'],
    ];
    assert.deepEqual(withCorsHeaders(cors, request('GET', { Origin: ORIGIN }), functionHeaders), [
      ['content-type', 'application/json'],
      ['x-hidden', 'unseen'],
      ['access-control-allow-origin', ORIGIN],
      ['access-control-allow-credentials', 'true'],
      ['access-control-expose-headers', 'x-exposed'],
    ]);
    // Another origin, or none: the function's CORS headers are still dropped, none added.
    const bare = [
      ['content-type', 'application/json'],
      ['x-hidden', 'unseen'],
    ];
    assert.deepEqual(withCorsHeaders(cors, request('GET', { Origin: 'https://example.com' }), functionHeaders), bare);
    assert.deepEqual(withCorsHeaders(cors, request('GET', {}), functionHeaders), bare);
  });

  it("T.108 puts a preflight's headers on the answer of a route that took it", () => {
    assert.deepEqual(withCorsHeaders(cors, preflight(ORIGIN, 'PUT'), [['Access-Control-Allow-Methods', 'PATCH']]), [
      ['access-control-allow-origin', ORIGIN],
      ['access-control-allow-credentials', 'true'],
      ['access-control-allow-methods', 'GET,PUT'],
      ['access-control-allow-headers', 'X-Custom,content-type'],
      ['access-control-max-age', '300'],
    ]);
    assert.deepEqual(withCorsHeaders(cors, preflight(ORIGIN, 'DELETE'), [['Access-Control-Allow-Methods', 'DELETE']]), []);
  });
});
