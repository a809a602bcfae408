// Bad input on every endpoint of the APIs an execution environment serves (Runtime,
// Extensions, Telemetry, Logs): malformed JSON, wrong methods, unknown ids, missing and
// oversized headers, bodies over the limits, truncated bodies, slow clients. The server must
// answer each with a 4xx (or close a connection it cannot parse), never a 5xx, never hang,
// never throw; and the environment must go on serving its function.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LocalLambda } from '../../lib/index.js';
import { RuntimeChannel, startRuntimeApiServer, type InvocationResponse, type RuntimeApiServer } from '../../lib/runtime-api/index.js';
import { httpRequest, openRaw, sendRaw, type RawOutcome } from './raw-http.js';
import { createStressApp, eventually, processesWithMarker, StressFunctions, type StressApp } from './stress-app.js';

/** Longest wait for an answer or a close: past it, the server hangs. */
const ANSWER_TIMEOUT_MS = 30_000;
const RUNTIME = '/2018-06-01/runtime';
const EXTENSION = '/2020-01-01/extension';
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const SIX_MB = 6 * 1024 * 1024;

interface BadRequest {
  readonly name: string;
  readonly data: Buffer | string;
  /** Half-close after sending: the server sees the end of the stream. */
  readonly halfClose?: boolean;
  /**
   * True when the request is well-formed HTTP (if wrong for the API), so the server must
   * answer it; otherwise closing the connection is an answer too.
   */
  readonly mustAnswer: boolean;
}

const json = { 'Content-Type': 'application/json' };

