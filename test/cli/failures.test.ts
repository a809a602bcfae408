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
});
