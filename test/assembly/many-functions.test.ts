// A sanity check that reading an app of many functions stays correct; how fast it is
// belongs to the benchmark, not to a test.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findFunction, readAssembly, type Assembly } from '../../lib/assembly/index.js';
import { buildManyFunctionsApp } from '../fixtures/assembly/apps.js';

describe('an app of 300 functions in 10 stacks', () => {
  let root: string;
  let assembly: Assembly;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'cdk-local-many-'));
    const code = join(root, 'code');
    await mkdir(code);
    await writeFile(join(code, 'index.js'), 'exports.handler = async () => 1;\n');
    buildManyFunctionsApp(join(root, 'cdk.out'), code, 10, 30).synth();
    assembly = await readAssembly(join(root, 'cdk.out'));
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads every function with its own name and its own stack’s table', () => {
    assert.equal(assembly.functions.length, 300);
    assert.deepEqual(assembly.warnings, []);
    assert.equal(new Set(assembly.functions.map((spec) => spec.functionName)).size, 300);
    for (const spec of assembly.functions) {
      const stack = spec.stackName;
      assert.match(spec.constructPath, new RegExp(`^${stack}/Fn\\d+$`));
      assert.match(spec.environment['TABLE_NAME'] ?? '', new RegExp(`^${stack}-Table[0-9A-F]{8}-[A-Z0-9]{13}$`));
      assert.equal(spec.code.kind, 'directory');
    }
    assert.equal(findFunction(assembly.functions, 'Service7/Fn29').environment['INDEX'], '29');
  });
});
