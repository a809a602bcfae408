// Bodies over the Runtime API's limits are refused as soon as that is known, not read to their
// end, and their connection is closed once the answer is out (C.15).
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { RuntimeChannel, startRuntimeApiServer, type Invocation, type RuntimeApiServer } from '../../lib/runtime-api/index.js';

const PREFIX = '/2018-06-01/runtime';
const REQUEST_ID = '8476a536-e9f4-11e8-9739-2dfe598c3fcd';
/** Longest wait for the server to close: past it, it is still reading. */
const WAIT_MS = 30_000;

function invocation(): Invocation {
  return { requestId: REQUEST_ID, payload: Buffer.from('{}'), deadlineMs: Date.now() + 60_000, invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fn' };
}

async function startWithInvocation() {
  const channel = new RuntimeChannel();
  void channel.expectInit();
  const server = await startRuntimeApiServer({ channel });
  const pending = channel.invoke(invocation());
  await fetch(`http://${server.address}${PREFIX}/invocation/next`).then((r) => r.arrayBuffer());
  return { server, pending };
}

/** Writes `head`, then `nextChunk()` whenever the socket takes more, until the server closes the connection. */
function pushUntilClosed(server: RuntimeApiServer, head: string, nextChunk: () => Buffer | undefined): Promise<{ received: string; writtenBytes: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1');
    const received: Buffer[] = [];
    let writtenBytes = 0;
    let closed = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`The server kept reading for ${WAIT_MS} ms, ${writtenBytes} bytes`));
    }, WAIT_MS);
    const pump = (): void => {
      while (!closed) {
        const chunk = nextChunk();
        if (chunk === undefined) return;
        writtenBytes += chunk.length;
        if (!socket.write(chunk)) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    socket.on('connect', () => {
      socket.write(head);
      pump();
    });
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      clearTimeout(timer);
      resolve({ received: Buffer.concat(received).toString('latin1'), writtenBytes });
    });
  });
}

describe('Runtime API body limits', () => {
  it('C.15 refuses a /response whose Content-Length is too large without reading it, and closes', async () => {
    const { server, pending } = await startWithInvocation();
    await using _ = server;
    const declared = 200 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let offered = 0;
    const exchange = await pushUntilClosed(
      server,
      `POST ${PREFIX}/invocation/${REQUEST_ID}/response HTTP/1.1\r\nHost: x\r\nContent-Length: ${declared}\r\n\r\n`,
      () => ((offered += chunk.length) <= declared ? chunk : undefined),
    );
    assert.match(exchange.received, /^HTTP\/1\.1 413 /);
    assert.match(exchange.received, /"errorType":"RequestEntityTooLarge"/);
    assert.ok(exchange.writtenBytes < declared / 4, `the server took ${exchange.writtenBytes} bytes of a refused body`);
    assert.deepEqual(await pending.response, { kind: 'too-large', sizeBytes: declared });
  });

  it('C.15 refuses a chunked /response as soon as it passes the limit, and closes', async () => {
    const { server, pending } = await startWithInvocation();
    await using _ = server;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
    let frames = 0;
    const exchange = await pushUntilClosed(
      server,
      `POST ${PREFIX}/invocation/${REQUEST_ID}/response HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`,
      () => (++frames <= 200 * 16 ? frame : undefined),
    );
    assert.match(exchange.received, /^HTTP\/1\.1 413 /);
    assert.ok(exchange.writtenBytes < 50 * 1024 * 1024, `the server took ${exchange.writtenBytes} bytes past the limit`);
    const outcome = await pending.response;
    assert.equal(outcome.kind, 'too-large');
  });
});