/** Every bad request, for an environment whose runtime has finished its init. */
function badRequests(): BadRequest[] {
  const answer = (name: string, data: Buffer): BadRequest => ({ name, data, mustAnswer: true });
  const framing = (name: string, data: Buffer | string, halfClose = false): BadRequest => ({ name, data, halfClose, mustAnswer: false });
  const response = `${RUNTIME}/invocation/${UNKNOWN_ID}/response`;
  const error = `${RUNTIME}/invocation/${UNKNOWN_ID}/error`;
  const big = Buffer.alloc(SIX_MB + 1024, 'x');
  return [
    // Runtime API: wrong methods and paths.
    ...['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'].map((method) => answer(`${method} /invocation/next`, httpRequest(method, `${RUNTIME}/invocation/next`))),
    answer('GET /invocation/{id}/response', httpRequest('GET', response)),
    answer('PUT /invocation/{id}/error', httpRequest('PUT', error, json, '{}')),
    answer('GET /init/error', httpRequest('GET', `${RUNTIME}/init/error`)),
    answer('GET an unknown path', httpRequest('GET', `${RUNTIME}/nothing-here`)),
    answer('GET /', httpRequest('GET', '/')),
    answer('GET a path of an older API version', httpRequest('GET', '/2017-01-01/runtime/invocation/next')),
    // Runtime API: unknown and malformed request ids.
    answer('POST /response for an unknown id', httpRequest('POST', response, json, '{"ok":true}')),
    answer('POST /error for an unknown id', httpRequest('POST', error, json, '{"errorType":"E","errorMessage":"m"}')),
    answer('POST /response with an empty id', httpRequest('POST', `${RUNTIME}/invocation//response`, json, '{}')),
    answer('POST /response with an 8 KB id', httpRequest('POST', `${RUNTIME}/invocation/${'a'.repeat(8192)}/response`, json, '{}')),
    answer('POST /response with a broken percent-encoding in the id', httpRequest('POST', `${RUNTIME}/invocation/%E0%A4%A/response`, json, '{}')),
    answer('POST /response with an id of dots', httpRequest('POST', `${RUNTIME}/invocation/../response`, json, '{}')),
    // Runtime API: bodies and headers.
    answer('POST /response with malformed JSON', httpRequest('POST', response, json, '{"ok":')),
    answer('POST /error with a malformed error cause', httpRequest('POST', error, { 'Content-Type': 'application/vnd.aws.lambda.error.cause+json' }, '{"errorType":')),
    answer('POST /response with an unknown response mode', httpRequest('POST', response, { ...json, 'Lambda-Runtime-Function-Response-Mode': 'telepathic' }, '{}')),
    answer(
      'POST /response streaming, chunked',
      httpRequest('POST', response, { 'Lambda-Runtime-Function-Response-Mode': 'streaming', 'Transfer-Encoding': 'chunked' }, '2\r\n{}\r\n0\r\n\r\n'),
    ),
    answer('POST /error with a 12 KB error type header', httpRequest('POST', error, { ...json, 'Lambda-Runtime-Function-Error-Type': 'E'.repeat(12 * 1024) }, '{}')),
    ...['', ';;;', 'application/json; charset', 'a/b/c', 'text/plain; charset=nonsense', '\u00ff/\u00ff'].map((type) =>
      answer(`POST /response with Content-Type ${JSON.stringify(type)}`, httpRequest('POST', response, { 'Content-Type': type }, '{}')),
    ),
    answer('POST /init/error after init, malformed JSON', httpRequest('POST', `${RUNTIME}/init/error`, { ...json, 'Lambda-Runtime-Function-Error-Type': 'Init.E' }, '{"errorType":')),
    answer('POST /init/error after init, no body', httpRequest('POST', `${RUNTIME}/init/error`)),
    answer('POST /init/error with a body over 6 MB', httpRequest('POST', `${RUNTIME}/init/error`, json, big)),
    answer('POST /response for an unknown id with a body over 6 MB', httpRequest('POST', response, json, big)),
    answer('POST /response with Expect: 100-continue', httpRequest('POST', response, { ...json, Expect: '100-continue' }, '{}')),
    answer('GET /invocation/next with a 20 KB header', httpRequest('GET', `${RUNTIME}/invocation/next`, { 'X-Big': 'b'.repeat(20 * 1024) })),
    // (Not on /next: a GET /next is a long poll whatever else it carries.)
    answer('POST /response with 3000 headers', httpRequest('POST', response, Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`X-H${i}`, 'v'])), '{}')),
    // Extensions API.
    answer('POST /extension/register without a name', httpRequest('POST', `${EXTENSION}/register`, json, '{"events":["INVOKE"]}')),
    answer('POST /extension/register with malformed JSON', httpRequest('POST', `${EXTENSION}/register`, { ...json, 'Lambda-Extension-Name': 'bad' }, '{"events":')),
    answer('POST /extension/register with unknown events', httpRequest('POST', `${EXTENSION}/register`, { ...json, 'Lambda-Extension-Name': 'bad' }, '{"events":["EVERYTHING"]}')),
    answer('POST /extension/register after init', httpRequest('POST', `${EXTENSION}/register`, { ...json, 'Lambda-Extension-Name': 'late' }, '{"events":["INVOKE"]}')),
    answer('POST /extension/register with a body over 1 MB', httpRequest('POST', `${EXTENSION}/register`, { ...json, 'Lambda-Extension-Name': 'big' }, Buffer.alloc(2 * 1024 * 1024, ' '))),
    answer('GET /extension/register', httpRequest('GET', `${EXTENSION}/register`)),
    answer('GET /extension/event/next without an identifier', httpRequest('GET', `${EXTENSION}/event/next`)),
    answer('GET /extension/event/next with an unknown identifier', httpRequest('GET', `${EXTENSION}/event/next`, { 'Lambda-Extension-Identifier': UNKNOWN_ID })),
    answer('GET /extension/event/next with a malformed identifier', httpRequest('GET', `${EXTENSION}/event/next`, { 'Lambda-Extension-Identifier': '../../etc' })),
    answer('HEAD /extension/event/next', httpRequest('HEAD', `${EXTENSION}/event/next`, { 'Lambda-Extension-Identifier': UNKNOWN_ID })),
    answer('POST /extension/init/error without an identifier', httpRequest('POST', `${EXTENSION}/init/error`, json, '{}')),
    answer('POST /extension/exit/error with an unknown identifier', httpRequest('POST', `${EXTENSION}/exit/error`, { ...json, 'Lambda-Extension-Identifier': UNKNOWN_ID }, '{}')),
    // Telemetry and Logs APIs.
    ...['/2022-07-01/telemetry', '/2020-08-15/logs'].flatMap((path) => [
      answer(`PUT ${path} without an identifier`, httpRequest('PUT', path, json, '{}')),
      answer(`PUT ${path} with an unknown identifier and malformed JSON`, httpRequest('PUT', path, { ...json, 'Lambda-Extension-Identifier': UNKNOWN_ID }, '{"types":')),
      answer(`POST ${path}`, httpRequest('POST', path, json, '{}')),
      answer(`DELETE ${path}`, httpRequest('DELETE', path)),
    ]),
    // Framing the HTTP parser itself must refuse.
    framing('a request line of garbage', 'GARBAGE\r\n\r\n'),
    framing('binary noise', Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37) % 256))),
    framing('an HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
    framing('Content-Length: -1', `POST ${response} HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n{}`),
    framing('Content-Length: abc', `POST ${response} HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}`),
    framing('Content-Length and Transfer-Encoding both', `POST ${response} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`),
    framing('a chunk size that is not hex', `POST ${response} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`),
    framing('a header without a colon', `GET ${RUNTIME}/invocation/next HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n`),
    framing('a body cut short', `POST ${response} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"cut":`, true),
    framing('headers cut short', `POST ${response} HTTP/1.1\r\nHost: x\r\nContent-Le`, true),
    framing('a chunked body cut short', `POST ${response} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{"cut`, true),
  ];
}

