// The package as a user installs it: packed with `npm pack`, added to a project that the real
// `cdk init app --language typescript` generated (CommonJS, Jest), whose own `npx jest`
// then runs a test that uses LocalLambda. Needs the npm registry; npm's cache is reused.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, synthesizeExampleApp } from '../helpers/example-app.js';

const TEN_MINUTES_MS = 10 * 60_000;

/** The environment for the npm, npx and jest we start: without what an outer `npm test` set for itself. */
function childEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.toLowerCase().startsWith('npm_') && name !== 'NODE_TEST_CONTEXT' && name !== 'INIT_CWD') env[name] = value;
  }
  return { ...env, CI: 'true', NO_COLOR: '1' };
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end; never throws for its exit code. */
function run(command: string, args: readonly string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env: childEnvironment(), maxBuffer: 64 * 1024 * 1024, timeout: TEN_MINUTES_MS }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number') {
        reject(error);
        return;
      }
      resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr });
    });
  });
}

function assertSucceeded(result: Run, what: string): void {
  assert.equal(result.code, 0, `${what} failed:\n${result.stdout}\n${result.stderr}`);
}

const JEST_TEST = `import * as cdk from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LocalLambda } from 'cdk-local-lambda';

test('invokes a function of the stack locally', async () => {
  const app = new cdk.App();
  const stack = new cdk.Stack(app, 'LocalStack');
  new lambda.Function(stack, 'Greeter', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    timeout: cdk.Duration.seconds(60),
    code: lambda.Code.fromInline("exports.handler = async (event) => ({ message: 'Hello, ' + event.name + '!' });"),
  });
  const local = await LocalLambda.fromStack(stack);
  try {
    const result = await local.invoke('Greeter', { event: { name: 'Ada' } });
    expect(result.error).toBeUndefined();
    expect(result.payload).toEqual({ message: 'Hello, Ada!' });
    expect(result.report.status).toBe('success');
  } finally {
    await local.close();
  }
}, 120_000);
`;

describe('cdk-local-lambda installed from its packed tarball', { timeout: 3 * TEN_MINUTES_MS }, () => {
  let root: string;
  let tarball: string;
  let ownVersion: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'cdk-local-package-'));
    ownVersion = (JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    // dist/ is built by `npm test` (and `npm ci`); packing must not build it again.
    const packed = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', root], REPO_ROOT);
    assertSucceeded(packed, 'npm pack');
    const file = (await readdir(root)).find((name) => name.endsWith('.tgz'));
    assert.ok(file !== undefined, `npm pack wrote no tarball: ${packed.stdout}`);
    tarball = join(root, file);
  });
  after(async () => rm(root, { recursive: true, force: true }));

  it("works in the Jest tests of a project made by 'cdk init app --language typescript', unchanged", async () => {
    const project = join(root, 'my-app');
    await mkdir(project);
    assertSucceeded(await run('npx', ['--yes', 'aws-cdk@2', 'init', 'app', '--language', 'typescript', '--generate-only'], project), 'cdk init');
    const manifest = JSON.parse(await readFile(join(project, 'package.json'), 'utf8')) as { type?: string; devDependencies?: Record<string, string> };
    assert.notEqual(manifest.type, 'module', 'cdk init made a CommonJS project');
    assert.ok(manifest.devDependencies?.['jest'] !== undefined, 'cdk init made a project tested with Jest');
    assertSucceeded(await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], project), 'npm install');
    assertSucceeded(await run('npm', ['install', '--save-dev', '--prefer-offline', '--no-audit', '--no-fund', tarball], project), 'npm install the tarball');
    await writeFile(join(project, 'test', 'local-lambda.test.ts'), JEST_TEST);

    const jest = await run('npx', ['jest'], project);
    assertSucceeded(jest, 'npx jest');
    assert.match(jest.stderr, /PASS test\/local-lambda\.test\.ts/);
    // The project's own type check (tsc, CommonJS under NodeNext) reads the package's require types.
    assertSucceeded(await run('npm', ['run', 'build'], project), 'npm run build (tsc)');

    const version = await run('npx', ['cdk-local', '--version'], project);
    assertSucceeded(version, 'npx cdk-local --version');
    assert.equal(version.stdout, `${ownVersion}\n`);
  });

  it('runs from the command line without aws-cdk-lib or constructs installed', async () => {
    const bare = join(root, 'bare');
    await mkdir(bare);
    await writeFile(join(bare, 'package.json'), JSON.stringify({ name: 'bare', version: '1.0.0', private: true }));
    assertSucceeded(await run('npm', ['install', '--save-dev', '--prefer-offline', '--no-audit', '--no-fund', tarball], bare), 'npm install the tarball');
    const installed = await readdir(join(bare, 'node_modules'));
    assert.ok(!installed.includes('aws-cdk-lib') && !installed.includes('constructs'), 'the optional peers were not installed');
    const { directory, remove } = await synthesizeExampleApp();
    try {
      const invoked = await run('npx', ['cdk-local', 'invoke', 'Hello', '--app', directory, '--event-json', '{"name":"Ada"}'], bare);
      assertSucceeded(invoked, 'npx cdk-local invoke');
      assert.equal((JSON.parse(invoked.stdout) as { message: string }).message, 'Hello, Ada!');
      const listed = await run('npx', ['cdk-local', 'list', '--app', directory], bare);
      assertSucceeded(listed, 'npx cdk-local list');
      assert.match(listed.stdout, /^DemoStack\/Hello\s/m);
    } finally {
      await remove();
    }
  });
});
