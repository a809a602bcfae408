import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readTriggers, type TriggerSpec } from '../../lib/assembly/index.js';
import { eventForTrigger } from '../../lib/events/trigger-event.js';
import { synthesizeWebSocketApp } from '../fixtures/start-api/websocket-app.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('WebSocket API routes as triggers', () => {
  let root: string;
  let triggers: readonly TriggerSpec[];
  const of = (functionPath: string): TriggerSpec[] => triggers.filter((trigger) => trigger.functionPath === functionPath);
  const context = { now: new Date('2026-11-30T09:00:00Z'), uuid: () => '0123456789abcdef0123456789abcdef' };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'cdk-local-websocket-triggers-'));
    synthesizeWebSocketApp(join(root, 'cdk.out'));
    triggers = await readTriggers(join(root, 'cdk.out'));
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads each route of a WebSocket API as a trigger of its function, not as an HTTP API route', () => {
    assert.deepEqual(
      of('SocketStack/Reply').map((trigger) => `${trigger.kind} ${trigger.description}`),
      ['websocket-api WebSocket API $default', 'websocket-api WebSocket API echo', 'websocket-api WebSocket API quiet', 'websocket-api WebSocket API ping'],
    );
    const [connect] = of('SocketStack/Connect');
    assert.ok(connect?.kind === 'websocket-api');
    assert.deepEqual([connect.routeKey, connect.stage], ['$connect', 'dev']);
    assert.match(connect.apiId, /^[a-z0-9]{10}$/);
  });

  it('makes the connect, message and disconnect events of the routes', () => {
    const connect = eventForTrigger(of('SocketStack/Connect')[0]!, context) as Json;
    assert.equal(connect['requestContext']['eventType'], 'CONNECT');
    assert.equal(connect['requestContext']['stage'], 'dev');
    assert.equal(connect['requestContext']['requestTime'], '30/Nov/2026:09:00:00 +0000');
    assert.match(connect['requestContext']['domainName'], /^[a-z0-9]{10}\.execute-api\.eu-west-1\.amazonaws\.com$/);
    assert.equal(connect['headers']['Sec-WebSocket-Version'], '13');
    const disconnect = eventForTrigger(of('SocketStack/Disconnect')[0]!, context) as Json;
    assert.deepEqual([disconnect['requestContext']['eventType'], disconnect['requestContext']['disconnectStatusCode']], ['DISCONNECT', 1000]);
    const echo = eventForTrigger(of('SocketStack/Reply').find((trigger) => trigger.description.endsWith(' echo'))!, context) as Json;
    assert.deepEqual([echo['requestContext']['eventType'], echo['requestContext']['routeKey'], echo['body']], ['MESSAGE', 'echo', '{"action":"echo"}']);
    assert.match(echo['requestContext']['messageId'], /^[\w+/]{15}=$/);
  });
});
