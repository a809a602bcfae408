import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { describe, it, type TestContext } from 'node:test';
import { LOGS_DROPPED_REASON, TelemetryHub, parseSubscriptionRequest, type SubscriptionApi, type SubscriptionRequest, type TelemetryHubOptions } from '../../lib/runtime-api/index.js';
import { startHttpListener, startTcpListener, unusedPort, type HttpListener, type ReceivedEvent, type TcpListener } from '../helpers/telemetry-listeners.js';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A valid subscription request, as the routes would hand it to the hub. */
function request(api: SubscriptionApi, body: Record<string, unknown>): SubscriptionRequest {
  const parsed = parseSubscriptionRequest(api, { schemaVersion: api === 'telemetry' ? '2022-12-13' : '2021-03-18', types: ['platform', 'function', 'extension'], ...body });
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.problems.join('; '));
  return parsed.request;
}

function http(port: number, buffering: Record<string, number> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { destination: { protocol: 'HTTP', URI: `http://sandbox.localdomain:${port}/telemetry` }, buffering: { timeoutMs: 25, ...buffering }, ...extra };
}

/** A hub closed when the test ends, pass or fail. */
function newHub(t: TestContext, options: TelemetryHubOptions = {}): TelemetryHub {
  const hub = new TelemetryHub(options);
  t.after(() => hub.close());
  return hub;
}

/** An HTTP listener closed when the test ends. */
async function httpListener(t: TestContext, ...args: Parameters<typeof startHttpListener>): Promise<HttpListener> {
  const listener = await startHttpListener(...args);
  t.after(() => listener.close());
  return listener;
}

/** A TCP listener closed when the test ends. */
async function tcpListener(t: TestContext): Promise<TcpListener> {
  const listener = await startTcpListener();
  t.after(() => listener.close());
  return listener;
}

let clock = Date.parse('2024-05-01T10:00:00.000Z');
function event(type: string, record: unknown): { time: string; type: string; record: unknown } {
  clock += 1;
  return { time: new Date(clock).toISOString(), type, record };
}

function types(events: readonly ReceivedEvent[]): string[] {
  return events.map((received) => received.type);
}