/** Why `outcome` is not an acceptable answer to `request`; undefined when it is. */
function unacceptable(request: BadRequest, outcome: RawOutcome): string | undefined {
  if (outcome.kind === 'closed') return request.mustAnswer ? 'the connection was closed without an answer' : undefined;
  if (outcome.status >= 500) return `${outcome.status}: ${outcome.body.slice(0, 200)}`;
  if (outcome.status < 400) return `${outcome.status} (accepted): ${outcome.body.slice(0, 200)}`;
  return undefined;
}

/** Unhandled errors of this process while `run` runs. */
async function collectUnhandled(run: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const record = (error: unknown): void => void seen.push(error);
  process.on('uncaughtException', record);
  process.on('unhandledRejection', record);
  try {
    await run();
  } finally {
    process.off('uncaughtException', record);
    process.off('unhandledRejection', record);
  }
  return seen;
}

describe('bad input to a live environment’s APIs', () => {
  let app: StressApp;
  let local: LocalLambda;
  let address: string;

  const echo = async (id: number): Promise<void> => {
    const result = await local.invoke(StressFunctions.echo, { event: { id } });
    assert.equal(result.error, undefined, `the function answers (${result.error?.errorMessage})`);
    assert.equal((result.payload as { id: number }).id, id);
  };

  before(async () => {
    app = await createStressApp();
    // The requests come from this process: the API must be on this machine's loopback, not in
    // a sandbox's own network namespace (which nothing outside it reaches).
    local = await app.open({ sandbox: false });
    const result = await local.invoke(StressFunctions.echo, { event: { id: 0 } });
    address = (result.payload as { runtimeApi: string }).runtimeApi;
    assert.match(address, /^127\.0\.0\.1:\d+$/);
  });

  after(async () => {
    await local?.close();
    if (app !== undefined) {
      await eventually(async () => assert.deepEqual(await processesWithMarker(app.marker), []), 30_000);
      await app.remove();
    }
  });

  it('answers every bad request with a 4xx, or closes a connection it cannot parse; never a 5xx, never a hang', async () => {
    const problems: string[] = [];
    const unhandled = await collectUnhandled(async () => {
      for (const request of badRequests()) {
        try {
          const outcome = await sendRaw(address, request.data, { halfClose: request.halfClose ?? false, timeoutMs: ANSWER_TIMEOUT_MS });
          const problem = unacceptable(request, outcome);
          if (problem !== undefined) problems.push(`${request.name}: ${problem}`);
        } catch (error) {
          problems.push(`${request.name}: ${(error as Error).message}`);
        }
      }
    });
    assert.deepEqual(unhandled, [], 'no unhandled exception');
    assert.deepEqual(problems, []);
    await echo(1);
    assert.equal(local.environmentCount(StressFunctions.echo).peak, 1, 'the same environment serves on');
  });

  it('does not let a HEAD /next take an invocation away from the runtime', async () => {
    // HEAD is not a method of the Runtime API. A server that ran GET's handler for it would
    // make it a second /next: it would be handed an event, in a response without a body,
    // and the runtime would never see that event.
    const head = await openRaw(address, 30_000);
    head.socket.write(httpRequest('HEAD', `${RUNTIME}/invocation/next`));
    // Anything on another connection: by the time it is answered, the HEAD was read too.
    await sendRaw(address, httpRequest('GET', '/'), { timeoutMs: ANSWER_TIMEOUT_MS });
    for (let i = 0; i < 3; i++) await echo(30 + i);
    const outcome = await head.outcome;
    assert.ok(outcome.kind === 'response' && outcome.status >= 400 && outcome.status < 500, `HEAD /next: ${JSON.stringify(outcome)}`);
  });

  it('keeps serving while slow clients dribble headers and bodies', async () => {
    const slow = await Promise.all([
      openRaw(address, 60_000),
      openRaw(address, 60_000),
      openRaw(address, 60_000),
    ]);
    // Headers that never end; a body that never ends (a route that reads it first); a long poll never read.
    slow[0]!.socket.write(`GET ${RUNTIME}/invocation/next HTTP/1.1\r\nHost: x\r\nX-Slow: `);
    slow[1]!.socket.write(`POST ${EXTENSION}/register HTTP/1.1\r\nHost: x\r\nLambda-Extension-Name: slow\r\nContent-Length: 1000\r\n\r\n{"ev`);
    slow[2]!.socket.write(`PUT /2022-07-01/telemetry HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{`);
    for (let i = 0; i < 5; i++) await echo(10 + i);
    for (const { socket } of slow) socket.destroy();
    await Promise.all(slow.map(({ outcome }) => outcome));
    await echo(20);
  });

  it('closes while slow clients hold connections open', async () => {
    const slow = await openRaw(address, 60_000);
    slow.socket.write(`POST ${RUNTIME}/invocation/${UNKNOWN_ID}/response HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{`);
    const closing = local.close();
    const outcome = await slow.outcome;
    assert.notEqual(outcome.kind === 'response' && outcome.status >= 500, true, 'no 5xx on close');
    await closing;
    await eventually(async () => assert.deepEqual(await processesWithMarker(app.marker), []), 30_000);
  });
});

