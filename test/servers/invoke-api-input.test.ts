// Hostile and malformed input on the Invoke API: names and qualifiers the service would
// refuse, errors Fastify raises itself, client contexts with any characters, and request
// bodies that are too large or too slow. Every answer has the service's shape.
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { LocalLambda } from '../../lib/host/index.js';
import { startLambdaServer, type LambdaServer } from '../../lib/servers/index.js';
import { createServerApp, processesWithMarker, type ServerApp } from './server-app.js';

/** Longest wait for an answer or a close: past it, the server holds the connection. */
const WAIT_MS = 30_000;

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One request with the path sent exactly as written (no client-side normalising). */
function call(server: LambdaServer, method: string, path: string, options: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port: server.port, method, path, headers: options.headers ?? {} }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

function invokePath(name: string, query = ''): string {
  return `/2015-03-31/functions/${name}/invocations${query}`;
}

function assertServiceError(answer: Answer, status: number, errorType: string, message?: RegExp): void {
  assert.equal(answer.status, status, answer.body);
  assert.equal(answer.headers['x-amzn-errortype'], errorType, answer.body);
  assert.match(String(answer.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/);
  const body = JSON.parse(answer.body) as Record<string, string>;
  assert.equal(body.Type, 'User');
  if (message !== undefined) assert.match(body.message ?? body.Message ?? '', message);
}

/** What a raw connection saw: the bytes the server sent, how many we wrote, whether the server closed it. */
interface RawExchange {
  readonly received: string;
  readonly writtenBytes: number;
}

/**
 * Writes `head`, then `nextChunk()` whenever the socket can take more, until the server
 * closes the connection; fails if it has not after {@link WAIT_MS}.
 */
function pushUntilClosed(server: LambdaServer, head: string, nextChunk: () => Buffer | undefined): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1');
    const received: Buffer[] = [];
    let writtenBytes = 0;
    let closed = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`The server kept the connection open for ${WAIT_MS} ms after ${writtenBytes} bytes`));
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

