import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { hasQualifier, readAssembly, versionSpec, type Assembly, type FunctionSpec } from '../../lib/assembly/index.js';

describe('readAssembly: versions, aliases and tenancy', () => {
  let root: string;
  let assembly: Assembly;
  const fn = (path: string): FunctionSpec => {
    const found = assembly.functions.find((spec) => spec.constructPath === path);
    assert.ok(found, `no function ${path}`);
    return found;
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'cdk-local-read-versions-'));
    const app = new App({ outdir: join(root, 'cdk.out'), context: { 'aws:cdk:disable-version-reporting': true } });
    const stack = new Stack(app, 'VersionStack');
    const code = lambda.Code.fromInline('exports.handler = async () => 1;');
    const node = { runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code };
    const first = new lambda.Function(stack, 'First', node);
    const second = new lambda.Function(stack, 'Second', { ...node, tenancyConfig: lambda.TenancyConfig.PER_TENANT });
    new lambda.Version(stack, 'SecondOne', { lambda: second });
    new lambda.Version(stack, 'FirstOne', { lambda: first, description: 'one', provisionedConcurrentExecutions: 2 });
    new lambda.Version(stack, 'FirstTwo', { lambda: first });
    new lambda.CfnAlias(stack, 'Latest', { functionName: first.functionName, functionVersion: '$LATEST', name: 'edge' });
    new lambda.CfnAlias(stack, 'ByNumber', { functionName: first.functionName, functionVersion: '2', name: 'two' });
    new lambda.CfnAlias(stack, 'Missing', { functionName: first.functionName, functionVersion: '9', name: 'gone' });
    assembly = await readAssembly(app.synth().directory);
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('numbers each function’s versions in template order, with their description and provisioned concurrency', () => {
    assert.deepEqual(
      fn('VersionStack/First').versions?.map(({ version, description, provisionedConcurrency }) => ({ version, description, provisionedConcurrency })),
      [
        { version: '1', description: 'one', provisionedConcurrency: 2 },
        { version: '2', description: '', provisionedConcurrency: undefined },
      ],
    );
    assert.deepEqual(fn('VersionStack/Second').versions?.map((version) => version.version), ['1']);
  });

  it('reads aliases to $LATEST and to a version number, and leaves out one to a version the app does not declare', () => {
    assert.deepEqual(
      fn('VersionStack/First').aliases?.map((alias) => [alias.name, alias.functionVersion]),
      [
        ['edge', '$LATEST'],
        ['two', '2'],
      ],
    );
    assert.ok(assembly.warnings.some((warning) => /VersionStack\/Missing: its version '9' is not declared/.test(warning)), assembly.warnings.join('\n'));
  });

  it('reads TenancyConfig', () => {
    assert.equal(fn('VersionStack/Second').tenantIsolationMode, 'PER_TENANT');
    assert.equal(fn('VersionStack/First').tenantIsolationMode, undefined);
  });

  it('makes one spec per version, the same object each time', () => {
    const first = fn('VersionStack/First');
    const two = versionSpec(first, '2');
    assert.equal(two?.version, '2');
    assert.equal(versionSpec(first, '2'), two);
    assert.equal(versionSpec(first, '$LATEST'), first);
    assert.equal(versionSpec(first, '3'), undefined);
    assert.equal(hasQualifier(first, 'edge'), true);
    assert.equal(hasQualifier(first, 'gone'), false);
  });
});
