import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExecutionEnvironment, type LogRecord } from '../../../lib/environment/index.js';
import { detectBubblewrap } from '../../../lib/environment/sandbox/index.js';
import { resolveRuntimeCommand } from '../../../lib/environment/runtime-command.js';
import { describeRuntime } from '../../../lib/runtimes/index.js';
import { makeSpec } from '../../environment/spec-fixture.js';
import { startFakeDynamoDb, TEST_RUNTIME_CACHE, type FakeDynamoDb } from './fake-services.js';

const bubblewrap = await detectBubblewrap();
const modes = [{ sandbox: false, skip: false as const }, { sandbox: true, skip: bubblewrap.available ? (false as const) : 'bubblewrap cannot make a sandbox here' }];

// Older boto3 releases (Debian's) do not read AWS_ENDPOINT_URL_<SERVICE>: the handler passes it on.
const HANDLER = `
import os, sys
import boto3

def handler(event, context):
    client = boto3.client('dynamodb', endpoint_url=os.environ['AWS_ENDPOINT_URL_DYNAMODB'])
    item = client.get_item(TableName='Greetings', Key={'id': {'S': event['id']}})['Item']
    return {'id': item['id']['S'], 'greeting': item['greeting']['S'], 'boto3': boto3.__file__, 'python': '%d.%d' % sys.version_info[:2]}
`;

// The runtime whose interpreter here has no boto3 of its own, so that the test proves it is provided.
const RUNTIME = 'python3.12';
const command = await resolveRuntimeCommand(describeRuntime(RUNTIME)!, 'probe', tmpdir(), undefined);
const interpreter = command?.file;
const skipAll =
  interpreter === undefined || !interpreter.includes('3.12')
    ? `no python3.12 here (found ${interpreter ?? 'none'})`
    : (() => {
        try {
          execFileSync(interpreter, ['-I', '-c', 'import boto3'], { stdio: 'ignore' });
          return `${interpreter} has boto3 of its own`;
        } catch {
          return false;
        }
      })();

describe('boto3 as Python runtimes provide it', { skip: skipAll }, () => {
  let fake: FakeDynamoDb;
  let code: string;
  before(async () => {
    fake = await startFakeDynamoDb('hello from the fake');
    code = await mkdtemp(join(tmpdir(), 'cdk-local-boto3-code-'));
    await writeFile(join(code, 'index.py'), HANDLER);
  });
  after(async () => {
    await fake[Symbol.asyncDispose]();
    await rm(code, { recursive: true, force: true });
  });

  for (const mode of modes) {
    const where = mode.sandbox ? 'in the sandbox' : 'without a sandbox';
    it(`lets a ${RUNTIME} function import boto3 its interpreter does not have ${where}`, { skip: mode.skip, timeout: 900_000 }, async () => {
      const records: LogRecord[] = [];
      await using environment = await ExecutionEnvironment.start({
        spec: makeSpec({ codeDirectory: code, runtime: RUNTIME, handler: 'index.handler', timeoutSeconds: 60 }),
        codeDirectory: code,
        functionVariables: { AWS_ENDPOINT_URL_DYNAMODB: fake.endpoint },
        // The fake DynamoDB listens on this machine's loopback, as an --env-vars value would name it.
        hostVariables: ['AWS_ENDPOINT_URL_DYNAMODB'],
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
        onLog: (record) => records.push(record),
        sandbox: mode.sandbox,
        initTimeoutMs: 600_000,
        provision: { cacheDirectory: TEST_RUNTIME_CACHE, projectDirectory: code },
      });
      const response = await environment.invoke({ payload: Buffer.from(JSON.stringify({ id: 'py' })) }).response;
      assert.ok(response.kind === 'payload', `${response.kind === 'function-error' ? response.body.toString() : response.kind}\n${records.map((record) => record.text).join('\n')}`);
      const result = JSON.parse(response.body.toString()) as Record<string, string>;
      assert.equal(result.id, 'py');
      assert.equal(result.greeting, 'hello from the fake');
      assert.equal(result.python, '3.12');
      if (mode.sandbox) assert.match(result.boto3!, /^\/var\/runtime\/site-packages\/boto3\//);
      else assert.ok(result.boto3!.startsWith(join(TEST_RUNTIME_CACHE, 'python', 'sites')), result.boto3);
    });
  }
});