describe('Telemetry API delivery', { timeout: 300_000 }, () => {
  it('J.57 J.55 J.58 J.59 events before the subscription are delivered, then platform.telemetrySubscription, as a JSON array POSTed to the URI', async (t) => {
    const listener = await httpListener(t);
    const hub = newHub(t);
    hub.publish(event('platform.initStart', { initializationType: 'on-demand', phase: 'init', functionName: 'fn', functionVersion: '$LATEST' }));
    hub.publish(event('extension', 'extension starting'));
    assert.equal(hub.subscribe('collector', request('telemetry', http(listener.port))), 'subscribed');
    hub.publish(event('function', 'hello from init'));
    await listener.waitFor(() => listener.events().length >= 4, 'four events');
    assert.deepEqual(types(listener.events()), ['platform.initStart', 'extension', 'platform.telemetrySubscription', 'function']);
    assert.deepEqual(listener.events()[2]?.record, { name: 'collector', state: 'Subscribed', types: ['platform', 'function', 'extension'] });
    for (const received of listener.events()) assert.match(received.time, ISO_MS);
    const first = listener.requests[0];
    assert.equal(first?.method, 'POST');
    assert.equal(first?.url, '/telemetry');
    assert.equal(first?.host, `sandbox.localdomain:${listener.port}`);
    assert.equal(first?.contentType, 'application/json');
  });

  it('J.57 J.56 after endInit() nothing is kept for replay and no one can subscribe; beginInit() starts over', async (t) => {
    const listener = await httpListener(t);
    const hub = newHub(t);
    hub.publish(event('platform.initStart', { phase: 'init' }));
    hub.endInit();
    assert.equal(hub.subscriptionOpen, false);
    assert.equal(hub.subscribe('late', request('telemetry', http(listener.port))), 'closed');
    hub.beginInit();
    assert.equal(hub.subscriptionOpen, true);
    hub.publish(event('platform.initStart', { phase: 'invoke' }));
    assert.equal(hub.subscribe('again', request('telemetry', http(listener.port))), 'subscribed');
    await listener.waitFor(() => listener.events().length >= 2, 'the second init');
    assert.deepEqual(
      listener.events().map((received) => [received.type, (received.record as { phase?: string }).phase]),
      [
        ['platform.initStart', 'invoke'],
        ['platform.telemetrySubscription', undefined],
      ],
    );
  });

  it('J.58 each subscription gets only the types it asked for', async (t) => {
    const listeners = await Promise.all([httpListener(t), httpListener(t), httpListener(t)]);
    const hub = newHub(t);
    hub.subscribe('platform-only', request('telemetry', http(listeners[0].port, {}, { types: ['platform'] })));
    hub.subscribe('function-only', request('telemetry', http(listeners[1].port, {}, { types: ['function'] })));
    hub.subscribe('logs-only', request('telemetry', http(listeners[2].port, {}, { types: ['function', 'extension'] })));
    hub.endInit();
    hub.publish(event('platform.start', { requestId: 'r1', version: '$LATEST' }));
    hub.publish(event('function', 'a function line'));
    hub.publish(event('function', { timestamp: '2024-05-01T10:00:00.000Z', level: 'INFO', requestId: 'r1', message: 'json line' }));
    hub.publish(event('extension', 'an extension line'));
    hub.publish(event('platform.report', { requestId: 'r1', status: 'success', metrics: { durationMs: 1 } }));
    await hub.flush();
    assert.deepEqual(types(listeners[0].events()), [
      'platform.telemetrySubscription',
      'platform.telemetrySubscription',
      'platform.telemetrySubscription',
      'platform.start',
      'platform.report',
    ]);
    assert.deepEqual(types(listeners[1].events()), ['function', 'function']);
    assert.deepEqual(listeners[1].events()[1]?.record, { timestamp: '2024-05-01T10:00:00.000Z', level: 'INFO', requestId: 'r1', message: 'json line' });
    assert.deepEqual(types(listeners[2].events()), ['function', 'function', 'extension']);
  });

  it('J.58 a batch goes as soon as it holds maxItems events', async (t) => {
    const listener = await httpListener(t);
    const hub = newHub(t);
    hub.subscribe('ext', request('telemetry', http(listener.port, { maxItems: 1000, timeoutMs: 30_000 }, { types: ['function'] })));
    for (let index = 0; index < 1003; index += 1) hub.publish(event('function', `line ${index}`));
    await listener.waitFor(() => listener.batches.length >= 1, 'the first batch');
    assert.equal(listener.batches[0]?.length, 1000);
    assert.equal(listener.batches[0]?.[999]?.record, 'line 999');
    await hub.flush();
    assert.deepEqual(
      listener.batches.map((batch) => batch.length),
      [1000, 3],
    );
  });

  it('J.58 a batch goes as soon as its events reach maxBytes', async (t) => {
    const listener = await httpListener(t);
    const hub = newHub(t);
    hub.subscribe('ext', request('telemetry', http(listener.port, { maxBytes: 262_144, timeoutMs: 30_000 }, { types: ['function'] })));
    const line = 'x'.repeat(100_000);
    for (let index = 0; index < 5; index += 1) hub.publish(event('function', `${index}${line}`));
    await listener.waitFor(() => listener.batches.length >= 1, 'the first batch');
    assert.equal(listener.batches[0]?.length, 3, 'three 100 kB events pass 262144 bytes');
    await hub.flush();
    assert.deepEqual(
      listener.batches.map((batch) => batch.length),
      [3, 2],
    );
  });

  it('J.58 a batch goes timeoutMs after its first event', async (t) => {
    const listener = await httpListener(t);
    const hub = newHub(t);
    hub.subscribe('ext', request('telemetry', http(listener.port, { timeoutMs: 25 }, { types: ['function'] })));
    hub.publish(event('function', 'one'));
    hub.publish(event('function', 'two'));
    await listener.waitFor(() => listener.batches.length >= 1, 'a batch after the timeout');
    assert.deepEqual(
      listener.batches[0]?.map((received) => received.record),
      ['one', 'two'],
    );
  });

  it('J.58 TCP: newline-delimited JSON to the port on sandbox.localdomain', async (t) => {
    const listener = await tcpListener(t);
    const hub = newHub(t);
    hub.subscribe('ext', request('telemetry', { destination: { protocol: 'TCP', port: listener.port }, buffering: { timeoutMs: 25 } }));
    hub.publish(event('function', 'over tcp'));
    hub.publish(event('extension', { nested: { value: 1 } }));
    await listener.waitFor(() => listener.events.length >= 3, 'three lines');
    assert.deepEqual(types(listener.events), ['platform.telemetrySubscription', 'function', 'extension']);
    const lines = listener.text().split('\n');
    assert.equal(lines.length, 4, 'three lines, each ended by a newline');
    assert.equal(lines[3], '');
    hub.publish(event('function', 'later'));
    await hub.flush();
    await listener.waitFor(() => listener.events.length >= 4, 'the fourth line on the same connection');
  });

  it('J.58 a listener that answers with errors gets the same batch again, with backoff', async (t) => {
    const listener = await httpListener(t, (index) => (index < 2 ? 500 : 200));
    const hub = newHub(t, { retry: { initialDelayMs: 5, maxDelayMs: 20 } });
    hub.subscribe('ext', request('telemetry', http(listener.port, {}, { types: ['function'] })));
    hub.publish(event('function', 'must arrive'));
    await listener.waitFor(() => listener.batches.length >= 1, 'the batch, retried');
    assert.equal(listener.requests.length, 3);
    assert.deepEqual(listener.requests[0]?.events, listener.requests[2]?.events);
    assert.equal(listener.batches[0]?.[0]?.record, 'must arrive');
  });

  it('J.58 a listener not up yet (connection refused) gets the batch once it listens', async (t) => {
    const port = await unusedPort();
    const hub = newHub(t, { retry: { initialDelayMs: 10, maxDelayMs: 50, maxAttempts: 1000 } });
    hub.subscribe('ext', request('telemetry', http(port, {}, { types: ['function'] })));
    hub.publish(event('function', 'waited for'));
    const received: string[] = [];
    const server = createServer((incoming, response) => {
      let body = '';
      incoming.on('data', (chunk: Buffer) => (body += chunk.toString()));
      incoming.on('end', () => {
        received.push(body);
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    t.after(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    await hub.flush({ timeoutMs: 30_000 });
    assert.equal(received.length, 1);
    assert.equal((JSON.parse(received[0] ?? '[]') as ReceivedEvent[])[0]?.record, 'waited for');
  });

  it('J.58 a listener that falls behind loses records and then gets platform.logsDropped', async (t) => {
    const listener = await httpListener(t, (index) => (index === 0 ? 'hold' : 200));
    const hub = newHub(t);
    hub.subscribe('slow', request('telemetry', http(listener.port, { maxItems: 1000 }, { types: ['platform', 'function'] })));
    await listener.waitFor(() => listener.requests.length === 1, 'the first batch, held');
    for (let index = 0; index < 1050; index += 1) hub.publish(event('function', `line ${index}`));
    listener.release();
    await listener.waitFor(() => listener.batches.length >= 2, 'the batch after the held one');
    const second = listener.batches[1] ?? [];
    assert.equal(second.length, 1001, 'a full batch, then the notice');
    assert.equal(second[999]?.record, 'line 999');
    const dropped = second[1000];
    assert.equal(dropped?.type, 'platform.logsDropped');
    const record = dropped?.record as { droppedRecords: number; droppedBytes: number; reason: string };
    assert.equal(record.droppedRecords, 50);
    assert.ok(record.droppedBytes > 50 * 'line 1000'.length);
    assert.equal(record.reason, LOGS_DROPPED_REASON);
    assert.match(dropped?.time ?? '', ISO_MS);
  });

  it('J.58 a batch the listener keeps refusing is dropped after the retries, and the next batch says so', async (t) => {
    const listener = await httpListener(t, (index) => (index < 3 ? 503 : 200));
    const hub = newHub(t, { retry: { initialDelayMs: 1, maxDelayMs: 5, maxAttempts: 3 } });
    hub.subscribe('failing', request('telemetry', http(listener.port, {}, { types: ['platform', 'function'] })));
    hub.publish(event('function', 'lost 1'));
    hub.publish(event('function', 'lost 2'));
    await listener.waitFor(() => listener.requests.length === 3, 'three attempts');
    hub.publish(event('function', 'after'));
    await listener.waitFor(() => listener.batches.length >= 1, 'the next batch');
    assert.deepEqual(types(listener.batches[0] ?? []), ['function', 'platform.logsDropped']);
    assert.equal(listener.batches[0]?.[0]?.record, 'after');
    assert.equal((listener.batches[0]?.[1]?.record as { droppedRecords: number }).droppedRecords, 3);
  });

  it('I.51 flush() delivers what is buffered without waiting for timeoutMs', async (t) => {
    const listener = await httpListener(t);
    const tcp = await tcpListener(t);
    const hub = newHub(t);
    hub.subscribe('http', request('telemetry', http(listener.port, { timeoutMs: 30_000 }, { types: ['extension'] })));
    hub.subscribe('tcp', request('telemetry', { types: ['extension'], destination: { protocol: 'TCP', port: tcp.port }, buffering: { timeoutMs: 30_000 } }));
    hub.publish(event('extension', 'shutting down'));
    assert.equal(listener.batches.length, 0);
    await hub.flush();
    assert.deepEqual(
      listener.batches.map((batch) => batch.map((received) => received.record)),
      [['shutting down']],
    );
    await tcp.waitFor(() => tcp.events.length === 1, 'the TCP line');
    await hub.flush();
  });

  it('I.51 flush() stops waiting for a listener that does not answer at its timeout or signal', async (t) => {
    const listener = await httpListener(t, () => 'hold');
    const hub = newHub(t);
    hub.subscribe('stuck', request('telemetry', http(listener.port, { timeoutMs: 30_000 }, { types: ['function'] })));
    hub.publish(event('function', 'never acknowledged'));
    await hub.flush({ timeoutMs: 50 });
    await listener.waitFor(() => listener.requests.length === 1, 'the batch, held by the listener');
    const stop = new AbortController();
    const flushing = hub.flush({ signal: stop.signal, timeoutMs: 60_000 });
    stop.abort();
    await flushing;
    assert.equal(listener.requests.length, 1);
  });

  it('close() aborts the request in flight, stops retries and timers, drops sockets: the process exits on its own', async () => {
    const script = fileURLToPath(new URL('../fixtures/telemetry/close-and-exit.ts', import.meta.url));
    const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) => {
      // The child closes everything and then waits for nothing: if the hub left a timer or a
      // socket behind it would not exit, and the timeout kills it.
      execFile(process.execPath, ['--import', 'tsx', script], { timeout: 120_000 }, (error, out, err) => {
        if (error !== null) reject(new Error(`${error.message}\n${err}`));
        else resolve({ stdout: out });
      });
    });
    assert.equal(stdout.trim(), 'closed; timers left: 0');
  });
});

describe('Logs API delivery', { timeout: 300_000 }, () => {
  it('L.68 Logs API subscribers get the Logs API shape: string records, platform.end, runtimeDone only from 2021-03-18', async (t) => {
    const current = await httpListener(t);
    const original = await httpListener(t);
    const hub = newHub(t);
    hub.publish(event('platform.initStart', { initializationType: 'on-demand', phase: 'init' }));
    hub.subscribe('logs-2021', request('logs', http(current.port, {}, { schemaVersion: '2021-03-18' })));
    hub.subscribe('logs-2020', request('logs', http(original.port, {}, { schemaVersion: '2020-08-15', types: ['platform'] })));
    hub.publish(event('platform.initReport', { phase: 'init', status: 'success', metrics: { durationMs: 12.5 } }));
    hub.endInit();
    hub.publish(event('platform.start', { requestId: 'r1', version: '$LATEST', tracing: { type: 'X-Amzn-Trace-Id', value: 'Root=1-a' } }));
    hub.publish(event('function', '2024-05-01T10:00:00.000Z\tr1\tINFO\thello\n'));
    hub.publish(event('function', { level: 'INFO', message: 'json' }));
    hub.publish(event('extension', 'from the extension'));
    hub.publish(event('platform.runtimeDone', { requestId: 'r1', status: 'success', metrics: { durationMs: 3, producedBytes: 2 }, spans: [] }));
    hub.publish(
      event('platform.report', {
        requestId: 'r1',
        status: 'success',
        metrics: { durationMs: 3.5, billedDurationMs: 4, memorySizeMB: 128, maxMemoryUsedMB: 60, initDurationMs: 12.5 },
      }),
    );
    await hub.flush();
    const received = current.events();
    assert.deepEqual(types(received), [
      'platform.logsSubscription',
      'platform.logsSubscription',
      'platform.start',
      'function',
      'function',
      'extension',
      'platform.runtimeDone',
      'platform.end',
      'platform.report',
    ]);
    assert.deepEqual(received[0]?.record, { name: 'logs-2021', state: 'Subscribed', types: ['platform', 'function', 'extension'] });
    assert.deepEqual(received[2]?.record, { requestId: 'r1', version: '$LATEST' });
    assert.equal(received[3]?.record, '2024-05-01T10:00:00.000Z\tr1\tINFO\thello\n');
    assert.equal(received[4]?.record, '{"level":"INFO","message":"json"}');
    assert.deepEqual(received[6]?.record, { requestId: 'r1', status: 'success' });
    assert.deepEqual(received[7]?.record, { requestId: 'r1' });
    assert.deepEqual(received[8]?.record, {
      requestId: 'r1',
      metrics: { durationMs: 3.5, billedDurationMs: 4, memorySizeMB: 128, maxMemoryUsedMB: 60, initDurationMs: 12.5 },
    });
    // logs-2021 subscribed first, during init: its subscription event is replayed to logs-2020.
    assert.deepEqual(types(original.events()), ['platform.logsSubscription', 'platform.logsSubscription', 'platform.start', 'platform.end', 'platform.report']);
  });

  it('L.68 a Logs API listener may take its batches by PUT; Telemetry API subscribers never see Logs API events', async (t) => {
    const logs = await httpListener(t);
    const telemetry = await httpListener(t);
    const hub = newHub(t);
    hub.subscribe('telemetry', request('telemetry', http(telemetry.port, {}, { types: ['platform'] })));
    hub.subscribe('logs', request('logs', { types: ['platform'], destination: { protocol: 'HTTP', URI: `http://sandbox:${logs.port}/`, method: 'PUT' }, buffering: { timeoutMs: 25 } }));
    hub.publish(event('platform.report', { requestId: 'r1', status: 'success', metrics: { durationMs: 1 } }));
    await hub.flush();
    assert.equal(logs.requests[0]?.method, 'PUT');
    assert.equal(logs.requests[0]?.host, `sandbox:${logs.port}`);
    assert.deepEqual(types(logs.events()), ['platform.telemetrySubscription', 'platform.logsSubscription', 'platform.end', 'platform.report'].slice(1));
    assert.deepEqual(types(telemetry.events()), ['platform.telemetrySubscription', 'platform.report']);
  });
});
