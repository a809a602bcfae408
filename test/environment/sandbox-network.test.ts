import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ExecutionEnvironment, type LogRecord } from '../../lib/environment/index.js';
import { chooseSandbox, detectBubblewrap, detectNetworkTools } from '../../lib/environment/sandbox/index.js';
import { FunctionHost } from '../../lib/host/function-host.js';
import { processesWithMarker } from '../helpers/marked-app.js';
import { makeSpec } from './spec-fixture.js';

const TELEMETRY_RECORDER = fileURLToPath(new URL('../../examples/layers/telemetry-recorder/', import.meta.url));

const choice = await chooseSandbox('auto');
const skip =
  choice.kind !== 'sandbox'
    ? `no sandbox here (${choice.reason})`
    : choice.network.available
      ? false
      : `no network namespace here (${choice.network.reason}); ${choice.network.remedy} to run these tests`;

// A handler that reports what it sees of the network, and tries what it is asked to.
const HANDLER = `
const fs = require('node:fs');
const http = require('node:http');

function listening() {
  const ports = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try { text = fs.readFileSync(table, 'utf8'); } catch { continue; }
    for (const line of text.split('\\n').slice(1)) {
      const fields = line.trim().split(/\\s+/);
      if (fields[3] === '0A') ports.push(parseInt(fields[1].split(':')[1], 16));
    }
  }
  return [...new Set(ports)].sort((a, b) => a - b);
}

function get(host, port, path, timeoutMs = 3000) {
  return new Promise((resolve) => {
    const request = http.get({ host, port, path, timeout: timeoutMs }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (error) => resolve({ error: error.code || error.message }));
  });
}

exports.handler = async (event) => {
  if (event.action === 'wait') {
    console.log('victim has its event');
    await new Promise((resolve) => setTimeout(resolve, event.ms));
    return { genuine: true };
  }
  if (event.action === 'hijack') {
    // What the reproduction did: find the loopback listeners and ask each for its /next.
    const found = {};
    const ports = listening().filter((port) => port !== 9001);
    for (const port of ports) found['127.0.0.1:' + port] = await get('127.0.0.1', port, '/2018-06-01/runtime/invocation/next');
    for (const port of event.hostPorts) {
      found['127.0.0.1:' + port] = await get('127.0.0.1', port, '/2018-06-01/runtime/invocation/next');
      found['host.cdk-local.internal:' + port] = await get('host.cdk-local.internal', port, '/2018-06-01/runtime/invocation/next');
    }
    return { runtimeApi: process.env.AWS_LAMBDA_RUNTIME_API, listening: listening(), found };
  }
  if (event.action === 'outbound') {
    const byName = await get('host.cdk-local.internal', event.port, '/by-name', 10000);
    const byAddress = await get('10.0.2.2', event.port, '/by-address', 10000);
    const mapped = new URL(process.env.LOCAL_SERVICE);
    const byVariable = await get(mapped.hostname, Number(mapped.port), '/by-variable', 10000);
    return { byName, byAddress, byVariable, variable: process.env.LOCAL_SERVICE, untouched: process.env.EXTENSION_URL, endpoint: process.env.AWS_ENDPOINT_URL_S3 };
  }
  return { ok: true };
};
`;

// An extension that takes its telemetry over TCP, newline-delimited, on a fixed port.
const TCP_EXTENSION = `#!/usr/bin/env node
const http = require('node:http');
const net = require('node:net');
const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const call = (method, path, headers, body) => new Promise((resolve, reject) => {
  const request = http.request({ host, port, method, path, headers }, (response) => {
    const chunks = [];
    response.on('data', (chunk) => chunks.push(chunk));
    response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks).toString() }));
  });
  request.on('error', reject);
  request.end(body);
});
(async () => {
  const registered = await call('POST', '/2020-01-01/extension/register', { 'Lambda-Extension-Name': 'tcp-recorder' }, JSON.stringify({ events: ['INVOKE'] }));
  const id = registered.headers['lambda-extension-identifier'];
  const listener = net.createServer((socket) => {
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\\n');
      buffered = lines.pop();
      for (const line of lines) {
        const event = JSON.parse(line);
        if (event.type === 'platform.start') console.log('[tcp-recorder] platform.start ' + event.record.requestId);
      }
    });
  });
  await new Promise((resolve) => listener.listen(4244, '127.0.0.1', resolve));
  await call('PUT', '/2022-07-01/telemetry', { 'Lambda-Extension-Identifier': id }, JSON.stringify({
    schemaVersion: '2022-12-13', types: ['platform'], buffering: { timeoutMs: 25 }, destination: { protocol: 'TCP', port: 4244 },
  }));
  for (;;) await call('GET', '/2020-01-01/extension/event/next', { 'Lambda-Extension-Identifier': id });
})();
`;

