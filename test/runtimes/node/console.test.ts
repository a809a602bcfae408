// console.* in Lambda's text and JSON log formats, filtered by AWS_LAMBDA_LOG_LEVEL.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { bodyText } from './fake-runtime-api.js';
import { startBootstrap } from './start-bootstrap.js';

const ISO_TIME = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`;

/** Runs handlers.logs once and returns the stdout lines written by the end of it. */
async function logLines(t: TestContext, env: Record<string, string>, tenantId?: string): Promise<{ requestId: string; lines: string[] }> {
  const run = await startBootstrap(t, { codeDir: 'console', handler: 'handlers.logs', env });
  const requestId = run.api.enqueue(tenantId === undefined ? {} : { tenantId });
  await run.api.waitForOutcome(requestId);
  await run.waitForLine(/^raw stdout write$/);
  return { requestId, lines: run.stdoutLines };
}

interface JsonRecord {
  timestamp: string;
  level: string;
  requestId?: string;
  tenantId?: string;
  message?: unknown;
  errorType?: string;
  errorMessage?: string;
  stackTrace?: string[];
}

describe('console in the text format', () => {
  test('writes <time>\\t<requestId>\\t<LEVEL>\\t<message>, one line per record', async (t) => {
    const { requestId, lines } = await logLines(t, {});
    const line = (message: string): string | undefined => lines.find((candidate) => candidate.endsWith(`\t${message}`));

    assert.match(line('module loaded') ?? '', new RegExp(`^${ISO_TIME}\tundefined\tINFO\tmodule loaded$`));
    assert.match(line('formatted text and 42') ?? '', new RegExp(`^${ISO_TIME}\t${requestId}\tINFO\tformatted text and 42$`));
    assert.ok(line('line one\rline two'), 'a newline inside a message becomes \\r');
    const levels: [string, string][] = [
      ['INFO', 'info level'],
      ['DEBUG', 'debug level'],
      ['TRACE', 'trace level'],
      ['WARN', 'warn level'],
      ['FATAL', 'fatal level'],
    ];
    for (const [level, message] of levels) {
      assert.match(line(message) ?? '', new RegExp(`^${ISO_TIME}\t${requestId}\t${level}\t${message}$`));
    }
    const error = lines.find((candidate) => candidate.includes('\tfailed: '));
    assert.match(error ?? '', new RegExp(`\t${requestId}\tERROR\tfailed: TypeError: logged error\r    at `));
    assert.ok(line('{ nested: { value: 1 } }'));
    assert.ok(lines.includes('raw stdout write'), 'process.stdout.write passes through untouched');
  });

  test('AWS_LAMBDA_LOG_LEVEL drops the levels below it; fatal is always written', async (t) => {
    const { lines } = await logLines(t, { AWS_LAMBDA_LOG_LEVEL: 'WARN' });
    const levels = lines.map((line) => line.split('\t')[2]).filter((level) => level !== undefined);
    assert.deepEqual(levels, ['WARN', 'ERROR', 'FATAL']);
  });
});

describe('console output', () => {
  test('every line written before the answer is out of the process when the answer is posted', async (t) => {
    const run = await startBootstrap(t, { codeDir: 'console', handler: 'handlers.chatty' });
    const requestId = run.api.enqueue();
    await run.api.waitForOutcome(requestId);
    // What was still buffered inside the process dies with it.
    run.child.kill('SIGKILL');
    await run.waitForClose();
    assert.equal(run.stdoutLines.filter((line) => /\tINFO\tline \d+ x{100}$/.test(line)).length, 10_000);
  });
});

interface Frame {
  type: number;
  timestampUs: bigint;
  record: string;
}

/** Splits telemetry fd bytes into frames: type, length, timestamp (µs), record. */
function readFrames(bytes: Buffer): Frame[] {
  const frames: Frame[] = [];
  for (let offset = 0; offset + 16 <= bytes.length; ) {
    const length = bytes.readInt32BE(offset + 4);
    frames.push({
      type: bytes.readUInt32BE(offset),
      timestampUs: bytes.readBigInt64BE(offset + 8),
      record: bytes.subarray(offset + 16, offset + 16 + length).toString('utf8'),
    });
    offset += 16 + length;
  }
  return frames;
}

describe('console on the telemetry fd', () => {
  test('with _LAMBDA_TELEMETRY_LOG_FD, records are framed on that fd, newlines intact', async (t) => {
    const run = await startBootstrap(t, { codeDir: 'console', handler: 'handlers.telemetry', telemetryFd: true });
    const requestId = run.api.enqueue();
    const outcome = await run.api.waitForOutcome(requestId);
    assert.deepEqual(JSON.parse(bodyText(outcome)), { variableLeft: null }, 'the variable is not passed on to user code');
    run.child.kill('SIGKILL');
    await run.waitForClose();
    const frames = readFrames(run.telemetry()).filter((frame) => frame.record.includes(`\t${requestId}\t`));
    assert.deepEqual(
      frames.map((frame) => [frame.type.toString(16), frame.record.split('\t').slice(2).join('\t')]),
      [
        ['a55a000f', 'INFO\ttwo\nlines\n'],
        ['a55a0017', 'ERROR\tan error\n'],
      ],
    );
    const nowUs = BigInt(Date.now()) * 1000n;
    assert.ok(frames.every((frame) => frame.timestampUs > nowUs - 60_000_000n && frame.timestampUs <= nowUs));
    assert.ok(!run.stdoutLines.some((line) => line.includes('an error')), 'records go to the fd, not to stdout');
  });
});

describe('console in the JSON format', () => {
  test('writes one JSON object per line', async (t) => {
    const { requestId, lines } = await logLines(t, { AWS_LAMBDA_LOG_FORMAT: 'JSON' }, 'tenant-7');
    const records = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as JsonRecord);
    const find = (message: unknown): JsonRecord | undefined =>
      records.find((record) => JSON.stringify(record.message) === JSON.stringify(message));

    const init = find('module loaded');
    assert.deepEqual(Object.keys(init ?? {}), ['timestamp', 'level', 'message'], 'no requestId before the first invocation');
    assert.match(init?.timestamp ?? '', new RegExp(`^${ISO_TIME}$`));
    assert.deepEqual(find('formatted text and 42'), {
      timestamp: find('formatted text and 42')?.timestamp,
      level: 'INFO',
      requestId,
      tenantId: 'tenant-7',
      message: 'formatted text and 42',
    });
    assert.equal(find('line one\nline two')?.level, 'INFO');
    assert.equal(find('trace level')?.level, 'TRACE');
    assert.equal(find('fatal level')?.level, 'FATAL');
    assert.deepEqual(find({ nested: { value: 1 } })?.level, 'INFO', 'a single object stays an object');

    const error = records.find((record) => typeof record.message === 'string' && record.message.startsWith('failed: '));
    assert.equal(error?.level, 'ERROR');
    assert.equal(error?.errorType, 'TypeError');
    assert.equal(error?.errorMessage, 'logged error');
    assert.equal(error?.stackTrace?.[0], 'TypeError: logged error');
    assert.ok(lines.includes('raw stdout write'));
  });

  test('filters by AWS_LAMBDA_LOG_LEVEL', async (t) => {
    const { lines } = await logLines(t, { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'error' });
    const levels = lines.filter((line) => line.startsWith('{')).map((line) => (JSON.parse(line) as JsonRecord).level);
    assert.deepEqual(levels, ['ERROR', 'FATAL']);
  });

  test('an invocation error is logged as the error object', async (t) => {
    const run = await startBootstrap(t, { codeDir: 'invoke', handler: 'handlers.throwsError', env: { AWS_LAMBDA_LOG_FORMAT: 'JSON' } });
    const requestId = run.api.enqueue();
    await run.api.waitForOutcome(requestId);
    const line = await run.waitForLine(/"level":"ERROR"/);
    const record = JSON.parse(line) as JsonRecord;
    assert.equal(record.requestId, requestId);
    assert.deepEqual(Object.keys(record.message as object), ['errorType', 'errorMessage', 'stackTrace']);
    assert.equal((record.message as { errorMessage: string }).errorMessage, 'boom');
  });
});
