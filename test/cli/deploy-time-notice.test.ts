import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { synthesizeExampleApp } from '../helpers/example-app.js';
import { runCli } from '../helpers/run-cli.js';

describe('the notice about values only known at deploy time', () => {
  let assembly: string;
  let remove: () => Promise<void>;
  let scratch: string;
  let files = 0;

  before(async () => {
    ({ directory: assembly, remove } = await synthesizeExampleApp());
    scratch = await mkdtemp(join(tmpdir(), 'cdk-local-deploy-time-'));
  });
  after(async () => {
    await remove();
    await rm(scratch, { recursive: true, force: true });
  });

  async function invokeHello(overrides: Record<string, Record<string, string | null>>): Promise<string> {
    const file = join(scratch, `env-vars-${(files += 1)}.json`);
    await writeFile(file, JSON.stringify(overrides));
    const run = await runCli(['invoke', 'Hello', '--app', assembly, '--env-vars', file, '--event', 'examples/events/hello.json']);
    assert.equal(run.exitCode, 0, run.stderr);
    return run.stderr;
  }

  it('names the placeholders the user did not set', async () => {
    const stderr = await invokeHello({});
    assert.match(stderr, /^cdk-local: DemoStack\/Hello: TABLE_NAME, TABLE_ARN are only known at deploy time/m);
  });

  it('leaves out the variables set or unset with --env-vars', async () => {
    const one = await invokeHello({ Hello: { TABLE_NAME: 'orders-local' } });
    assert.match(one, /^cdk-local: DemoStack\/Hello: TABLE_ARN is only known at deploy time and gets a placeholder/m);
    const both = await invokeHello({ Parameters: { TABLE_ARN: null }, 'DemoStack/Hello': { TABLE_NAME: 'orders-local' } });
    assert.doesNotMatch(both, /only known at deploy time/);
  });
});
