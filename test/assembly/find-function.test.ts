import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkRunnable, findFunction, runtimeFamily, type FunctionSpec } from '../../lib/assembly/index.js';
import { isCdkLocalError } from '../../lib/errors.js';
import { synthesizeDemoAssembly, type DemoAssembly } from '../fixtures/assembly/demo-assembly.js';

function rejection(code: string, pattern: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(isCdkLocalError(error), `not a CdkLocalError: ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  };
}

describe('findFunction and checkRunnable', () => {
  let functions: readonly FunctionSpec[];
  let demo: DemoAssembly;
  const byPath = (path: string): FunctionSpec => demo.byPath(path);

  before(async () => {
    demo = await synthesizeDemoAssembly('cdk-local-find-function-');
    functions = demo.functions;
  });

  after(async () => {
    await demo.remove();
  });

  it('finds a function by each of its names', () => {
    const handler = byPath('DemoStack/Api/Orders/Handler');
    for (const name of [
      'DemoStack/Api/Orders/Handler',
      '/DemoStack/Api/Orders/Handler/Resource',
      'Api/Orders/Handler',
      'Orders/Handler',
      'Handler',
      handler.logicalId,
      `DemoStack:${handler.logicalId}`,
      handler.functionName,
      handler.functionArn,
      `${handler.functionArn}:$LATEST`,
      'demostack/api/orders/handler',
    ]) {
      assert.equal(findFunction(functions, name), handler, name);
    }
    assert.equal(findFunction(functions, 'demo-configured'), byPath('DemoStack/Configured'));
    assert.equal(findFunction(functions, 'Reports/Reporter'), byPath('DemoStack/Reports/Reporter'));
  });

  it('finds functions of stages with and without their stage prefix', () => {
    const worker = byPath('Prod/ApiStack/Worker');
    for (const name of ['Prod/ApiStack/Worker', 'ApiStack/Worker', `Prod-ApiStack:${worker.logicalId}`, `Prod/ApiStack:${worker.logicalId}`]) {
      assert.equal(findFunction(functions, name), worker, name);
    }
    assert.equal(findFunction(functions, 'DemoStack/Worker'), byPath('DemoStack/Worker'));
  });

  it('refuses an ambiguous name, listing the candidates by full construct path', () => {
    for (const name of ['Worker', 'Worker11F36D0F']) {
      assert.throws(
        () => findFunction(functions, name),
        rejection(
          'CDKL_FUNCTION_AMBIGUOUS',
          new RegExp(`^'${name}' matches 2 functions \\(DemoStack/Worker, Prod/ApiStack/Worker\\); use the full construct path\\.$`),
        ),
      );
    }
  });

  it('names the closest functions when none matches', () => {
    assert.throws(
      () => findFunction(functions, 'Orders'),
      rejection('CDKL_FUNCTION_NOT_FOUND', /^No function 'Orders' in the app \(closest: DemoStack\/Api\/Orders\/Handler\)\. Run 'cdk-local list' to see them all\.$/),
    );
    assert.throws(
      () => findFunction(functions, 'DemoStack/Confgured'),
      rejection('CDKL_FUNCTION_NOT_FOUND', /\(closest: DemoStack\/Configured\)/),
    );
    assert.throws(
      () => findFunction(functions, 'Inline'),
      rejection('CDKL_FUNCTION_NOT_FOUND', /\(closest: DemoStack\/InlineNode, DemoStack\/InlinePython\)/),
    );
    assert.throws(
      () => findFunction(functions, 'qqqqqqqqqqqqqqqqqqqq'),
      rejection('CDKL_FUNCTION_NOT_FOUND', /^No function 'qqqqqqqqqqqqqqqqqqqq' in the app\. Run 'cdk-local list' to see them all\.$/),
    );
  });

  it('suggests at most five functions', () => {
    assert.throws(
      () => findFunction(functions, 'DemoStack'),
      (error: unknown) => {
        assert.ok(isCdkLocalError(error));
        const closest = /\(closest: (.*)\)/.exec(error.message)?.[1]?.split(', ') ?? [];
        assert.equal(closest.length, 5);
        return true;
      },
    );
  });

  it('says so when the app has no functions at all', () => {
    assert.throws(() => findFunction([], 'Anything'), rejection('CDKL_FUNCTION_NOT_FOUND', /^No function 'Anything': the app has no Lambda functions/));
  });

  it('accepts zip functions of Node.js, Python and provided runtimes', () => {
    for (const path of [
      'DemoStack/Api/Orders/Handler',
      'DemoStack/InlineNode',
      'DemoStack/InlinePython',
      'DemoStack/PythonAsset',
      'DemoStack/CustomRuntime',
      'Prod/ApiStack/Worker',
    ]) {
      assert.doesNotThrow(() => checkRunnable(byPath(path)), path);
    }
  });

  it('refuses container images, other runtimes and S3 code in one sentence naming what runs', () => {
    const supported =
      'cdk-local runs zip functions of Node.js (nodejsNN.x), Python (python3.x) and provided.al2/al2023 runtimes without Docker.';
    assert.throws(
      () => checkRunnable(byPath('DemoStack/Container')),
      (error: unknown) => {
        assert.ok(isCdkLocalError(error));
        assert.equal(error.code, 'CDKL_UNSUPPORTED_FUNCTION');
        assert.equal(error.message, `DemoStack/Container is a container image function; ${supported}`);
        return true;
      },
    );
    assert.throws(
      () => checkRunnable(byPath('DemoStack/JavaHandler')),
      (error: unknown) => {
        assert.ok(isCdkLocalError(error));
        assert.equal(error.message, `DemoStack/JavaHandler uses the java21 runtime; ${supported}`);
        return true;
      },
    );
    assert.throws(
      () => checkRunnable(byPath('DemoStack/FromS3')),
      rejection('CDKL_UNSUPPORTED_FUNCTION', /^DemoStack\/FromS3 has its code in s3:\/\/someone-elses-bucket\/code\/handler\.zip, not in an asset/),
    );
  });

  it('tells runtime families apart', () => {
    assert.equal(runtimeFamily('nodejs22.x'), 'nodejs');
    assert.equal(runtimeFamily('python3.13'), 'python');
    assert.equal(runtimeFamily('provided.al2023'), 'provided');
    assert.equal(runtimeFamily('provided.al2'), 'provided');
    for (const runtime of ['java21', 'dotnet8', 'ruby3.3', 'go1.x', 'python2.7', 'nodejs', undefined]) {
      assert.equal(runtimeFamily(runtime), undefined, String(runtime));
    }
  });
});