describe('the Invoke API with hostile input', () => {
  let app: ServerApp;
  let local: LocalLambda;
  let server: LambdaServer;

  before(async () => {
    app = await createServerApp();
    local = await app.open();
    server = await startLambdaServer({ local, requestBodyTimeoutMs: 1000 });
  });

  after(async () => {
    await Promise.all([server?.close(), local?.close()]);
    if (app !== undefined) {
      assert.deepEqual(await processesWithMarker(app.marker), [], 'no runtime process outlives close()');
      await app.remove();
    }
  });

  describe('names and qualifiers', () => {
    it('matches names case-sensitively and as given, as Lambda does', async () => {
      assertServiceError(await call(server, 'POST', invokePath('ECHO'), { body: '{}' }), 404, 'ResourceNotFoundException', /^Function not found: arn:aws:lambda:us-east-1:111122223333:function:ECHO/);
      assertServiceError(await call(server, 'POST', invokePath('echo'), { body: '{}' }), 404, 'ResourceNotFoundException');
      for (const name of ['%2F%2FEcho', '%2FEcho', 'Echo%2F', '%20Echo', 'ServerStack%2FEcho%2FResource']) {
        assertServiceError(await call(server, 'POST', invokePath(name), { body: '{}' }), 400, 'ValidationException', /at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern/);
      }
    });

    it('still takes the construct path and the names README lists, exactly', async () => {
      for (const name of ['Echo', 'ServerStack%2FEcho', 'ServerStack%2FEcho:%24LATEST']) {
        const answer = await call(server, 'POST', invokePath(name), { body: '{"n":1}' });
        assert.equal(answer.status, 200, `${name}: ${answer.body}`);
        assert.deepEqual((JSON.parse(answer.body) as { event: unknown }).event, { n: 1 });
      }
    });

    it('refuses names past the length limits with the service’s error types', async () => {
      assertServiceError(await call(server, 'POST', invokePath('a'.repeat(141)), { body: '{}' }), 400, 'ValidationException', /Member must have length less than or equal to 140/);
      assertServiceError(await call(server, 'POST', invokePath('a'.repeat(3000)), { body: '{}' }), 400, 'ValidationException', /length less than or equal to 140/);
      assertServiceError(await call(server, 'POST', invokePath('a'.repeat(65)), { body: '{}' }), 400, 'InvalidParameterValueException', /64/);
      const arn = `arn:aws:lambda:us-east-1:111122223333:function:${'a'.repeat(64)}`;
      assertServiceError(await call(server, 'POST', invokePath(arn), { body: '{}' }), 404, 'ResourceNotFoundException');
    });

    it('takes an empty Qualifier as none, and refuses one outside the pattern', async () => {
      const answer = await call(server, 'POST', invokePath('Echo', '?Qualifier='), { body: '{}' });
      assert.equal(answer.status, 200, answer.body);
      assertServiceError(await call(server, 'POST', invokePath('Echo', '?Qualifier=a.b'), { body: '{}' }), 400, 'ValidationException', /at 'qualifier' failed to satisfy constraint/);
      assertServiceError(await call(server, 'POST', invokePath('Echo', `?Qualifier=${'a'.repeat(129)}`), { body: '{}' }), 400, 'ValidationException', /length less than or equal to 128/);
      assertServiceError(await call(server, 'POST', invokePath('Echo', '?Qualifier=live'), { body: '{}' }), 404, 'ResourceNotFoundException');
      assertServiceError(await call(server, 'POST', invokePath('Echo:', ''), { body: '{}' }), 400, 'ValidationException');
    });

    it('answers Fastify’s own refusals in the service’s shape', async () => {
      assertServiceError(await call(server, 'POST', invokePath('%E0%A4%A'), { body: '{}' }), 400, 'ValidationException');
      assertServiceError(await call(server, 'GET', '/2015-03-31/functions/%ZZ/configuration'), 400, 'ValidationException');
      assertServiceError(await call(server, 'POST', '/2015-03-31/no-such-operation', { body: '{}' }), 404, 'UnknownOperationException');
      assertServiceError(await call(server, 'GET', invokePath('Echo')), 404, 'UnknownOperationException');
      const malformed = await pushUntilClosed(server, `POST ${invokePath('Echo')} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n{}`, () => undefined);
      assert.match(malformed.received, /^HTTP\/1\.1 400 /);
      assert.match(malformed.received, /\r\nx-amzn-ErrorType: InvalidRequestContentException\r\n/i);
    });
  });

  describe('client context', () => {
    it('passes characters beyond Latin-1 to the function intact', async () => {
      const clientContext = { custom: { name: 'Zoë € 東京 🚀' }, env: { locale: 'ja-JP' } };
      const answer = await call(server, 'POST', invokePath('Echo'), {
        headers: { 'X-Amz-Client-Context': Buffer.from(JSON.stringify(clientContext)).toString('base64') },
        body: '{}',
      });
      assert.equal(answer.status, 200, answer.body);
      assert.deepEqual((JSON.parse(answer.body) as { clientContext: unknown }).clientContext, clientContext);
      // The environment lives on for the next invocation.
      assert.equal((await call(server, 'POST', invokePath('Echo'), { body: '{}' })).status, 200);
    });

    it('refuses a client context that is not UTF-8 with InvalidRequestContentException', async () => {
      const notUtf8 = Buffer.concat([Buffer.from('{"custom":{"k":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}}')]);
      const answer = await call(server, 'POST', invokePath('Echo'), { headers: { 'X-Amz-Client-Context': notUtf8.toString('base64') }, body: '{}' });
      assertServiceError(answer, 400, 'InvalidRequestContentException', /^Client context must be a valid Base64-encoded JSON object\.$/);
    });
  });

  describe('payload', () => {
    it('refuses a payload that is not UTF-8 with InvalidRequestContentException', async () => {
      const answer = await call(server, 'POST', invokePath('Echo'), { body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0x97, 0x22, 0x7d]) });
      assertServiceError(answer, 400, 'InvalidRequestContentException', /^Could not parse request body into json: Could not parse payload into json: Invalid UTF-8 start byte 0x97$/);
    });
  });

  describe('request bodies', () => {
    it('answers 413 as soon as Content-Length is too large, without reading the body, and closes', async () => {
      const declared = 200 * 1024 * 1024;
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let offered = 0;
      const exchange = await pushUntilClosed(
        server,
        `POST ${invokePath('Echo')} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n`,
        () => (offered += chunk.length) <= declared ? chunk : undefined,
      );
      assert.match(exchange.received, /^HTTP\/1\.1 413 /);
      assert.match(exchange.received, /\r\nx-amzn-errortype: RequestTooLargeException\r\n/i);
      assert.ok(exchange.writtenBytes < declared / 4, `the server took ${exchange.writtenBytes} bytes of a body it had refused`);
    });

    it('answers 413 as soon as a chunked body passes the limit, and closes', async () => {
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
      let frames = 0;
      const exchange = await pushUntilClosed(
        server,
        `POST ${invokePath('Echo')} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
        // Never ends on its own: only the server can stop it.
        () => (++frames <= 200 * 16 ? frame : undefined),
      );
      assert.match(exchange.received, /^HTTP\/1\.1 413 /);
      assert.match(exchange.received, /Request must be smaller than 6291456 bytes for the Invoke operation/);
      assert.ok(exchange.writtenBytes < 50 * 1024 * 1024, `the server took ${exchange.writtenBytes} bytes of a body past its limit`);
    });

    it('refuses an Event body over its own limit by Content-Length', async () => {
      const answer = await call(server, 'POST', invokePath('Echo'), { headers: { 'X-Amz-Invocation-Type': 'Event' }, body: Buffer.alloc(1_048_577, 0x20) });
      assertServiceError(answer, 413, 'RequestTooLargeException', /1048576 bytes for the Invoke \(Event\) operation/);
    });

    it('times out bodies that trickle, many at once, and closes their connections', async () => {
      const trickle = (): Promise<RawExchange> => {
        let sent = false;
        return pushUntilClosed(
          server,
          `POST ${invokePath('Echo')} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`,
          () => {
            if (sent) return undefined;
            sent = true;
            return Buffer.from('{"a":');
          },
        );
      };
      const exchanges = await Promise.all(Array.from({ length: 50 }, trickle));
      for (const exchange of exchanges) {
        assert.match(exchange.received, /^HTTP\/1\.1 408 /);
        assert.match(exchange.received, /\r\nx-amzn-errortype: RequestTimeoutException\r\n/i);
      }
      // And it serves on.
      assert.equal((await call(server, 'POST', invokePath('Echo'), { body: '{}' })).status, 200);
    });
  });
});
