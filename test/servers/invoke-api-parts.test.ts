// The pure parts of the Invoke API: naming, log tails, Event retries, event-stream framing.
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { describe, it } from 'node:test';
import type { LogRecord } from '../../lib/environment/index.js';
import { AsyncInvoker, type AsyncAttemptOutcome, type AsyncDropReason } from '../../lib/servers/start-lambda/async-invoker.js';
import { encodeEventStreamMessage } from '../../lib/servers/start-lambda/event-stream.js';
import { findServedFunction } from '../../lib/servers/start-lambda/find-served-function.js';
import { tailLogResult } from '../../lib/servers/start-lambda/log-tail.js';
import { ServiceError } from '../../lib/servers/start-lambda/service-error.js';
import { makeSpec } from '../environment/spec-fixture.js';

const defaults = { region: 'us-east-1', accountId: '123456789012' };
const orders = makeSpec({ codeDirectory: '/code', functionName: 'orders', constructPath: 'Shop/Orders', logicalId: 'Orders1A2B3C4D', stackName: 'Shop', stackDisplayName: 'Shop' });
const users = makeSpec({ codeDirectory: '/code', functionName: 'Shop-Users-XYZ', constructPath: 'Shop/Users', logicalId: 'Users9F8E7D6C', stackName: 'Shop', stackDisplayName: 'Shop' });
const functions = [orders, users];

function notFound(action: () => unknown, message: RegExp): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof ServiceError);
    assert.equal(error.errorType, 'ResourceNotFoundException');
    assert.equal(error.statusCode, 404);
    assert.match(error.message, message);
    assert.deepEqual(Object.keys(error.toJSON()), ['Type', 'Message']);
    return true;
  });
}

describe('findServedFunction', () => {
  it('takes a name, an ARN, a partial ARN, a logical ID, a construct path, each qualified with $LATEST or not', () => {
    for (const name of ['orders', orders.functionArn, '123456789012:function:orders', 'Orders1A2B3C4D', 'Shop/Orders', 'Orders', 'Shop:Orders1A2B3C4D']) {
      const served = findServedFunction(functions, name, undefined, defaults);
      assert.equal(served.spec, orders, name);
      assert.equal(served.invokedFunctionArn, orders.functionArn);
    }
    for (const name of ['orders:$LATEST', `${orders.functionArn}:$LATEST`, '123456789012:function:orders:$LATEST']) {
      const served = findServedFunction(functions, name, undefined, defaults);
      assert.equal(served.spec, orders, name);
      assert.equal(served.invokedFunctionArn, `${orders.functionArn}:$LATEST`);
    }
    assert.equal(findServedFunction(functions, 'orders', '$LATEST', defaults).qualifier, '$LATEST');
  });

  it('finds a function by the name in an ARN of another region or account', () => {
    assert.equal(findServedFunction(functions, 'arn:aws:lambda:eu-west-1:999999999999:function:orders', undefined, defaults).spec, orders);
  });

  it('answers ResourceNotFoundException with the ARN Lambda would name', () => {
    notFound(() => findServedFunction(functions, 'payments', undefined, defaults), /^Function not found: arn:aws:lambda:us-east-1:123456789012:function:payments\. /);
    notFound(() => findServedFunction(functions, 'orders', 'live', defaults), /^Function not found: arn:aws:lambda:us-east-1:123456789012:function:orders:live\. /);
    notFound(() => findServedFunction(functions, 'orders:7', undefined, defaults), /function:orders:7\. /);
    notFound(() => findServedFunction(functions, 'arn:aws:lambda:us-east-1:123456789012:function:payments', undefined, defaults), /function:payments$/);
  });

  it('matches names as given and with their case, as Lambda does', () => {
    for (const name of ['ORDERS', 'Orders1a2b3c4d', 'shop/orders', '/orders', '//Shop/Orders', ' orders', 'Shop/Orders/Resource']) {
      assert.throws(() => findServedFunction(functions, name, undefined, defaults), (error: unknown) => error instanceof ServiceError && error.statusCode >= 400 && error.statusCode < 500, name);
    }
    assert.throws(() => findServedFunction(functions, 'ORDERS', undefined, defaults), { errorType: 'ResourceNotFoundException' });
    assert.throws(() => findServedFunction(functions, '//Shop/Orders', undefined, defaults), { errorType: 'ValidationException' });
  });

  it('takes an empty ?Qualifier= as none and refuses one outside the pattern', () => {
    assert.equal(findServedFunction(functions, 'orders', '', defaults).qualifier, undefined);
    assert.throws(() => findServedFunction(functions, 'orders', 'a/b', defaults), { errorType: 'ValidationException' });
    assert.throws(() => findServedFunction(functions, 'orders', ['$LATEST', 'x'], defaults), { errorType: 'ValidationException' });
  });

  it('refuses a qualifier in the name that differs from ?Qualifier=', () => {
    assert.throws(() => findServedFunction(functions, 'orders:$LATEST', 'live', defaults), { errorType: 'InvalidParameterValueException' });
  });
});

