import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readAssembly, type Assembly, type FunctionSpec } from '../../lib/assembly/index.js';
import { isCdkLocalError } from '../../lib/errors.js';
import {
  buildAppWithoutPathMetadata,
  buildDemoApp,
  buildLegacySynthesizerApp,
  buildMultiRegionApp,
  buildWeakReferenceApp,
  writeDemoSources,
} from '../fixtures/assembly/apps.js';

const GENERATED = '[A-Z0-9]{13}';

describe('readAssembly', () => {
  let root: string;
  let outdir: string;
  let assembly: Assembly;
  const fn = (path: string): FunctionSpec => {
    const found = assembly.functions.find((spec) => spec.constructPath === path);
    assert.ok(found, `no function ${path}`);
    return found;
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'cdk-local-read-assembly-'));
    outdir = join(root, 'cdk.out');
    buildDemoApp(outdir, await writeDemoSources(join(root, 'src'))).synth();
    assembly = await readAssembly(outdir);
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('finds the functions of every stack, nested stack and stage, in order', () => {
    assert.deepEqual(
      assembly.functions.map((spec) => spec.constructPath),
      [
        'DemoStack/Api/Orders/Handler',
        'DemoStack/Reports/Reporter',
        'DemoStack/Worker',
        'DemoStack/Configured',
        'DemoStack/InlineNode',
        'DemoStack/InlinePython',
        'DemoStack/PythonAsset',
        'DemoStack/CustomRuntime',
        'DemoStack/Container',
        'DemoStack/JavaHandler',
        'DemoStack/FromS3',
        'Prod/ApiStack/Worker',
      ],
    );
    assert.deepEqual(assembly.warnings, []);
    assert.equal(assembly.directory, outdir);
  });

  it('reads a function with a deep construct path and the service defaults', () => {
    const handler = fn('DemoStack/Api/Orders/Handler');
    assert.equal(handler.stackName, 'DemoStack');
    assert.equal(handler.stackDisplayName, 'DemoStack');
    assert.match(handler.logicalId, /^ApiOrdersHandler[0-9A-F]{8}$/);
    assert.match(handler.functionName, new RegExp(`^DemoStack-${handler.logicalId}-${GENERATED}$`));
    assert.equal(handler.functionArn, `arn:aws:lambda:us-east-1:123456789012:function:${handler.functionName}`);
    assert.equal(handler.region, 'us-east-1');
    assert.equal(handler.accountId, '123456789012');
    assert.equal(handler.version, '$LATEST');
    assert.equal(handler.runtime, 'nodejs22.x');
    assert.equal(handler.handler, 'index.handler');
    assert.equal(handler.architecture, 'x86_64');
    assert.equal(handler.memorySizeMb, 128);
    assert.equal(handler.timeoutSeconds, 3);
    assert.equal(handler.ephemeralStorageMb, 512);
    assert.deepEqual(handler.logging, { logFormat: 'Text', logGroup: `/aws/lambda/${handler.functionName}` });
    assert.equal(handler.tracingMode, 'PassThrough');
    assert.equal(handler.reservedConcurrency, undefined);
    assert.equal(handler.code.kind, 'directory');
    assert.ok(handler.code.kind === 'directory' && existsSync(join(handler.code.path, 'index.js')));
    assert.deepEqual(handler.functionUrl, { authType: 'NONE', invokeMode: 'RESPONSE_STREAM' });
  });

  it('resolves intrinsics in environment variables to what the deployed stack would see', () => {
    const handler = fn('DemoStack/Api/Orders/Handler');
    const env = handler.environment;
    const worker = fn('DemoStack/Worker');
    const tableName = new RegExp(`^DemoStack-OrdersA9B65338-${GENERATED}$`);
    assert.equal(env['PLAIN'], 'literal');
    assert.match(env['TABLE_NAME'] ?? '', tableName);
    assert.equal(env['TABLE_ARN'], `arn:aws:dynamodb:us-east-1:123456789012:table/${env['TABLE_NAME']}`);
    assert.equal(env['NAMED_TABLE'], 'demo-named-table');
    assert.equal(env['NAMED_TABLE_ARN'], 'arn:aws:dynamodb:us-east-1:123456789012:table/demo-named-table');
    assert.match(env['QUEUE_URL'] ?? '', new RegExp(`^https://sqs\\.us-east-1\\.amazonaws\\.com/123456789012/DemoStack-Queue4A7E3555-${GENERATED}$`));
    assert.equal(env['QUEUE_ARN'], `arn:aws:sqs:us-east-1:123456789012:${env['QUEUE_URL']?.split('/').at(-1)}`);
    assert.match(env['TOPIC_ARN'] ?? '', new RegExp(`^arn:aws:sns:us-east-1:123456789012:DemoStack-TopicBFC7AF6E-${GENERATED}$`));
    assert.match(env['BUCKET_NAME'] ?? '', /^demostack-uploads4f6eb0fd-[a-z0-9]{13}$/);
    assert.equal(env['BUCKET_ARN'], `arn:aws:s3:::${env['BUCKET_NAME']}`);
    assert.equal(env['WORKER_NAME'], worker.functionName);
    assert.equal(env['WORKER_ARN'], worker.functionArn);
    assert.equal(env['JOINED'], 'demo-named-table:us-east-1:end');
    assert.equal(env['SUBSTITUTED'], 'us-east-1/demo-named-table/${Literal}');
    assert.equal(env['SUB_ATTRIBUTE'], 'arn:aws:dynamodb:us-east-1:123456789012:table/demo-named-table');
    assert.equal(env['SELECTED'], 'b');
    assert.equal(env['STAGE'], 'dev');
    assert.equal(env['MODE'], 'development');
    assert.equal(env['BATCH'], '10');
    assert.equal(env['ENCODED'], Buffer.from('hello').toString('base64'));
    assert.equal(env['ZONE'], 'us-east-1a');
    assert.equal(env['PARTITION'], 'aws');
    assert.equal(env['ACCOUNT'], '123456789012');
    assert.equal(env['URL_SUFFIX'], 'amazonaws.com');
    for (const value of Object.values(env)) assert.doesNotMatch(value, /^[A-Za-z]+[0-9A-F]{8}$/, 'a bare logical ID');
  });

  it('lists every generated or deploy-time value as unresolved, with its placeholder and why', () => {
    const handler = fn('DemoStack/Api/Orders/Handler');
    const unresolved = new Map(handler.unresolvedEnvironment.map((variable) => [variable.name, variable]));
    assert.deepEqual(
      [...unresolved.keys()].sort(),
      ['BUCKET_ARN', 'BUCKET_NAME', 'QUEUE_ARN', 'QUEUE_URL', 'TABLE_ARN', 'TABLE_NAME', 'TOPIC_ARN'],
    );
    for (const variable of unresolved.values()) assert.equal(variable.placeholder, handler.environment[variable.name]);
    assert.equal(unresolved.get('TABLE_NAME')?.reason, 'Ref DemoStack/Orders: name generated at deploy');
    assert.equal(unresolved.get('TABLE_ARN')?.reason, 'Fn::GetAtt DemoStack/Orders.Arn: name generated at deploy');
  });

  it('generates the same names on every read', async () => {
    const again = await readAssembly(outdir);
    assert.deepEqual(again.functions, assembly.functions);
  });

  it('reads configured properties: name, memory, timeout, architecture, storage, logging, tracing, concurrency', () => {
    const configured = fn('DemoStack/Configured');
    assert.equal(configured.functionName, 'demo-configured');
    assert.equal(configured.functionArn, 'arn:aws:lambda:us-east-1:123456789012:function:demo-configured');
    assert.equal(configured.runtime, 'nodejs20.x');
    assert.equal(configured.memorySizeMb, 512);
    assert.equal(configured.timeoutSeconds, 30);
    assert.equal(configured.architecture, 'arm64');
    assert.equal(configured.ephemeralStorageMb, 1024);
    assert.deepEqual(configured.logging, {
      logFormat: 'JSON',
      applicationLogLevel: 'DEBUG',
      systemLogLevel: 'WARN',
      logGroup: '/aws/lambda/demo-configured',
    });
    assert.equal(configured.tracingMode, 'Active');
    assert.equal(configured.reservedConcurrency, 7);
    assert.equal(configured.functionUrl, undefined);
  });

  it('locates inline, Python, zip, image and S3 code', () => {
    assert.deepEqual(fn('DemoStack/InlineNode').code, {
      kind: 'inline',
      source: 'exports.handler = async () => "inline";',
      fileName: 'index.js',
    });
    assert.deepEqual(fn('DemoStack/InlinePython').code, {
      kind: 'inline',
      source: 'def handler(event, context):\n    return "inline"\n',
      fileName: 'index.py',
    });
    const python = fn('DemoStack/PythonAsset');
    assert.equal(python.runtime, 'python3.12');
    assert.equal(python.handler, 'app.handler');
    assert.ok(python.code.kind === 'directory' && existsSync(join(python.code.path, 'app.py')));
    const custom = fn('DemoStack/CustomRuntime');
    assert.equal(custom.runtime, 'provided.al2023');
    assert.equal(custom.code.kind, 'zip');
    assert.ok(custom.code.kind === 'zip' && custom.code.path.startsWith(outdir) && custom.code.path.endsWith('.zip'));
    const container = fn('DemoStack/Container');
    assert.equal(container.runtime, undefined);
    assert.equal(container.code.kind, 'image');
    assert.match(container.code.kind === 'image' ? (container.code.imageUri ?? '') : '', /^123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/.+:latest$/);
    assert.deepEqual(fn('DemoStack/FromS3').code, { kind: 's3', bucket: 'someone-elses-bucket', key: 'code/handler.zip' });
  });

  it('reads layers of the same stack, of another stack, and from outside the app, in order', () => {
    const [layer] = fn('DemoStack/Api/Orders/Handler').layers;
    assert.match(layer?.arn ?? '', new RegExp(`^arn:aws:lambda:us-east-1:123456789012:layer:DemoStack-SharedLayer27DFABF0-${GENERATED}:1$`));
    assert.equal(layer?.logicalId, 'SharedLayer27DFABF0');
    assert.ok(layer?.code?.kind === 'directory' && existsSync(join(layer.code.path, 'nodejs', 'node_modules', 'shared', 'index.js')));

    const stageLayers = fn('Prod/ApiStack/Worker').layers;
    assert.deepEqual(
      stageLayers.map((spec) => spec.logicalId),
      ['Utilities60D2D692', 'LocalLayerB892A36E'],
    );
    assert.match(stageLayers[0]?.arn ?? '', /:layer:Prod-SharedStack-Utilities60D2D692-[A-Z0-9]{13}:1$/);
    assert.ok(stageLayers.every((spec) => spec.code?.kind === 'directory' && existsSync(spec.code.path)));

    assert.deepEqual(fn('DemoStack/FromS3').layers, [{ arn: 'arn:aws:lambda:us-east-1:999999999999:layer:insights:1' }]);
  });

  it('reads functions of nested stacks with their own paths and the parent’s values', () => {
    const reporter = fn('DemoStack/Reports/Reporter');
    assert.equal(reporter.stackName, 'DemoStack');
    assert.equal(reporter.stackDisplayName, 'DemoStack');
    assert.ok(reporter.functionName.length <= 64);
    assert.match(reporter.functionName, /^DemoStack-Reports.*-Reporter08098DAC-[A-Z0-9]{13}$/);
    assert.equal(reporter.environment['TABLE_NAME'], fn('DemoStack/Api/Orders/Handler').environment['TABLE_NAME']);
    assert.match(reporter.environment['STACK'] ?? '', /^DemoStack-ReportsNestedStack.*-[A-Z0-9]{13}$/);
  });

  it('resolves values the parent takes from a nested stack’s outputs', () => {
    const worker = fn('DemoStack/Worker');
    assert.deepEqual(worker.environment, { REPORT_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/reports' });
    assert.deepEqual(worker.unresolvedEnvironment, []);
  });

  it('leaves out functions whose condition is false', () => {
    assert.ok(!assembly.functions.some((spec) => spec.constructPath === 'DemoStack/OnlyInProd'));
  });

  it('reads stacks of stages and resolves cross-stack references and SSM parameters of the app', () => {
    const worker = fn('Prod/ApiStack/Worker');
    assert.equal(worker.stackName, 'Prod-ApiStack');
    assert.equal(worker.stackDisplayName, 'Prod/ApiStack');
    assert.match(worker.functionName, new RegExp(`^Prod-ApiStack-Worker11F36D0F-${GENERATED}$`));
    assert.match(worker.environment['ACCOUNTS_TABLE'] ?? '', new RegExp(`^Prod-SharedStack-AccountsBE8A900E-${GENERATED}$`));
    assert.equal(worker.environment['ACCOUNTS_ARN'], `arn:aws:dynamodb:us-east-1:123456789012:table/${worker.environment['ACCOUNTS_TABLE']}`);
    assert.equal(worker.environment['ENDPOINT'], 'https://api.example.com');
    assert.equal(worker.environment['UNKNOWN_PARAMETER'], 'placeholder-ssm-not-in-the-app');
    assert.deepEqual(
      worker.unresolvedEnvironment.find((variable) => variable.name === 'UNKNOWN_PARAMETER'),
      { name: 'UNKNOWN_PARAMETER', placeholder: 'placeholder-ssm-not-in-the-app', reason: 'SSM parameter /not/in/the/app: read at deploy' },
    );
    assert.ok(!worker.unresolvedEnvironment.some((variable) => variable.name === 'ENDPOINT'));
  });

  it('puts environment-agnostic stacks in the default region and account it is given', async () => {
    const moved = await readAssembly(outdir, { defaultRegion: 'eu-central-1', defaultAccount: '210987654321' });
    const handler = moved.functions.find((spec) => spec.constructPath === 'DemoStack/Api/Orders/Handler');
    assert.equal(handler?.region, 'eu-central-1');
    assert.equal(handler?.accountId, '210987654321');
    assert.match(handler?.functionArn ?? '', /^arn:aws:lambda:eu-central-1:210987654321:function:/);
    assert.equal(handler?.environment['ZONE'], 'eu-central-1a');
    assert.match(handler?.environment['QUEUE_URL'] ?? '', /^https:\/\/sqs\.eu-central-1\.amazonaws\.com\/210987654321\//);
  });

  it('fails with ASSEMBLY_INVALID, in one sentence, for a directory without a manifest', async () => {
    await assert.rejects(readAssembly(join(root, 'src')), (error: unknown) => {
      assert.ok(isCdkLocalError(error));
      assert.equal(error.code, 'CDKL_ASSEMBLY_INVALID');
      assert.match(error.message, /^No cloud assembly in .*src \(it has no manifest\.json\): run 'cdk synth' first/);
      return true;
    });
  });
});

describe('readAssembly of other kinds of apps', () => {
  let root: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'cdk-local-read-assembly-env-'));
    await mkdir(join(root, 'legacy-code'));
    await writeFile(join(root, 'legacy-code', 'index.js'), 'exports.handler = async () => 1;\n');
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('uses the account and region of pinned stacks and follows cross-region exports', async () => {
    buildMultiRegionApp(join(root, 'multi')).synth();
    const { functions, warnings } = await readAssembly(join(root, 'multi'), { defaultRegion: 'ap-south-1' });
    assert.deepEqual(warnings, []);
    const reader = functions.find((spec) => spec.constructPath === 'Consumer/Reader');
    assert.equal(reader?.region, 'us-west-2');
    assert.equal(reader?.accountId, '111111111111');
    assert.deepEqual(reader?.environment, { TABLE_NAME: 'producer-table', REGION: 'us-west-2' });
    assert.deepEqual(reader?.unresolvedEnvironment, []);
    const writer = functions.find((spec) => spec.constructPath.startsWith('Producer/'));
    assert.equal(writer?.region, 'eu-west-1');
  });

  it('takes construct paths from the artifact metadata of apps synthesized without path metadata', async () => {
    buildAppWithoutPathMetadata(join(root, 'plain')).synth();
    const { functions, warnings } = await readAssembly(join(root, 'plain'));
    assert.deepEqual(warnings, []);
    assert.deepEqual(
      functions.map((spec) => [spec.constructPath, spec.logicalId]),
      [
        ['Plain/Api/Handler', 'ApiHandler8AD6A8DF'],
        ['Plain/Jobs/Api/Handler', 'ApiHandler8AD6A8DF'],
        ['Beta/Service/Worker', 'Worker11F36D0F'],
      ],
    );
    assert.equal(functions[0]?.unresolvedEnvironment[0]?.reason, 'Ref Plain/Table: name generated at deploy');
  });

  it('finds code through asset metadata when the template names it with asset parameters', async () => {
    buildLegacySynthesizerApp(join(root, 'legacy'), join(root, 'legacy-code')).synth();
    const { functions } = await readAssembly(join(root, 'legacy'));
    const [handler] = functions;
    assert.equal(handler?.constructPath, 'Legacy/Handler');
    assert.ok(handler?.code.kind === 'directory' && existsSync(join(handler.code.path, 'index.js')));
  });

  it('follows Fn::GetStackOutput of weak cross-stack references', async () => {
    buildWeakReferenceApp(join(root, 'weak')).synth();
    const { functions } = await readAssembly(join(root, 'weak'));
    const sender = functions.find((spec) => spec.constructPath === 'Consumer/Sender');
    assert.deepEqual(sender?.environment, {
      QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs',
      QUEUE_ARN: 'arn:aws:sqs:us-east-1:123456789012:jobs',
    });
    assert.deepEqual(sender?.unresolvedEnvironment, []);
  });
});
