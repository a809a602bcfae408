import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CLI_PATH } from '../helpers/example-app.js';
import { runCli } from '../helpers/run-cli.js';

const require = createRequire(import.meta.url);
const run = promisify(execFile);

/** Two functions: one answers JSON (no newline at its end), one streams text that ends with one. */
function appScript(): string {
  return `
const cdk = require(${JSON.stringify(require.resolve('aws-cdk-lib'))});
const lambda = require(${JSON.stringify(require.resolve('aws-cdk-lib/aws-lambda'))});
const app = new cdk.App();
const stack = new cdk.Stack(app, 'TerminalStack');
new lambda.Function(stack, 'Json', {
  runtime: lambda.Runtime.NODEJS_20_X,
  handler: 'index.handler',
  timeout: cdk.Duration.seconds(60),
  code: lambda.Code.fromInline('exports.handler = async () => ({ answer: 42 });'),
});
new lambda.Function(stack, 'Lines', {
  runtime: lambda.Runtime.NODEJS_20_X,
  handler: 'index.handler',
  timeout: cdk.Duration.seconds(60),
  code: lambda.Code.fromInline('exports.handler = awslambda.streamifyResponse(async (event, stream) => { stream.write("one\\\\n"); stream.end("two\\\\n"); });'),
});
app.synth();
`;
}

/** Single-quotes a word for sh. */
const quote = (word: string): string => `'${word.replaceAll("'", `'\\''`)}'`;

describe('cdk-local invoke on a terminal and through a pipe', () => {
  let project: string;

  before(async () => {
    project = await mkdtemp(join(tmpdir(), 'cdk-local-terminal-'));
    await writeFile(join(project, 'app.cjs'), appScript());
    await writeFile(join(project, 'cdk.json'), JSON.stringify({ app: 'node app.cjs' }));
  });
  after(async () => rm(project, { recursive: true, force: true }));

  /** Runs the CLI with its stdout on a pseudo-terminal (util-linux `script`), stderr to a file; returns what the terminal showed. */
  async function onTerminal(name: string): Promise<string> {
    const stderrFile = join(project, `${name}.stderr`);
    const command = `${quote(process.execPath)} ${quote(CLI_PATH)} invoke ${name} 2>${quote(stderrFile)}`;
    const { stdout } = await run('script', ['-q', '-e', '-c', command, '/dev/null'], { cwd: project, timeout: 120_000 });
    assert.match(await readFile(stderrFile, 'utf8'), /^REPORT RequestId/m);
    return stdout;
  }

  it('ends the response with a newline on a terminal', async () => {
    // The terminal turns each \n into \r\n.
    assert.equal(await onTerminal('Json'), '{"answer":42}\r\n');
  });

  it('adds no second newline to a response that ends with one', async () => {
    assert.equal(await onTerminal('Lines'), 'one\r\ntwo\r\n');
  });

  it('keeps the response byte for byte through a pipe', async () => {
    const json = await runCli(['invoke', 'Json'], { cwd: project });
    assert.equal(json.exitCode, 0, json.stderr);
    assert.equal(json.stdout, '{"answer":42}');
    const lines = await runCli(['invoke', 'Lines'], { cwd: project });
    assert.equal(lines.exitCode, 0, lines.stderr);
    assert.equal(lines.stdout, 'one\ntwo\n');
  });
});