describe('tailLogResult', () => {
  const record = (text: string): LogRecord => ({ time: new Date(), type: 'function', text });

  it('is the whole log, a line each, when it is short', () => {
    assert.equal(Buffer.from(tailLogResult([record('START'), record('hello'), record('END')]), 'base64').toString(), 'START\nhello\nEND\n');
  });

  it('keeps the last 4 KB, cut at a character boundary', () => {
    const records = Array.from({ length: 300 }, (_, index) => record(`${index} ${'é'.repeat(10)}`));
    const tail = Buffer.from(tailLogResult(records), 'base64');
    assert.ok(tail.length <= 4096 && tail.length >= 4093);
    assert.ok(!tail.toString('utf8').includes('\uFFFD'), 'no broken character');
    assert.ok(tail.toString('utf8').endsWith(`299 ${'é'.repeat(10)}\n`));
  });
});

describe('AsyncInvoker', () => {
  it('retries function errors twice and throttles without counting them, then drops the event', async () => {
    const outcomes: AsyncAttemptOutcome[] = ['throttled', 'error', 'throttled', 'error', 'error'];
    const attempts: number[] = [];
    let dropped!: (reason: AsyncDropReason) => void;
    const droppedReason = new Promise<AsyncDropReason>((resolve) => (dropped = resolve));
    const invoker = new AsyncInvoker<string>({
      functionErrorDelaysMs: [0, 0],
      throttleDelayMs: 0,
      attempt: async (job, attempt) => {
        assert.equal(job, 'event');
        attempts.push(attempt);
        return outcomes.shift() ?? 'success';
      },
      onDropped: (_job, reason) => dropped(reason),
    });
    invoker.enqueue('event');
    assert.equal(await droppedReason, 'retries-exhausted');
    assert.deepEqual(attempts, [1, 1, 2, 2, 3]);
    await invoker.close();
    assert.equal(invoker.pending, 0);
  });

  it('stops at the first success, and close() cancels a retry that is waiting', async () => {
    let calls = 0;
    let firstDone!: () => void;
    const first = new Promise<void>((resolve) => (firstDone = resolve));
    const invoker = new AsyncInvoker<number>({
      functionErrorDelaysMs: [3_600_000],
      attempt: async () => {
        calls += 1;
        firstDone();
        return 'error';
      },
    });
    invoker.enqueue(1);
    await first;
    assert.equal(invoker.pending, 1, 'waiting an hour for its retry');
    await invoker.close();
    assert.equal(invoker.pending, 0);
    assert.equal(calls, 1);
    invoker.enqueue(2);
    assert.equal(invoker.pending, 0, 'a closed invoker takes nothing');
  });

  it('drops an event that would be retried past its maximum age', async () => {
    let reason: AsyncDropReason | undefined;
    const invoker = new AsyncInvoker<number>({ functionErrorDelaysMs: [10_000], maxEventAgeMs: 5_000, attempt: async () => 'error', onDropped: (_job, why) => (reason = why) });
    invoker.enqueue(1);
    await invoker.close();
    assert.equal(reason, 'max-event-age');
  });
});

describe('encodeEventStreamMessage', () => {
  it('frames a message as the event-stream encoding says: prelude, CRCs, string headers, payload', () => {
    const payload = Buffer.from('hi');
    const message = encodeEventStreamMessage({ ':event-type': 'PayloadChunk' }, payload);
    const headers = Buffer.concat([Buffer.from([11]), Buffer.from(':event-type'), Buffer.from([7, 0, 12]), Buffer.from('PayloadChunk')]);
    assert.equal(message.readUInt32BE(0), message.length);
    assert.equal(message.length, 12 + headers.length + payload.length + 4);
    assert.equal(message.readUInt32BE(4), headers.length);
    assert.equal(message.readUInt32BE(8), crc32(message.subarray(0, 8)));
    assert.deepEqual(message.subarray(12, 12 + headers.length), headers);
    assert.deepEqual(message.subarray(12 + headers.length, -4), payload);
    assert.equal(message.readUInt32BE(message.length - 4), crc32(message.subarray(0, -4)));
  });
});
