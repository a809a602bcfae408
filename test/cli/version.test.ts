import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/example-app.js';
import { runCli } from '../helpers/run-cli.js';

describe('cdk-local --version', () => {
  let scratch: string;
  let ownVersion: string;

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'cdk-local-version-'));
    ownVersion = (JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  });
  after(async () => rm(scratch, { recursive: true, force: true }));

  it("prints cdk-local's own version in a directory without cdk.json or package.json", async () => {
    const run = await runCli(['--version'], { cwd: scratch });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.stdout, `${ownVersion}\n`);
  });

  it("prints cdk-local's own version, not that of the project it runs in", async () => {
    const project = join(scratch, 'project');
    await rm(project, { recursive: true, force: true });
    await mkdir(project);
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'my-cdk-app', version: '9.9.9' }));
    await writeFile(join(project, 'cdk.json'), JSON.stringify({ app: 'node app.js' }));
    const run = await runCli(['--version'], { cwd: project });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.stdout, `${ownVersion}\n`);
  });
});
