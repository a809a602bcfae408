import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/run-cli.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/cli/${name}`, import.meta.url));

describe('cdk-local on apps it cannot run', () => {
  let project: string;
  before(async () => {
    project = await mkdtemp(join(tmpdir(), 'cdk-local-bad-apps-'));
    await writeFile(join(project, 'cdk.json'), JSON.stringify({ app: `node ${fixture('unsupported-app.mjs')}` }));
  });
  after(async () => rm(project, { recursive: true, force: true }));

  it('a container image function: one sentence naming what can run, exit code 2', async () => {
    const run = await runCli(['invoke', 'Container'], { cwd: project });
    assert.equal(run.exitCode, 2, run.stderr);
    const lines = run.stderr.trim().split('\n').filter((line) => line.startsWith('cdk-local:') && !line.includes('synthesizing'));
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, /container image/);
    assert.match(lines[0]!, /Node\.js/);
    assert.ok(!run.stderr.includes('    at '), 'no stack trace');
  });

  it('a Java function: one sentence naming what can run, exit code 2; a Node.js function of the same app runs', async () => {
    const run = await runCli(['invoke', 'Java'], { cwd: project });
    assert.equal(run.exitCode, 2);
    assert.match(run.stderr, /java21/);
    const fine = await runCli(['invoke', 'Fine'], { cwd: project });
    assert.equal(fine.exitCode, 0, fine.stderr);
    assert.equal(fine.stdout, '"fine"');
  });

  it("a synth failure shows the app's own error and exits 2", async () => {
    const broken = await mkdtemp(join(tmpdir(), 'cdk-local-broken-'));
    try {
      await writeFile(join(broken, 'cdk.json'), JSON.stringify({ app: `node ${fixture('failing-app.mjs')}` }));
      const run = await runCli(['invoke', 'Anything'], { cwd: broken });
      assert.equal(run.exitCode, 2);
      assert.match(run.stderr, /^cdk-local: The CDK app failed to synthesize \(exit code 1\): .*Cannot read the orders table configuration/m);
      assert.match(run.stderr, /failing-app\.mjs/, "the app's own stack trace is shown");
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });
});
