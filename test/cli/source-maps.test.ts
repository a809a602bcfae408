import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/run-cli.js';

describe('source maps of NodejsFunction bundles', () => {
  let project: string;
  before(async () => {
    project = await mkdtemp(join(tmpdir(), 'cdk-local-source-maps-'));
    const app = fileURLToPath(new URL('../fixtures/cli/source-maps-app.mjs', import.meta.url));
    await writeFile(join(project, 'cdk.json'), JSON.stringify({ app: `node ${app}` }));
  });
  after(async () => rm(project, { recursive: true, force: true }));

  it('a bundle with a .map runs with --enable-source-maps: its stack trace points at the .ts', async () => {
    const answered = await runCli(['invoke', 'Mapped'], { cwd: project });
    assert.equal(answered.exitCode, 0, answered.stderr);
    assert.ok((JSON.parse(answered.stdout) as { execArgv: string[] }).execArgv.includes('--enable-source-maps'));
    const failed = await runCli(['invoke', 'Mapped', '--event-json', '{"fail":true}'], { cwd: project });
    assert.equal(failed.exitCode, 1, failed.stderr);
    const { trace } = JSON.parse(failed.stdout) as { trace: string[] };
    assert.match(trace[1] ?? '', /at failHere \(.*handler\.ts:8:\d+\)$/);
  });

  it('a bundle without one runs without it', async () => {
    const answered = await runCli(['invoke', 'Unmapped'], { cwd: project });
    assert.equal(answered.exitCode, 0, answered.stderr);
    assert.ok(!(JSON.parse(answered.stdout) as { execArgv: string[] }).execArgv.includes('--enable-source-maps'));
    const failed = await runCli(['invoke', 'Unmapped', '--event-json', '{"fail":true}'], { cwd: project });
    const { trace } = JSON.parse(failed.stdout) as { trace: string[] };
    assert.match(trace[1] ?? '', /index\.js:\d+:\d+\)$/);
  });
});
