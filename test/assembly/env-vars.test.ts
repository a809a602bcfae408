import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  parseEnvVarsOverrides,
  readEnvVarsFile,
  resolveEnvironmentOverrides,
  type FunctionSpec,
} from '../../lib/assembly/index.js';
import { isCdkLocalError } from '../../lib/errors.js';
import { synthesizeDemoAssembly, type DemoAssembly } from '../fixtures/assembly/demo-assembly.js';

describe('--env-vars files', () => {
  let root: string;
  let demo: DemoAssembly;
  const byPath = (path: string): FunctionSpec => demo.byPath(path);
  const write = async (name: string, content: string): Promise<string> => {
    const path = join(root, name);
    await writeFile(path, content);
    return path;
  };

  before(async () => {
    demo = await synthesizeDemoAssembly('cdk-local-env-vars-');
    root = demo.root;
  });

  after(async () => {
    await demo.remove();
  });

  it('applies Parameters to every function and function sections by logical ID, path or name, the specific winning', async () => {
    const handler = byPath('DemoStack/Api/Orders/Handler');
    const path = await write(
      'env.json',
      JSON.stringify({
        Parameters: { TABLE_NAME: 'orders-dev', SHARED: 'everyone', LOG_LEVEL: 'info' },
        [handler.logicalId]: { LOG_LEVEL: 'debug', RETRIES: 3, VERBOSE: true },
        'DemoStack/Api/Orders/Handler': { QUEUE_URL: 'http://localhost:9324/queue/orders', PLAIN: null },
        'demo-configured': { ONLY_CONFIGURED: 'yes' },
      }),
    );
    const overrides = await readEnvVarsFile(path);
    assert.deepEqual(resolveEnvironmentOverrides(handler, overrides), {
      TABLE_NAME: 'orders-dev',
      SHARED: 'everyone',
      LOG_LEVEL: 'debug',
      RETRIES: '3',
      VERBOSE: 'true',
      QUEUE_URL: 'http://localhost:9324/queue/orders',
      PLAIN: null,
    });
    assert.deepEqual(resolveEnvironmentOverrides(byPath('DemoStack/Configured'), overrides), {
      TABLE_NAME: 'orders-dev',
      SHARED: 'everyone',
      LOG_LEVEL: 'info',
      ONLY_CONFIGURED: 'yes',
    });
  });

  it('matches stage functions by their path without the stack and by Stack:LogicalId', () => {
    const worker = byPath('Prod/ApiStack/Worker');
    const overrides = parseEnvVarsOverrides({
      Worker: { BY_PATH_IN_STACK: '1' },
      [`Prod-ApiStack:${worker.logicalId}`]: { BY_STACK_AND_ID: '2' },
    });
    assert.deepEqual(resolveEnvironmentOverrides(worker, overrides), { BY_PATH_IN_STACK: '1', BY_STACK_AND_ID: '2' });
  });

  it('returns nothing to change when no section applies', () => {
    assert.deepEqual(resolveEnvironmentOverrides(byPath('DemoStack/InlineNode'), { Other: { A: 'b' } }), {});
  });

  it('names the file and the problem of a bad file', async () => {
    const cases: [string, string, RegExp][] = [
      ['broken.json', '{"Parameters": {', /^The --env-vars file .*broken\.json is not valid JSON \(.+\)\.$/],
      ['list.json', '[1, 2]', /^The --env-vars file .*list\.json must hold a JSON object like \{"Parameters": /],
      ['section.json', '{"MyFunction": "oops"}', /^The --env-vars file .*section\.json has "MyFunction" set to a string, where an object of variables/],
      ['value.json', '{"Parameters": {"A": {"nested": true}}}', /^The --env-vars file .*value\.json sets Parameters\.A to an object; values must be strings/],
    ];
    for (const [name, content, pattern] of cases) {
      const path = await write(name, content);
      await assert.rejects(readEnvVarsFile(path), (error: unknown) => {
        assert.ok(isCdkLocalError(error));
        assert.equal(error.code, 'CDKL_INVALID_ENV_VARS');
        assert.match(error.message, pattern);
        return true;
      });
    }
    await assert.rejects(readEnvVarsFile(join(root, 'missing.json')), (error: unknown) => {
      assert.ok(isCdkLocalError(error));
      assert.match(error.message, /^The --env-vars file .*missing\.json does not exist\.$/);
      return true;
    });
  });
});
