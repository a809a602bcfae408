import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failureAnswer } from '../../../lib/servers/start-api/front-end-answers.js';
import { readPrelude, splitPrelude } from '../../../lib/servers/start-api/http-integration-prelude.js';
import { mapV1Response, mapV2Response, type MappedResponse } from '../../../lib/servers/start-api/map-response.js';

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const rest = (value: unknown, decode = false): MappedResponse => mapV1Response(json(value), { strict: true, decodeBase64: () => decode });
function answer(mapped: MappedResponse): { statusCode: number; headers: [string, string][]; body: string } {
  assert.ok(mapped.ok, mapped.ok ? '' : mapped.reason);
  return { statusCode: mapped.answer.statusCode, headers: mapped.answer.headers.map(([name, value]) => [name, value]), body: mapped.answer.body.toString('utf8') };
}

describe('payload format 1.0 responses', () => {
  it('maps status, headers merged with multiValueHeaders, and body', () => {
    assert.deepEqual(
      answer(rest({ statusCode: 201, headers: { 'X-One': 'a', 'X-Both': 'single', 'Content-Type': 'text/plain' }, multiValueHeaders: { 'X-Both': ['m1', 'm2'] }, body: 'made' })),
      { statusCode: 201, headers: [['X-One', 'a'], ['Content-Type', 'text/plain'], ['X-Both', 'm1'], ['X-Both', 'm2']], body: 'made' },
    );
  });

  it('adds Content-Type application/json, and takes a statusCode given as text', () => {
    assert.deepEqual(answer(rest({ statusCode: '204' })), { statusCode: 204, headers: [['Content-Type', 'application/json']], body: '' });
  });

  it('decodes a base64 body only when asked', () => {
    assert.equal(answer(rest({ statusCode: 200, body: 'aGk=', isBase64Encoded: true }, true)).body, 'hi');
    assert.equal(answer(rest({ statusCode: 200, body: 'aGk=', isBase64Encoded: true }, false)).body, 'aGk=');
  });

  it('refuses what a proxy response cannot be', () => {
    for (const bad of [null, 'text', [1], {}, { statusCode: 'abc' }, { statusCode: 200, body: { no: 1 } }, { statusCode: 200, cookies: ['a=1'] }, { statusCode: 200, headers: { a: {} } }, { statusCode: 200, multiValueHeaders: { a: 'x' } }]) {
      assert.equal(rest(bad).ok, false, JSON.stringify(bad));
    }
    assert.equal(mapV1Response(Buffer.from('not json'), { strict: true, decodeBase64: () => false }).ok, false);
  });

  it('lets HTTP APIs ignore fields REST refuses', () => {
    assert.equal(mapV1Response(json({ statusCode: 200, extra: 1 }), { strict: false, decodeBase64: () => true }).ok, true);
  });
});

describe('payload format 2.0 responses', () => {
  it('maps a structured response with cookies and a base64 body', () => {
    assert.deepEqual(answer(mapV2Response(json({ statusCode: 418, headers: { 'x-a': 'b' }, cookies: ['c=1', 'd=2'], body: 'dGVh', isBase64Encoded: true }))), {
      statusCode: 418,
      headers: [['x-a', 'b'], ['Set-Cookie', 'c=1'], ['Set-Cookie', 'd=2'], ['Content-Type', 'application/json']],
      body: 'tea',
    });
  });

  it('infers a 200 JSON response from anything without statusCode', () => {
    assert.deepEqual(answer(mapV2Response(json('Hello from Lambda!'))), { statusCode: 200, headers: [['Content-Type', 'application/json']], body: 'Hello from Lambda!' });
    assert.deepEqual(answer(mapV2Response(json({ message: 'hi' }))).body, '{"message":"hi"}');
    assert.deepEqual(answer(mapV2Response(json([1, 2]))).body, '[1,2]');
    assert.deepEqual(answer(mapV2Response(Buffer.from('null'))).body, 'null');
  });

  it('refuses a payload that is not JSON, or a structured response that is wrong', () => {
    assert.equal(mapV2Response(Buffer.from('{broken')).ok, false);
    assert.equal(mapV2Response(json({ statusCode: 'x' })).ok, false);
    assert.equal(mapV2Response(json({ statusCode: 200, cookies: 'a=1' })).ok, false);
  });
});

describe("the front ends' own answers", () => {
  it('are the bodies and statuses of the service', () => {
    const seen = (frontEnd: 'rest' | 'http' | 'url', failure: Parameters<typeof failureAnswer>[1]): string => {
      const mapped = failureAnswer(frontEnd, failure);
      return `${mapped.statusCode} ${mapped.body.toString('utf8')}`;
    };
    assert.equal(seen('rest', 'not-found'), '403 {"message":"Missing Authentication Token"}');
    assert.equal(seen('rest', 'function-error'), '502 {"message": "Internal server error"}');
    assert.equal(seen('rest', 'malformed'), '502 {"message": "Internal server error"}');
    assert.equal(seen('rest', 'throttled'), '500 {"message": "Internal server error"}');
    assert.equal(seen('rest', 'integration-timeout'), '504 {"message": "Endpoint request timed out"}');
    assert.equal(seen('http', 'not-found'), '404 {"message":"Not Found"}');
    assert.equal(seen('http', 'function-error'), '500 {"message":"Internal Server Error"}');
    assert.equal(seen('http', 'integration-timeout'), '503 {"message":"Service Unavailable"}');
    assert.equal(seen('url', 'function-error'), '502 Internal Server Error');
    assert.equal(seen('url', 'throttled'), '429 {"Message":"Rate Exceeded."}');
  });
});

describe('the prelude of a streamed HTTP response', () => {
  it('ends at the first 8 NUL bytes', () => {
    const bytes = Buffer.concat([Buffer.from('{"statusCode":201}'), Buffer.alloc(8), Buffer.from([0, 0, 65])]);
    const split = splitPrelude(bytes);
    assert.equal(split?.prelude.toString(), '{"statusCode":201}');
    assert.deepEqual([...split!.body], [0, 0, 65]);
    assert.equal(splitPrelude(Buffer.from('{"statusCode":201}\0\0\0')), undefined);
  });

  it('gives status, headers and cookies', () => {
    assert.deepEqual(readPrelude(Buffer.from('{"statusCode":201,"headers":{"content-type":"text/plain"},"cookies":["a=1"]}')), {
      statusCode: 201,
      headers: [['content-type', 'text/plain'], ['Set-Cookie', 'a=1']],
    });
    assert.equal(readPrelude(Buffer.from('nonsense')), undefined);
  });
});