describe('bad input from the runtime itself, with a request id that is current', () => {
  let channel: RuntimeChannel;
  let server: RuntimeApiServer;
  let sequence = 0;
  /** The runtime's first /next, which ends init; its answer is the first invocation. */
  let firstNext: Promise<string> | undefined;

  before(async () => {
    channel = new RuntimeChannel();
    server = await startRuntimeApiServer({ channel });
    const init = channel.expectInit();
    firstNext = nextInvocation();
    // Handled here too: when no test takes it, closing the server ends it.
    firstNext.catch(() => undefined);
    assert.equal((await init).kind, 'ready');
  });

  after(async () => {
    await server?.close();
  });

  /** GET /next as the runtime; resolves with the request id it was given. */
  async function nextInvocation(): Promise<string> {
    const outcome = await sendRaw(server.address, httpRequest('GET', `${RUNTIME}/invocation/next`), { timeoutMs: 60_000 });
    assert.equal(outcome.kind, 'response');
    return /lambda-runtime-aws-request-id:\s*(\S+)/i.exec(outcome.head)?.[1] ?? '';
  }

  /** Hands out a new invocation to a runtime waiting in /next; returns its id and what it will produce. */
  async function invocation(): Promise<{ requestId: string; response: Promise<InvocationResponse> }> {
    const requestId = `r${++sequence}`;
    const delivered = firstNext ?? nextInvocation();
    firstNext = undefined;
    // The runtime's /next ends the invocation before; only then may the next one start.
    await eventually(() => assert.ok(channel.phase === 'idle' && channel.currentRequestId === undefined, channel.phase), ANSWER_TIMEOUT_MS);
    const pending = channel.invoke({ requestId, payload: Buffer.from('{}'), deadlineMs: Date.now() + 60_000, invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f' });
    assert.equal(await delivered, requestId);
    return { requestId, response: pending.response };
  }

  const withTimeout = <T>(promise: Promise<T>, what: string): Promise<T> =>
    Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: no result within ${ANSWER_TIMEOUT_MS} ms`)), ANSWER_TIMEOUT_MS).unref())]);

  it('a /response body cut short is a truncated response, and the runtime goes on', async () => {
    const { requestId, response } = await invocation();
    const outcome = await sendRaw(server.address, `POST ${RUNTIME}/invocation/${requestId}/response HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"cut`, {
      halfClose: true,
      timeoutMs: ANSWER_TIMEOUT_MS,
    });
    assert.ok(outcome.kind === 'closed' || (outcome.status >= 400 && outcome.status < 500), JSON.stringify(outcome));
    assert.equal((await withTimeout(response, 'the caller')).kind, 'truncated');
  });

  it('a /response body over 6 MB is 413 and a too-large response', async () => {
    const { requestId, response } = await invocation();
    const outcome = await sendRaw(server.address, httpRequest('POST', `${RUNTIME}/invocation/${requestId}/response`, json, Buffer.alloc(SIX_MB + 1024, 'x')), {
      timeoutMs: ANSWER_TIMEOUT_MS,
    });
    assert.equal(outcome.kind === 'response' && outcome.status, 413);
    assert.equal((await withTimeout(response, 'the caller')).kind, 'too-large');
  });

  it('a runtime that dies while dribbling its /response leaves a truncated response', async () => {
    const { requestId, response } = await invocation();
    const slow = await openRaw(server.address, ANSWER_TIMEOUT_MS);
    slow.socket.write(`POST ${RUNTIME}/invocation/${requestId}/response HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"a":`);
    slow.socket.write('1');
    slow.socket.destroy();
    await slow.outcome;
    assert.equal((await withTimeout(response, 'the caller')).kind, 'truncated');
  });

  it('a streamed /response cut mid-chunk completes as truncated', async () => {
    const { requestId, response } = await invocation();
    const outcome = await sendRaw(
      server.address,
      `POST ${RUNTIME}/invocation/${requestId}/response HTTP/1.1\r\nHost: x\r\nLambda-Runtime-Function-Response-Mode: streaming\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n10\r\ncut`,
      { halfClose: true, timeoutMs: ANSWER_TIMEOUT_MS },
    );
    assert.ok(outcome.kind === 'closed' || (outcome.status >= 400 && outcome.status < 500), JSON.stringify(outcome));
    const streamed = await withTimeout(response, 'the caller');
    assert.equal(streamed.kind, 'streaming');
    if (streamed.kind === 'streaming') {
      streamed.body.resume();
      assert.equal((await withTimeout(streamed.completion, 'the stream')).truncated, true);
    }
  });

  it('a malformed error cause on /error is answered 202 and passed on as an error', async () => {
    const { requestId, response } = await invocation();
    const outcome = await sendRaw(
      server.address,
      httpRequest('POST', `${RUNTIME}/invocation/${requestId}/error`, { 'Content-Type': 'application/vnd.aws.lambda.error.cause+json' }, '{"errorType":'),
      { timeoutMs: ANSWER_TIMEOUT_MS },
    );
    assert.equal(outcome.kind === 'response' && outcome.status, 202);
    assert.equal((await withTimeout(response, 'the caller')).kind, 'error');
  });

  it('a second /response or /error for the same invocation is refused with a 4xx and changes nothing', async () => {
    const { requestId, response } = await invocation();
    const first = await sendRaw(server.address, httpRequest('POST', `${RUNTIME}/invocation/${requestId}/response`, json, '{"first":true}'), { timeoutMs: ANSWER_TIMEOUT_MS });
    assert.equal(first.kind === 'response' && first.status, 202);
    for (const path of ['response', 'error']) {
      const again = await sendRaw(server.address, httpRequest('POST', `${RUNTIME}/invocation/${requestId}/${path}`, json, '{"second":true}'), { timeoutMs: ANSWER_TIMEOUT_MS });
      assert.ok(again.kind === 'response' && again.status >= 400 && again.status < 500, `${path}: ${JSON.stringify(again)}`);
    }
    const answered = await withTimeout(response, 'the caller');
    assert.equal(answered.kind === 'buffered' && answered.body.toString(), '{"first":true}');
  });
});