/** The loopback ports this test process itself listens on (its own servers only: probing others' would disturb them). */
async function ownListeningPorts(): Promise<number[]> {
  const inodes = new Set<string>();
  for (const fd of await readdir('/proc/self/fd')) {
    const match = /^socket:\[(\d+)\]$/.exec(await readlink(`/proc/self/fd/${fd}`).catch(() => ''));
    if (match !== null) inodes.add(match[1]!);
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of (await readFile(table, 'utf8')).split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === '0A' && inodes.has(fields[9] ?? '')) ports.push(parseInt(fields[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}

describe('the sandbox’s own network', { skip }, () => {
  let codeDirectory: string;
  const environments: ExecutionEnvironment[] = [];

  before(async () => {
    codeDirectory = await mkdtemp(join(tmpdir(), 'cdk-local-sandbox-network-'));
    await writeFile(join(codeDirectory, 'index.js'), HANDLER);
  });
  after(async () => {
    await Promise.allSettled(environments.map((environment) => environment.shutdown()));
    await rm(codeDirectory, { recursive: true, force: true });
  });

  async function start(name: string, extra: { functionVariables?: Record<string, string>; hostVariables?: string[]; notices?: string[] } = {}) {
    const records: LogRecord[] = [];
    const environment = await ExecutionEnvironment.start({
      spec: makeSpec({ codeDirectory, runtime: 'nodejs20.x', handler: 'index.handler', constructPath: `TestStack/${name}`, functionName: name }),
      codeDirectory,
      functionVariables: extra.functionVariables ?? {},
      ...(extra.hostVariables === undefined ? {} : { hostVariables: extra.hostVariables }),
      onLog: (record) => records.push(record),
      onNotice: (message) => extra.notices?.push(message),
      sandbox: true,
    });
    environments.push(environment);
    return { environment, records };
  }

  it('gives the runtime Lambda’s 127.0.0.1:9001, and no way to another environment’s event', async () => {
    const victim = await start('Victim');
    const attacker = await start('Attacker');
    assert.equal(victim.environment.runtimeApiAddress, '127.0.0.1:9001');
    assert.ok(victim.environment.ownNetwork);

    const secret = `secret-${randomUUID()}`;
    const victimHandle = victim.environment.invoke({ payload: Buffer.from(JSON.stringify({ action: 'wait', ms: 3000, secret })) });
    // The victim's runtime holds its event while the attacker looks for it.
    const deadline = Date.now() + 60_000;
    while (!victim.records.some((record) => record.text.includes('victim has its event')) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const hostPorts = await ownListeningPorts();
    const attack = attacker.environment.invoke({ payload: Buffer.from(JSON.stringify({ action: 'hijack', hostPorts })) });
    const attackResponse = await attack.response;
    assert.equal(attackResponse.kind, 'payload', attackResponse.kind === 'payload' ? '' : JSON.stringify(attackResponse));
    const seen = JSON.parse(attackResponse.body.toString()) as { runtimeApi: string; listening: number[]; found: Record<string, { body?: string }> };
    assert.equal(seen.runtimeApi, '127.0.0.1:9001');
    assert.deepEqual(seen.listening, [9001], 'only its own Runtime API listens on its loopback');
    for (const [address, answer] of Object.entries(seen.found)) {
      assert.ok(!(answer.body ?? '').includes(secret), `${address} gave away the victim's event`);
    }

    const victimResponse = await victimHandle.response;
    assert.equal(victimResponse.kind, 'payload');
    assert.deepEqual(JSON.parse(victimResponse.body.toString()), { genuine: true }, 'the victim’s caller gets the victim’s answer');
  });

  it('reaches a server on this machine through host.cdk-local.internal and 10.0.2.2, and maps --env-vars and AWS_ENDPOINT_URL_* that point at localhost', async () => {
    const server: Server = createServer((request, response) => response.end(`served ${request.url ?? ''}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const notices: string[] = [];
    try {
      const { environment } = await start('Outbound', {
        functionVariables: { LOCAL_SERVICE: `http://localhost:${port}`, EXTENSION_URL: 'http://localhost:2773', AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}` },
        hostVariables: ['LOCAL_SERVICE'],
        notices,
      });
      const handle = environment.invoke({ payload: Buffer.from(JSON.stringify({ action: 'outbound', port })) });
      const response = await handle.response;
      assert.equal(response.kind, 'payload');
      const seen = JSON.parse(response.body.toString()) as Record<string, { body?: string; error?: string } | string>;
      assert.deepEqual(seen['byName'], { status: 200, body: 'served /by-name' });
      assert.deepEqual(seen['byAddress'], { status: 200, body: 'served /by-address' });
      assert.deepEqual(seen['byVariable'], { status: 200, body: 'served /by-variable' });
      assert.equal(seen['variable'], `http://host.cdk-local.internal:${port}`);
      assert.equal(seen['untouched'], 'http://localhost:2773', 'a variable of the template is left as it is');
      assert.equal(seen['endpoint'], `http://host.cdk-local.internal:${port}`, 'an AWS endpoint on localhost is this machine wherever it was set');
      assert.ok(
        notices.some((notice) => notice === 'TestStack/Outbound: LOCAL_SERVICE, AWS_ENDPOINT_URL_S3 point at this machine, which the sandbox reaches as host.cdk-local.internal: localhost and 127.0.0.1 in them are replaced by that name.'),
        JSON.stringify(notices),
      );
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('runs two invocations at once of a function whose extension binds a fixed port, and delivers telemetry to each', async () => {
    const cacheDirectory = await mkdtemp(join(tmpdir(), 'cdk-local-sandbox-network-host-'));
    const marker = randomUUID();
    const notices: string[] = [];
    const records: LogRecord[] = [];
    const host = new FunctionHost({
      spec: makeSpec({
        codeDirectory,
        runtime: 'nodejs20.x',
        handler: 'index.handler',
        layers: [{ arn: 'arn:aws:lambda:us-east-1:123456789012:layer:telemetry-recorder:1', code: { kind: 'directory', path: TELEMETRY_RECORDER } }],
      }),
      cacheDirectory,
      functionVariables: { SANDBOX_NETWORK_MARKER: marker },
      onNotice: (message) => notices.push(message),
      onLog: (record) => records.push(record),
      sandbox: true,
    });
    try {
      const handles = await Promise.all([host.invoke({ payload: Buffer.from('{"n":1}') }), host.invoke({ payload: Buffer.from('{"n":2}') })]);
      const reports = await Promise.all(handles.map((handle) => handle.report));
      for (const [index, report] of reports.entries()) {
        const lines = records.map((record) => record.text).join('\n');
        assert.equal(report.status, 'success', lines);
        const requestId = handles[index]!.requestId;
        // The extension, on port 4243 in both environments, received each invocation's telemetry.
        assert.ok(
          records.some((record) => record.type === 'extension' && record.text.startsWith('[telemetry-recorder] platform.runtimeDone') && record.text.includes(requestId)),
          lines,
        );
      }
      assert.equal(host.peakEnvironments, 2, 'two environments at once');
      assert.deepEqual(notices.filter((notice) => /one invocation at a time/.test(notice)), []);
    } finally {
      await host.close();
      assert.deepEqual(await processesWithMarker('SANDBOX_NETWORK_MARKER', marker), [], 'nothing outlives close()');
      await rm(cacheDirectory, { recursive: true, force: true });
    }
  });

  it('delivers telemetry over TCP to an extension listening in the namespace', async () => {
    const layersDirectory = await mkdtemp(join(tmpdir(), 'cdk-local-sandbox-network-tcp-'));
    try {
      await mkdir(join(layersDirectory, 'extensions'));
      await writeFile(join(layersDirectory, 'extensions', 'tcp-recorder'), TCP_EXTENSION, { mode: 0o755 });
      const records: LogRecord[] = [];
      const environment = await ExecutionEnvironment.start({
        spec: makeSpec({ codeDirectory, runtime: 'nodejs20.x', handler: 'index.handler', constructPath: 'TestStack/Tcp' }),
        codeDirectory,
        layersDirectory,
        functionVariables: {},
        onLog: (record) => records.push(record),
        // The extension prints what it received after the invocation, when a frozen one could not.
        freeze: false,
        sandbox: true,
      });
      environments.push(environment);
      const handle = environment.invoke({ payload: Buffer.from('{}') });
      const report = await handle.report;
      const lines = (): string => records.map((record) => record.text).join('\n');
      assert.equal(report.status, 'success', lines());
      const deadline = Date.now() + 60_000;
      while (!records.some((record) => record.text.includes(`[tcp-recorder] platform.start ${handle.requestId}`)) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.ok(records.some((record) => record.text.includes(`[tcp-recorder] platform.start ${handle.requestId}`)), lines());
    } finally {
      await rm(layersDirectory, { recursive: true, force: true });
    }
  });

  it('leaves no process of the namespace behind at shutdown', async () => {
    const { environment } = await start('Shutdown');
    const handle = environment.invoke({ payload: Buffer.from('{}') });
    assert.equal((await handle.response).kind, 'payload');
    const helpers = environment.networkPids;
    assert.equal(helpers.length, 2, 'the holder and slirp4netns');
    await environment.shutdown();
    for (const pid of helpers) {
      assert.throws(() => process.kill(pid, 0), `${pid} is gone`);
    }
  });
});

const bubblewrap = await detectBubblewrap();

describe('a sandbox without a network of its own', { skip: bubblewrap.available ? false : 'bubblewrap cannot make a sandbox here' }, () => {
  it('is found out when slirp4netns is missing, with what to install', async () => {
    const searchPath = await mkdtemp(join(tmpdir(), 'cdk-local-no-slirp-'));
    try {
      await symlink('/usr/bin/nsenter', join(searchPath, 'nsenter'));
      const detection = await detectNetworkTools(bubblewrap.available ? bubblewrap.bubblewrap.path : 'bwrap', searchPath);
      assert.equal(detection.available, false);
      assert.ok(!detection.available);
      assert.equal(detection.reason, 'slirp4netns is not installed');
      assert.match(detection.remedy, /^install slirp4netns \(apt-get install slirp4netns/);
    } finally {
      await rm(searchPath, { recursive: true, force: true });
    }
  });

  it('keeps this machine’s network where asked (CDK_LOCAL_SANDBOX_NETWORK=host) and says so; --sandbox then fails', async () => {
    process.env['CDK_LOCAL_SANDBOX_NETWORK'] = 'host';
    const codeDirectory = await mkdtemp(join(tmpdir(), 'cdk-local-shared-network-'));
    let environment: ExecutionEnvironment | undefined;
    try {
      await assert.rejects(chooseSandbox(true), /^CdkLocalError: --sandbox needs a network of its own for each environment, which cannot be made here \(CDK_LOCAL_SANDBOX_NETWORK=host\): unset CDK_LOCAL_SANDBOX_NETWORK, or run without --sandbox\.$/);
      await writeFile(join(codeDirectory, 'index.js'), 'exports.handler = async () => ({ api: process.env.AWS_LAMBDA_RUNTIME_API });');
      const notices: string[] = [];
      environment = await ExecutionEnvironment.start({
        spec: makeSpec({ codeDirectory, runtime: 'nodejs20.x', handler: 'index.handler' }),
        codeDirectory,
        functionVariables: {},
        onNotice: (message) => notices.push(message),
        sandbox: 'auto',
      });
      assert.equal(environment.ownNetwork, false);
      const response = await environment.invoke({ payload: Buffer.from('{}') }).response;
      assert.equal(response.kind, 'payload');
      assert.match(JSON.parse(response.body.toString()).api as string, /^127\.0\.0\.1:\d+$/);
      assert.notEqual(JSON.parse(response.body.toString()).api, '127.0.0.1:9001');
      assert.ok(
        notices.includes(
          "sandboxes share this machine's network (CDK_LOCAL_SANDBOX_NETWORK=host): other environments' APIs are reachable from them, and a function with external extensions runs one invocation at a time; unset CDK_LOCAL_SANDBOX_NETWORK for a network of their own.",
        ),
        JSON.stringify(notices),
      );
    } finally {
      delete process.env['CDK_LOCAL_SANDBOX_NETWORK'];
      await environment?.shutdown();
      await rm(codeDirectory, { recursive: true, force: true });
    }
  });
});
