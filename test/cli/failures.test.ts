import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli, type CliRun } from '../helpers/run-cli.js';

// What `cdk-local invoke` shows for each way a function can fail: the error type and message
// Lambda gives, the log lines Lambda prints, and exit code 1 (the function failed).
describe('cdk-local invoke on the failure fixtures', () => {
  let project: string;
  before(async () => {
    project = await mkdtemp(join(tmpdir(), 'cdk-local-failures-'));
    const app = fileURLToPath(new URL('../fixtures/cli/failures-app.mjs', import.meta.url));
    await writeFile(join(project, 'cdk.json'), JSON.stringify({ app: `node ${app}` }));
    // Synthesize once, up front, so the tests below read the same assembly.
    const list = await runCli(['list'], { cwd: project });
    assert.equal(list.exitCode, 0, list.stderr);
  });
  after(async () => rm(project, { recursive: true, force: true }));

  const invoke = (name: string, event = '{"orderId":"42","text":"x"}'): Promise<CliRun> => runCli(['invoke', name, '--event-json', event], { cwd: project });
  const error = (run: CliRun): { errorType: string; errorMessage: string } => JSON.parse(run.stdout);

  it('G.38 an error thrown while the module loads is the init error; INIT_REPORT twice, as Lambda retries init in the invoke', async () => {
    const run = await invoke('InitThrows');
    assert.equal(run.exitCode, 1);
    assert.equal(error(run).errorType, 'TypeError');
    assert.equal(error(run).errorMessage, 'TABLE_NAME is not configured');
    assert.equal(run.stderr.match(/^INIT_REPORT Init Duration: [\d.]+ ms\tPhase: (init|invoke)\tStatus: error\tError Type: TypeError$/gm)?.length, 2, run.stderr);
    assert.match(run.stderr, /\tStatus: error\tError Type: TypeError$/m);
  });

  it('Runtime.HandlerNotFound and Runtime.ImportModuleError, as the Node.js runtime reports them', async () => {
    const missing = await invoke('HandlerMissing');
    assert.equal(missing.exitCode, 1);
    assert.equal(error(missing).errorType, 'Runtime.HandlerNotFound');
    assert.equal(error(missing).errorMessage, 'handlers.handler is undefined or not exported');
    const module = await invoke('ModuleMissing');
    assert.equal(error(module).errorType, 'Runtime.ImportModuleError');
    assert.match(error(module).errorMessage, /Cannot find module 'nowhere'/);
  });

  it('a function that grows past its memory: Runtime.OutOfMemory', async () => {
    const run = await invoke('MemoryHog');
    assert.equal(run.exitCode, 1);
    assert.equal(error(run).errorType, 'Runtime.OutOfMemory');
    assert.match(run.stderr, /Max Memory Used: (1[2-9]\d|[2-9]\d\d) MB\t.*Status: error\tError Type: Runtime\.OutOfMemory$/m);
  });

  it('Python: a raised exception and a missing module', async () => {
    const raised = await invoke('PythonRaises');
    assert.equal(raised.exitCode, 1);
    assert.equal(error(raised).errorType, 'OrderNotFound');
    assert.equal(error(raised).errorMessage, 'no order 42');
    assert.match(raised.stderr, /^\[ERROR\] OrderNotFound: no order 42/m);
    const missing = await invoke('PythonMissing');
    assert.equal(error(missing).errorType, 'Runtime.ImportModuleError');
    assert.match(error(missing).errorMessage, /^Unable to import module 'app': No module named 'app'/);
  });

  it('a shell-and-curl custom runtime answers; one that hangs times out; one that exits during init is Runtime.ExitError', async () => {
    const echo = await invoke('ShellEcho', '{"echo":true}');
    assert.equal(echo.exitCode, 0, echo.stderr);
    assert.equal(echo.stdout, '{"echo":true}');
    const hang = await invoke('ShellHang');
    assert.equal(hang.exitCode, 1);
    assert.equal(error(hang).errorType, 'Sandbox.Timedout');
    assert.match(error(hang).errorMessage, /Task timed out after 1\.00 seconds$/);
    const crash = await invoke('ShellInitCrash');
    assert.equal(crash.exitCode, 1);
    assert.equal(error(crash).errorType, 'Runtime.ExitError');
    assert.match(error(crash).errorMessage, /Runtime exited with error: exit status 3$/);
    assert.match(crash.stderr, /^starting up, then failing$/m);
  });

  it("N.74 N.76 a function gets Lambda's reserved variables, its own, the user's credentials, and nothing else of the host", async () => {
    const overrides = join(project, 'env.json');
    await writeFile(overrides, JSON.stringify({ Parameters: { AWS_LAMBDA_FUNCTION_VERSION: '7', EXTRA: 'from --env-vars' } }));
    const run = await runCli(['invoke', 'EnvDump', '--env-vars', overrides], {
      cwd: project,
      env: { HOST_ONLY_SECRET: 'leak', AWS_ACCESS_KEY_ID: 'AKIAUSERKEY', AWS_SECRET_ACCESS_KEY: 'user-secret', AWS_SESSION_TOKEN: 'user-token', AWS_REGION: 'eu-central-1' },
    });
    assert.equal(run.exitCode, 0, run.stderr);
    const env = JSON.parse(run.stdout) as Record<string, string>;
    assert.equal(env.HOST_ONLY_SECRET, undefined, 'nothing of the host leaks in');
    assert.equal(env.HOME, undefined);
    assert.equal(env.OWN, 'declared');
    assert.equal(env.EXTRA, 'from --env-vars');
    assert.equal(env.AWS_REGION, 'eu-central-1');
    assert.equal(env.AWS_DEFAULT_REGION, 'eu-central-1');
    assert.deepEqual([env.AWS_ACCESS_KEY_ID, env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN], ['AKIAUSERKEY', 'user-secret', 'user-token']);
    assert.equal(env.AWS_EXECUTION_ENV, 'AWS_Lambda_nodejs20.x');
    assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '128');
    assert.equal(env.AWS_LAMBDA_FUNCTION_VERSION, '$LATEST', "reserved variables win over the function's own");
    assert.match(env.AWS_LAMBDA_FUNCTION_NAME!, /^Failures-EnvDump[A-Z0-9]*-[A-Z0-9]+$/);
    assert.equal(env.AWS_LAMBDA_LOG_GROUP_NAME, `/aws/lambda/${env.AWS_LAMBDA_FUNCTION_NAME}`);
    assert.match(env.AWS_LAMBDA_LOG_STREAM_NAME!, /^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
    assert.equal(env.AWS_LAMBDA_INITIALIZATION_TYPE, 'on-demand');
    assert.equal(env._HANDLER, 'index.handler');
    assert.equal(env.TZ, ':UTC');
    assert.equal(env.LANG, 'en_US.UTF-8');
    assert.match(env.AWS_LAMBDA_RUNTIME_API!, /^127\.0\.0\.1:\d+$/);
    assert.equal(env.AWS_XRAY_DAEMON_ADDRESS, '169.254.79.129:2000');
    assert.match(env._X_AMZN_TRACE_ID!, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
  });
});
