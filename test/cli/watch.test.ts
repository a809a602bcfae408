import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { CLI_PATH, REPO_ROOT } from '../helpers/example-app.js';

/** A CDK app in a project of its own, whose handler and app file the test edits. */
function appSource(extra = ''): string {
  return `import { createRequire } from 'node:module';
const require = createRequire(${JSON.stringify(join(REPO_ROOT, 'package.json'))});
const { App, Duration, Stack } = require('aws-cdk-lib');
const lambda = require('aws-cdk-lib/aws-lambda');
${extra}
const app = new App();
const stack = new Stack(app, 'Watched');
new lambda.Function(stack, 'Answer', {
  runtime: lambda.Runtime.NODEJS_20_X,
  handler: 'index.handler',
  code: lambda.Code.fromAsset(new URL('./handler', import.meta.url).pathname),
  timeout: Duration.seconds(30),
});
new lambda.Function(stack, 'Steady', {
  runtime: lambda.Runtime.NODEJS_20_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline('exports.handler = async () => "steady";'),
  timeout: Duration.seconds(30),
});
app.synth();
`;
}

const handlerSource = (answer: string): string => `exports.handler = async () => ({ answer: ${JSON.stringify(answer)} });\n`;

describe('cdk-local start-lambda --watch', () => {
  let project: string;
  let child: ChildProcessWithoutNullStreams;
  let stderr = '';
  let url: string;

  before(async () => {
    project = await mkdtemp(join(tmpdir(), 'cdk-local-watch-'));
    await mkdir(join(project, 'handler'));
    await writeFile(join(project, 'handler', 'index.js'), handlerSource('first'));
    await writeFile(join(project, 'app.mjs'), appSource());
    await writeFile(join(project, 'cdk.json'), JSON.stringify({ app: 'node app.mjs', watch: { include: ['**'], exclude: ['README.md'] } }));
    child = spawn(process.execPath, [CLI_PATH, 'start-lambda', '--port', '0', '--watch', '--no-sandbox'], { cwd: project, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    let stdout = '';
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`start-lambda did not start within 120 s:\n${stderr}`)), 120_000);
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        const match = /Lambda Invoke API at (http:\/\/\S+)/.exec(stdout);
        if (match !== null) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      child.once('exit', () => reject(new Error(`start-lambda exited:\n${stderr}`)));
    });
  });

  after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await rm(project, { recursive: true, force: true });
  });

  const invoke = async (name: string): Promise<unknown> => {
    const response = await fetch(`${url}/2015-03-31/functions/${name}/invocations`, { method: 'POST', body: '{}' });
    assert.equal(response.status, 200);
    return response.json();
  };

  /** Waits until stderr has a line matching `pattern` after `from` characters. */
  const stderrLine = async (pattern: RegExp, from: number): Promise<string> => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const match = pattern.exec(stderr.slice(from));
      if (match !== null) return match[0];
      if (Date.now() > deadline) throw new Error(`no ${pattern} on stderr within 120 s:\n${stderr.slice(from)}`);
      await sleep(100);
    }
  };

  it('answers with an edited handler without a restart, and reloads only the function that changed', async () => {
    assert.deepEqual(await invoke('Answer'), { answer: 'first' });
    assert.equal(await invoke('Steady'), 'steady');
    const from = stderr.length;
    await writeFile(join(project, 'handler', 'index.js'), handlerSource('second'));
    const line = await stderrLine(/^cdk-local: .*changed: .*\(.*\d+ ms\)$/m, from);
    assert.match(line, /handler\/index\.js changed: reloaded Watched\/Answer \(/);
    assert.doesNotMatch(line, /Steady/);
    assert.deepEqual(await invoke('Answer'), { answer: 'second' });
    assert.equal(await invoke('Steady'), 'steady');
  });

  it('an excluded file changes nothing; a failed synth keeps the last good app serving', async () => {
    const from = stderr.length;
    await writeFile(join(project, 'README.md'), 'not watched\n');
    await writeFile(join(project, 'app.mjs'), appSource("throw new Error('the app is broken');"));
    await stderrLine(/the app is broken/, from);
    assert.match(stderr.slice(from), /app\.mjs changed, but the app failed; still serving its last good version/);
    assert.doesNotMatch(stderr.slice(from), /README\.md/);
    assert.deepEqual(await invoke('Answer'), { answer: 'second' });
  });

  it('Ctrl-C leaves no process of its environments and no port behind', async () => {
    const pid = child.pid!;
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    child.kill('SIGINT');
    const [code] = await exited;
    assert.equal(code, 130, stderr);
    // Every process an environment starts carries the owner's pid in _CDK_LOCAL_ENVIRONMENT.
    const owned = async (): Promise<number[]> => {
      const found: number[] = [];
      for (const entry of await readdir('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        const environ = await readFile(`/proc/${entry}/environ`, 'latin1').catch(() => '');
        if (environ.includes(`_CDK_LOCAL_ENVIRONMENT=${pid}-`)) found.push(Number(entry));
      }
      return found;
    };
    const deadline = Date.now() + 30_000;
    while ((await owned()).length > 0 && Date.now() < deadline) await sleep(100);
    assert.deepEqual(await owned(), []);
    await assert.rejects(fetch(`${url}/2015-03-31/functions`), 'the port is closed');
  });
});

