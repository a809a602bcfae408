import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiRequest } from '../../../lib/servers/start-api/api-request.js';
import { isTextContentType, mediaTypeMatches, parseQueryString } from '../../../lib/servers/start-api/api-request.js';
import { buildV1Event, buildV2Event, type EventContext } from '../../../lib/servers/start-api/build-event.js';

const TIME = Date.UTC(2026, 2, 5, 7, 8, 9, 123);

function request(overrides: Partial<ApiRequest> = {}): ApiRequest {
  return {
    method: 'POST',
    path: '/test/items/a%20b',
    rawQueryString: 'q=1&q=2&name=J%C3%B6rg&flag',
    headers: [
      ['Host', 'localhost:3000'],
      ['User-Agent', 'curl/8.0'],
      ['X-Multi', 'one'],
      ['x-multi', 'two'],
      ['Cookie', 'a=1; b=2'],
      ['Content-Type', 'application/json'],
    ],
    body: Buffer.from('{"hello":"world"}'),
    sourceIp: '127.0.0.1',
    protocol: 'HTTP/1.1',
    requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    timeEpochMs: TIME,
    ...overrides,
  };
}

function context(overrides: Partial<EventContext> = {}): EventContext {
  return {
    request: request(),
    apiId: 'abcdefghij',
    accountId: '111122223333',
    stage: 'test',
    stageVariables: { color: 'blue' },
    pathParameters: { id: 'a%20b' },
    path: '/items/a%20b',
    resource: '/items/{id}',
    routeKey: 'POST /items/{id}',
    binaryBody: false,
    domainName: 'localhost',
    extendedRequestId: 'Xyz123AbcDEFg=',
    resourceId: 'r1s2t3',
    deploymentId: 'd1e2f3',
    ...overrides,
  };
}

describe('payload format 1.0 (REST)', () => {
  it('fills every field as API Gateway does', () => {
    const event = buildV1Event(context(), 'rest');
    assert.deepEqual(event, {
      resource: '/items/{id}',
      path: '/items/a%20b',
      httpMethod: 'POST',
      headers: { Host: 'localhost:3000', 'User-Agent': 'curl/8.0', 'X-Multi': 'one', 'x-multi': 'two', Cookie: 'a=1; b=2', 'Content-Type': 'application/json' },
      multiValueHeaders: {
        Host: ['localhost:3000'],
        'User-Agent': ['curl/8.0'],
        'X-Multi': ['one'],
        'x-multi': ['two'],
        Cookie: ['a=1; b=2'],
        'Content-Type': ['application/json'],
      },
      queryStringParameters: { q: '2', name: 'Jörg', flag: '' },
      multiValueQueryStringParameters: { q: ['1', '2'], name: ['Jörg'], flag: [''] },
      pathParameters: { id: 'a%20b' },
      stageVariables: { color: 'blue' },
      requestContext: {
        resourceId: 'r1s2t3',
        resourcePath: '/items/{id}',
        httpMethod: 'POST',
        extendedRequestId: 'Xyz123AbcDEFg=',
        requestTime: '05/Mar/2026:07:08:09 +0000',
        path: '/test/items/a%20b',
        accountId: '111122223333',
        protocol: 'HTTP/1.1',
        stage: 'test',
        domainPrefix: 'localhost',
        requestTimeEpoch: TIME,
        requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
        identity: {
          cognitoIdentityPoolId: null,
          accountId: null,
          cognitoIdentityId: null,
          caller: null,
          sourceIp: '127.0.0.1',
          principalOrgId: null,
          accessKey: null,
          cognitoAuthenticationType: null,
          cognitoAuthenticationProvider: null,
          userArn: null,
          userAgent: 'curl/8.0',
          user: null,
        },
        domainName: 'localhost',
        deploymentId: 'd1e2f3',
        apiId: 'abcdefghij',
      },
      body: '{"hello":"world"}',
      isBase64Encoded: false,
    });
  });

  it('gives null for what the request lacks, and base64 for a binary body', () => {
    const empty = buildV1Event(context({ request: request({ rawQueryString: '', body: Buffer.alloc(0) }), pathParameters: {}, stageVariables: {} }), 'rest');
    assert.equal(empty.queryStringParameters, null);
    assert.equal(empty.multiValueQueryStringParameters, null);
    assert.equal(empty.pathParameters, null);
    assert.equal(empty.stageVariables, null);
    assert.equal(empty.body, null);
    assert.equal(empty.isBase64Encoded, false);
    const binary = buildV1Event(context({ request: request({ body: Buffer.from([0, 1, 255]) }), binaryBody: true }), 'rest');
    assert.equal(binary.body, 'AAH/');
    assert.equal(binary.isBase64Encoded, true);
  });

  it('says version 1.0 and keeps the stage in the path for an HTTP API that asks for 1.0', () => {
    const event = buildV1Event(context({ stage: '$default', resource: '/v1/{proxy+}' }), 'http');
    assert.equal(event.version, '1.0');
    assert.equal(event.path, '/items/a%20b');
    assert.equal((event.requestContext as Record<string, unknown>).resourceId, 'POST /items/{id}');
  });
});

