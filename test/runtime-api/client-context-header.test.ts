// Client context and Cognito identity reach the runtime as UTF-8 bytes in their headers,
// whatever characters they hold (B.7, B.8).
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { RuntimeChannel, startRuntimeApiServer, type Invocation } from '../../lib/runtime-api/index.js';

const PREFIX = '/2018-06-01/runtime';

function invocation(overrides: Partial<Invocation>): Invocation {
  return {
    requestId: '8476a536-e9f4-11e8-9739-2dfe598c3fcd',
    payload: Buffer.from('{}'),
    deadlineMs: Date.now() + 30_000,
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fn',
    ...overrides,
  };
}

/** The raw bytes of the /next answer's head, read off a plain socket. */
function rawNextHead(address: string): Promise<Buffer> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), host, () => socket.write(`GET ${PREFIX}/invocation/next HTTP/1.1\r\nHost: ${address}\r\nConnection: close\r\n\r\n`));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const all = Buffer.concat(chunks);
      resolve(all.subarray(0, all.indexOf('\r\n\r\n')));
    });
  });
}

function headerBytes(head: Buffer, name: string): Buffer | undefined {
  const prefix = Buffer.from(`\r\n${name.toLowerCase()}: `);
  const lower = Buffer.from(head.toString('latin1').toLowerCase(), 'latin1');
  const start = lower.indexOf(prefix);
  if (start < 0) return undefined;
  const end = head.indexOf('\r\n', start + prefix.length);
  return head.subarray(start + prefix.length, end < 0 ? head.length : end);
}

describe('client context header', () => {
  it('B.7 carries characters beyond Latin-1 as UTF-8 bytes, and what no header may hold as JSON escapes', async () => {
    const channel = new RuntimeChannel();
    void channel.expectInit();
    await using server = await startRuntimeApiServer({ channel });
    const clientContext = '{"custom":{"name":"Zoë € 東京 🚀","del":"a\x7fb"},\n"env":{}}';
    const cognitoIdentity = '{"cognitoIdentityId":"id-Ω"}';
    channel.invoke(invocation({ clientContext, cognitoIdentity }));
    const head = await rawNextHead(server.address);
    assert.match(head.toString('latin1'), /^HTTP\/1\.1 200 /);
    const sent = headerBytes(head, 'Lambda-Runtime-Client-Context');
    assert.ok(sent !== undefined, 'the client context header is sent');
    const text = sent.toString('utf8');
    assert.deepEqual(JSON.parse(text), JSON.parse(clientContext));
    assert.ok(text.includes('Zoë € 東京 🚀'), 'the characters are sent as UTF-8, not escaped');
    assert.equal(headerBytes(head, 'Lambda-Runtime-Cognito-Identity')?.toString('utf8'), cognitoIdentity);
  });
});
