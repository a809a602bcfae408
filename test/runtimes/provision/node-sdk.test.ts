import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ExecutionEnvironment, type LogRecord } from '../../../lib/environment/index.js';
import { detectBubblewrap } from '../../../lib/environment/sandbox/index.js';
import { AWS_SDK_VERSION } from '../../../lib/runtimes/index.js';
import { makeSpec } from '../../environment/spec-fixture.js';
import { startFakeDynamoDb, TEST_RUNTIME_CACHE, type FakeDynamoDb } from './fake-services.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const bubblewrap = await detectBubblewrap();
const modes = [{ sandbox: false, skip: false as const }, { sandbox: true, skip: bubblewrap.available ? (false as const) : 'bubblewrap cannot make a sandbox here' }];

// Handlers that bring no SDK of their own: their code lives in a temp dir, outside this
// repository and its node_modules.
const COMMONJS = `
const { DynamoDBClient, GetItemCommand } = require('@aws-sdk/client-dynamodb');
exports.handler = async (event) => {
  const client = new DynamoDBClient({});
  const { Item } = await client.send(new GetItemCommand({ TableName: 'Greetings', Key: { id: { S: event.id } } }));
  return { id: Item.id.S, greeting: Item.greeting.S, resolvedFrom: require.resolve('@aws-sdk/client-dynamodb'), nodePath: process.env.NODE_PATH };
};
`;
const ESM = `
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
export const handler = async (event) => {
  const client = new DynamoDBClient({});
  const { Item } = await client.send(new GetItemCommand({ TableName: 'Greetings', Key: { id: { S: event.id } } }));
  return { id: Item.id.S, greeting: Item.greeting.S };
};
`;
const PROJECT_CLIENT = `
exports.handler = async () => ({ resolvedFrom: require.resolve('@aws-sdk/client-lambda'), version: require('@aws-sdk/client-lambda/package.json').version });
`;

async function codeDirectory(file: string, text: string): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'cdk-local-sdk-code-'));
  await writeFile(join(directory, file), text);
  return directory;
}

interface Run {
  readonly codeDirectory: string;
  readonly handler: string;
  readonly sandbox: boolean;
  readonly endpoint?: string;
  readonly cacheDirectory?: string;
  readonly projectDirectory?: string;
  readonly event?: unknown;
}

/** Starts an environment for the code, invokes it once and returns its answer. */
async function invokeOnce(run: Run): Promise<{ result: Record<string, unknown>; notices: string[] }> {
  const records: LogRecord[] = [];
  const notices: string[] = [];
  await using environment = await ExecutionEnvironment.start({
    spec: makeSpec({ codeDirectory: run.codeDirectory, runtime: 'nodejs20.x', handler: run.handler, timeoutSeconds: 60 }),
    codeDirectory: run.codeDirectory,
    functionVariables: run.endpoint === undefined ? {} : { AWS_ENDPOINT_URL_DYNAMODB: run.endpoint },
    // The fake DynamoDB listens on this machine's loopback, as an --env-vars value would name it.
    hostVariables: ['AWS_ENDPOINT_URL_DYNAMODB'],
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    onLog: (record) => records.push(record),
    onNotice: (message) => notices.push(message),
    sandbox: run.sandbox,
    initTimeoutMs: 60_000,
    provision: { cacheDirectory: run.cacheDirectory ?? TEST_RUNTIME_CACHE, projectDirectory: run.projectDirectory ?? run.codeDirectory },
  });
  const handle = environment.invoke({ payload: Buffer.from(JSON.stringify(run.event ?? {})) });
  const response = await handle.response;
  const logs = records.map((record) => record.text).join('\n');
  assert.ok(response.kind === 'payload', `${response.kind === 'function-error' ? response.body.toString() : response.kind}\n${logs}`);
  return { result: JSON.parse(response.body.toString()) as Record<string, unknown>, notices };
}

describe('the AWS SDK for JavaScript that Node.js runtimes provide', () => {
  let fake: FakeDynamoDb;
  const made: string[] = [];
  before(async () => {
    fake = await startFakeDynamoDb('hello from the fake');
  });
  after(async () => {
    await fake[Symbol.asyncDispose]();
    await Promise.all(made.map((directory) => rm(directory, { recursive: true, force: true })));
  });

  for (const mode of modes) {
    const where = mode.sandbox ? 'in the sandbox' : 'without a sandbox';
    it(`lets a CommonJS handler require a client it does not bundle, from /var/runtime/node_modules ${where}`, { skip: mode.skip }, async () => {
      const code = await codeDirectory('index.cjs', COMMONJS);
      made.push(code);
      const { result } = await invokeOnce({ codeDirectory: code, handler: 'index.handler', sandbox: mode.sandbox, endpoint: fake.endpoint, event: { id: 'cjs' } });
      assert.equal(result.id, 'cjs');
      assert.equal(result.greeting, 'hello from the fake');
      const cached = join(TEST_RUNTIME_CACHE, 'aws-sdk', AWS_SDK_VERSION, 'node_modules');
      if (mode.sandbox) {
        assert.match(String(result.resolvedFrom), /^\/var\/runtime\/node_modules\/@aws-sdk\/client-dynamodb\//);
        assert.equal(result.nodePath, '/opt/nodejs/node20/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task');
      } else {
        assert.ok(String(result.resolvedFrom).startsWith(cached), `${String(result.resolvedFrom)} is not under ${cached}`);
      }
      assert.ok(fake.targets.includes('DynamoDB_20120810.GetItem'));
    });

    it(`lets an ES module handler import a client it does not bundle ${where}`, { skip: mode.skip }, async () => {
      const code = await codeDirectory('index.mjs', ESM);
      made.push(code);
      const { result } = await invokeOnce({ codeDirectory: code, handler: 'index.handler', sandbox: mode.sandbox, endpoint: fake.endpoint, event: { id: 'esm' } });
      assert.deepEqual(result, { id: 'esm', greeting: 'hello from the fake' });
    });

    it(`takes the clients installed in the project first, without filling the cache ${where}`, { skip: mode.skip }, async () => {
      const code = await codeDirectory('index.cjs', PROJECT_CLIENT);
      const emptyCache = await mkdtemp(join(tmpdir(), 'cdk-local-sdk-cache-'));
      made.push(code, emptyCache);
      const { result, notices } = await invokeOnce({ codeDirectory: code, handler: 'index.handler', sandbox: mode.sandbox, cacheDirectory: emptyCache, projectDirectory: REPO_ROOT });
      const expected = mode.sandbox ? '/var/runtime/node_modules/@aws-sdk/client-lambda/' : join(REPO_ROOT, 'node_modules', '@aws-sdk', 'client-lambda');
      assert.ok(String(result.resolvedFrom).startsWith(expected), `${String(result.resolvedFrom)} is not under ${expected}`);
      assert.deepEqual(await readdir(emptyCache), []);
      assert.ok(!notices.some((notice) => notice.startsWith('Installing')), notices.join('\n'));
    });
  }
});