describe('cdk-local invoke --watch', () => {
  let project: string;
  before(async () => {
    project = await mkdtemp(join(tmpdir(), 'cdk-local-watch-invoke-'));
    await mkdir(join(project, 'handler'));
    await writeFile(join(project, 'handler', 'index.js'), handlerSource('first'));
    await writeFile(join(project, 'app.mjs'), appSource());
    await writeFile(join(project, 'cdk.json'), JSON.stringify({ app: 'node app.mjs' }));
  });
  after(async () => rm(project, { recursive: true, force: true }));

  it('runs the function again after a change and prints the new result', async () => {
    const child = spawn(process.execPath, [CLI_PATH, 'invoke', 'Answer', '--watch', '--no-sandbox'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = once(child, 'exit');
    const until = async (done: () => boolean, what: string): Promise<void> => {
      const deadline = Date.now() + 120_000;
      while (!done()) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${what} did not happen within 120 s:\n${stderr}`);
        await sleep(100);
      }
    };
    try {
      await until(() => stdout.includes('{"answer":"first"}'), 'the first invocation');
      await writeFile(join(project, 'handler', 'index.js'), handlerSource('second'));
      await until(() => stdout.includes('{"answer":"second"}'), 'the invocation after the change');
      assert.match(stderr, /^cdk-local: handler\/index\.js changed \(\d+ ms\); invoking Watched\/Answer again$/m);
      assert.match(stdout, /^\{"answer":"first"\}\n\{"answer":"second"\}\n/, 'one result a line');
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});

describe('cdk-local start-api --watch', () => {
  /** An app whose function answers through a function URL, with an API Gateway proxy response. */
  const urlApp = `import { createRequire } from 'node:module';
const require = createRequire(${JSON.stringify(join(REPO_ROOT, 'package.json'))});
const { App, Duration, Stack } = require('aws-cdk-lib');
const lambda = require('aws-cdk-lib/aws-lambda');
const app = new App();
const stack = new Stack(app, 'WatchedApi');
const fn = new lambda.Function(stack, 'Page', {
  runtime: lambda.Runtime.NODEJS_20_X,
  handler: 'index.handler',
  code: lambda.Code.fromAsset(new URL('./handler', import.meta.url).pathname),
  timeout: Duration.seconds(30),
});
fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
app.synth();
`;
  const pageSource = (body: string): string => `exports.handler = async () => ({ statusCode: 200, body: ${JSON.stringify(body)} });\n`;
  let project: string;
  let child: ChildProcessWithoutNullStreams;
  let stderr = '';
  let url: string;

  before(async () => {
    project = await mkdtemp(join(tmpdir(), 'cdk-local-watch-api-'));
    await mkdir(join(project, 'handler'));
    await writeFile(join(project, 'handler', 'index.js'), pageSource('first page'));
    await writeFile(join(project, 'app.mjs'), urlApp);
    await writeFile(join(project, 'cdk.json'), JSON.stringify({ app: 'node app.mjs' }));
    child = spawn(process.execPath, [CLI_PATH, 'start-api', '--port', '0', '--watch', '--no-sandbox'], { cwd: project, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    let stdout = '';
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`start-api did not start within 120 s:\n${stderr}`)), 120_000);
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        const match = /^cdk-local: function URL WatchedApi\/Page\S* at (http:\/\/\S+)$/m.exec(stdout);
        if (match !== null && stdout.includes('cdk-local: ready\n')) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      child.once('exit', () => reject(new Error(`start-api exited:\n${stderr}`)));
    });
  });

  after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await rm(project, { recursive: true, force: true });
  });

  it('answers on the same URL with an edited handler, without a restart', async () => {
    const first = await fetch(url);
    assert.equal(first.status, 200);
    assert.equal(await first.text(), 'first page');
    const from = stderr.length;
    await writeFile(join(project, 'handler', 'index.js'), pageSource('second page'));
    const deadline = Date.now() + 120_000;
    let line: RegExpExecArray | null = null;
    while ((line = /^cdk-local: .*changed: .*\(.*\d+ ms\)$/m.exec(stderr.slice(from))) === null) {
      if (Date.now() > deadline) throw new Error(`no reload line within 120 s:\n${stderr.slice(from)}`);
      await sleep(100);
    }
    assert.match(line[0], /handler\/index\.js changed: reloaded WatchedApi\/Page \(/);
    const second = await fetch(url);
    assert.equal(second.status, 200);
    assert.equal(await second.text(), 'second page');
  });
});

describe('cdk-local start-lambda --watch, unbundled code', () => {
  /** An app whose function runs an unbundled asset directory; it counts its synths in a dot file, which is not watched. */
  const countedApp = (version: string): string => `import { createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';
const require = createRequire(${JSON.stringify(join(REPO_ROOT, 'package.json'))});
const { App, Duration, Stack } = require('aws-cdk-lib');
const lambda = require('aws-cdk-lib/aws-lambda');
appendFileSync(new URL('./.synths', import.meta.url), 'x');
const app = new App();
const stack = new Stack(app, 'Unstaged');
new lambda.Function(stack, 'Hello', {
  runtime: lambda.Runtime.NODEJS_20_X,
  handler: 'index.handler',
  code: lambda.Code.fromAsset('handlers/hello'),
  environment: { VERSION: ${JSON.stringify(version)} },
  timeout: Duration.seconds(30),
});
app.synth();
`;
  let project: string;
  let child: ChildProcessWithoutNullStreams;
  let stderr = '';
  let url: string;
  const synths = async (): Promise<number> => (await readFile(join(project, '.synths'), 'utf8')).length;

  before(async () => {
    project = await mkdtemp(join(tmpdir(), 'cdk-local-watch-unstaged-'));
    await mkdir(join(project, 'handlers', 'hello'), { recursive: true });
    await writeFile(join(project, 'handlers', 'hello', 'index.js'), handlerSource('first'));
    await writeFile(join(project, 'app.mjs'), countedApp('one'));
    await writeFile(join(project, 'cdk.json'), JSON.stringify({ app: 'node app.mjs' }));
    child = spawn(process.execPath, [CLI_PATH, 'start-lambda', '--port', '0', '--watch', '--no-sandbox'], { cwd: project, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    let stdout = '';
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`start-lambda did not start within 120 s:\n${stderr}`)), 120_000);
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        const match = /Lambda Invoke API at (http:\/\/\S+)/.exec(stdout);
        if (match !== null) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      child.once('exit', () => reject(new Error(`start-lambda exited:\n${stderr}`)));
    });
  });

  after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await rm(project, { recursive: true, force: true });
  });

  const invoke = async (): Promise<unknown> => {
    const response = await fetch(`${url}/2015-03-31/functions/Hello/invocations`, { method: 'POST', body: '{}' });
    assert.equal(response.status, 200);
    return response.json();
  };

  const reloadLine = async (from: number): Promise<string> => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const match = /^cdk-local: .*changed: .*\(.*\d+ ms\)$/m.exec(stderr.slice(from));
      if (match !== null) return match[0];
      if (Date.now() > deadline) throw new Error(`no reload line within 120 s:\n${stderr.slice(from)}`);
      await sleep(100);
    }
  };

  it('an edit of the handler reloads its function without running the app', async () => {
    assert.deepEqual(await invoke(), { answer: 'first' });
    const before = await synths();
    const from = stderr.length;
    await writeFile(join(project, 'handlers', 'hello', 'index.js'), handlerSource('second'));
    assert.match(await reloadLine(from), /^cdk-local: handlers\/hello\/index\.js changed: reloaded Unstaged\/Hello \(no synth needed, \d+ ms\)$/);
    assert.deepEqual(await invoke(), { answer: 'second' });
    assert.equal(await synths(), before, 'the app did not run');
  });

  it('an edit of the app synthesizes it again', async () => {
    const before = await synths();
    const from = stderr.length;
    await writeFile(join(project, 'app.mjs'), countedApp('two'));
    assert.match(await reloadLine(from), /^cdk-local: app\.mjs changed: reloaded Unstaged\/Hello \(\d+ ms\)$/);
    assert.equal(await synths(), before + 1);
    assert.deepEqual(await invoke(), { answer: 'second' });
  });
});