describe('payload format 2.0 (HTTP APIs, function URLs)', () => {
  it('fills every field as the service does: lower-case joined headers, cookies apart', () => {
    const event = buildV2Event(context({ stage: '$default', pathParameters: { id: 'a b' }, path: '/items/a b' }), { rawPath: '/items/a b' });
    assert.deepEqual(event, {
      version: '2.0',
      routeKey: 'POST /items/{id}',
      rawPath: '/items/a b',
      rawQueryString: 'q=1&q=2&name=J%C3%B6rg&flag',
      cookies: ['a=1', 'b=2'],
      headers: { host: 'localhost:3000', 'user-agent': 'curl/8.0', 'x-multi': 'one,two', 'content-type': 'application/json' },
      queryStringParameters: { q: '1,2', name: 'Jörg', flag: '' },
      requestContext: {
        accountId: '111122223333',
        apiId: 'abcdefghij',
        domainName: 'localhost',
        domainPrefix: 'localhost',
        http: { method: 'POST', path: '/items/a b', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'curl/8.0' },
        requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
        routeKey: 'POST /items/{id}',
        stage: '$default',
        time: '05/Mar/2026:07:08:09 +0000',
        timeEpoch: TIME,
      },
      pathParameters: { id: 'a b' },
      stageVariables: { color: 'blue' },
      body: '{"hello":"world"}',
      isBase64Encoded: false,
    });
  });

  it('leaves out what the request lacks', () => {
    const event = buildV2Event(
      context({ request: request({ rawQueryString: '', headers: [['host', 'x']], body: Buffer.alloc(0) }), pathParameters: {}, stageVariables: {} }),
      { rawPath: '/' },
    );
    for (const field of ['cookies', 'queryStringParameters', 'pathParameters', 'stageVariables', 'body']) assert.equal(field in event, false, field);
    assert.equal(event.isBase64Encoded, false);
  });
});

describe('request helpers', () => {
  it('decodes query strings as API Gateway does, keeping a malformed escape', () => {
    assert.deepEqual(parseQueryString('a=1&b=%zz&c=x+y&&d'), [
      ['a', '1'],
      ['b', '%zz'],
      ['c', 'x+y'],
      ['d', ''],
    ]);
  });

  it('matches binary media types with wildcards, and tells text from binary', () => {
    assert.equal(mediaTypeMatches('image/png; q=1', 'image/png'), true);
    assert.equal(mediaTypeMatches('image/jpeg', 'image/*'), true);
    assert.equal(mediaTypeMatches('text/plain', '*/*'), true);
    assert.equal(mediaTypeMatches('text/plain', 'image/*'), false);
    assert.equal(isTextContentType('application/json; charset=utf-8'), true);
    assert.equal(isTextContentType('application/vnd.api+json'), true);
    assert.equal(isTextContentType('text/csv'), true);
    assert.equal(isTextContentType('image/png'), false);
    assert.equal(isTextContentType(undefined), false);
  });
});
