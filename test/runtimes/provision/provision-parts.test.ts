import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CdkLocalError } from '../../../lib/errors.js';
import { provideNodeBuild, runtimeCacheDirectory } from '../../../lib/runtimes/index.js';
import { scanRuntimeImports } from '../../../lib/runtimes/provision/scan-imports.js';

describe('provisioning parts', () => {
  let scratch: string;
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'cdk-local-provision-parts-'));
  });
  after(() => rm(scratch, { recursive: true, force: true }));

  it('finds the runtime packages a bundle and its sources name, not those of copies of the SDK it carries', async () => {
    const code = join(scratch, 'code');
    await mkdir(join(code, 'node_modules', '@aws-sdk', 'client-s3'), { recursive: true });
    await mkdir(join(code, 'lib'), { recursive: true });
    await writeFile(join(code, 'index.js'), 'var a=require("@aws-sdk/client-dynamodb"),b=require(\'@aws-sdk/lib-dynamodb\');');
    await writeFile(join(code, 'lib', 'other.mjs'), "import { S3Client } from '@aws-sdk/client-s3/dist-cjs/index.js';\nimport '@smithy/util-retry';\nimport '@aws/durable-execution-sdk-js';");
    await writeFile(join(code, 'README.md'), '"@aws-sdk/client-sqs"');
    await writeFile(join(code, 'node_modules', '@aws-sdk', 'client-s3', 'index.js'), 'require("@aws-sdk/client-sts")');
    const found = await scanRuntimeImports(code);
    assert.deepEqual([...found].sort(), ['@aws-sdk/client-dynamodb', '@aws-sdk/client-s3', '@aws-sdk/lib-dynamodb', '@aws/durable-execution-sdk-js', '@smithy/util-retry']);
  });

  it('keeps its cache where CDK_LOCAL_CACHE_DIR, else XDG_CACHE_HOME, else ~/.cache says', () => {
    assert.equal(runtimeCacheDirectory({ CDK_LOCAL_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x', HOME: '/h' }), '/c');
    assert.equal(runtimeCacheDirectory({ XDG_CACHE_HOME: '/x' }), join('/x', 'cdk-local'));
    assert.match(runtimeCacheDirectory({}), /[/\\]\.cache[/\\]cdk-local$/);
  });

  it('a Node.js major that does not exist fails in one sentence naming --local-runtime', { timeout: 300_000 }, async () => {
    await assert.rejects(provideNodeBuild('99', { cacheDirectory: join(scratch, 'cache') }), (error: unknown) => {
      assert.ok(error instanceof CdkLocalError);
      assert.equal(error.code, 'CDKL_RUNTIME_NOT_FOUND');
      assert.match(error.message, /^Could not install Node\.js 99 \(node-\w+-\w+@99\) into .* with npm \(.+\): check that npm can reach its registry, or pass --local-runtime to run on the local Node\.js [\d.]+\.$/);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
  });
});
