import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetFunctionCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { ExecutionEnvironment } from '../../lib/environment/index.js';
import { chooseSandbox } from '../../lib/environment/sandbox/index.js';
import type { LocalLambda } from '../../lib/host/index.js';
import { startLambdaServer, type LambdaServer } from '../../lib/servers/index.js';
import { makeSpec } from '../environment/spec-fixture.js';
import { createServerApp, lambdaClient, processesWithMarker, type ServerApp } from './server-app.js';

const choice = await chooseSandbox('auto');
const skip = choice.kind === 'sandbox' && choice.network.available ? false : 'no network namespace for sandboxes here';

// Reads another function's configuration from start-lambda, as the reproduction did.
const HANDLER = `
const http = require('node:http');
exports.handler = (event) => new Promise((resolve) => {
  http.get({ host: 'host.cdk-local.internal', port: event.port, path: '/2015-03-31/functions/' + event.name + event.suffix, timeout: 10000 }, (response) => {
    const chunks = [];
    response.on('data', (chunk) => chunks.push(chunk));
    response.on('end', () => resolve({ status: response.statusCode, body: JSON.parse(Buffer.concat(chunks).toString()) }));
  }).on('error', (error) => resolve({ error: error.message }));
});
`;

describe('start-lambda seen from a sandbox', { skip }, () => {
  let app: ServerApp;
  let local: LocalLambda;
  let server: LambdaServer;
  let client: LambdaClient;
  let codeDirectory: string;
  let environment: ExecutionEnvironment;

  before(async () => {
    app = await createServerApp();
    local = await app.open({});
    server = await startLambdaServer({ local });
    client = lambdaClient(server.url);
    codeDirectory = await mkdtemp(join(tmpdir(), 'cdk-local-sandbox-get-function-'));
    await writeFile(join(codeDirectory, 'index.js'), HANDLER);
    environment = await ExecutionEnvironment.start({
      spec: makeSpec({ codeDirectory, runtime: 'nodejs20.x', handler: 'index.handler' }),
      codeDirectory,
      functionVariables: {},
      sandbox: true,
    });
  });

  after(async () => {
    client?.destroy();
    await Promise.all([environment?.shutdown(), server?.close(), local?.close()]);
    await rm(codeDirectory, { recursive: true, force: true });
    if (app !== undefined) {
      assert.deepEqual(await processesWithMarker(app.marker), [], 'no runtime process outlives close()');
      await app.remove();
    }
  });

  async function fromSandbox(name: string, suffix = ''): Promise<{ status: number; body: Record<string, unknown> }> {
    const port = Number(new URL(server.url).port);
    const handle = environment.invoke({ payload: Buffer.from(JSON.stringify({ port, name, suffix })) });
    const response = await handle.response;
    // The environment takes the next invocation once this one's report is out.
    await handle.report;
    assert.equal(response.kind, 'payload');
    const answer = JSON.parse(response.body.toString()) as { status: number; body: Record<string, unknown>; error?: string };
    assert.equal(answer.error, undefined);
    return answer;
  }

  it('V.132 GetFunction, GetFunctionConfiguration and ListFunctions from a sandbox leave Environment out; on this machine they carry it', async () => {
    const onHost = await client.send(new GetFunctionCommand({ FunctionName: 'named-echo' }));
    assert.deepEqual(onHost.Configuration?.Environment?.Variables?.['GREETING'], 'named');

    const getFunction = await fromSandbox('named-echo');
    assert.equal(getFunction.status, 200);
    const configuration = getFunction.body['Configuration'] as Record<string, unknown>;
    assert.equal(configuration['FunctionName'], 'named-echo', 'the rest of the configuration is there');
    assert.equal(configuration['Environment'], undefined);

    const getConfiguration = await fromSandbox('named-echo', '/configuration');
    assert.equal(getConfiguration.status, 200);
    assert.equal(getConfiguration.body['FunctionName'], 'named-echo');
    assert.equal(getConfiguration.body['Environment'], undefined);

    const list = await fromSandbox('');
    assert.equal(list.status, 200);
    const functions = list.body['Functions'] as Record<string, unknown>[];
    assert.ok(functions.length > 0);
    assert.ok(functions.every((entry) => entry['Environment'] === undefined), JSON.stringify(functions.map((entry) => entry['Environment'])));
  });
});
