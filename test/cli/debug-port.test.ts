import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { detectBubblewrap } from '../../lib/environment/sandbox/index.js';
import { CLI_PATH } from '../helpers/example-app.js';
import { DevTools, debuggerUrl, freePort } from '../helpers/devtools.js';
import { runCli } from '../helpers/run-cli.js';

const detection = await detectBubblewrap();

describe('cdk-local invoke --debug-port', () => {
  let project: string;
  before(async () => {
    project = await mkdtemp(join(tmpdir(), 'cdk-local-debug-'));
    const app = fileURLToPath(new URL('../fixtures/debug/debug-app.mjs', import.meta.url));
    await writeFile(join(project, 'cdk.json'), JSON.stringify({ app: `node ${app}` }));
    const list = await runCli(['list'], { cwd: project });
    assert.equal(list.exitCode, 0, list.stderr);
  });
  after(async () => rm(project, { recursive: true, force: true }));

  for (const mode of ['--no-sandbox', '--sandbox'] as const) {
    const skip = mode === '--sandbox' && !detection.available ? 'bubblewrap cannot make a sandbox here' : false;
    it(`a DevTools client stops at a breakpoint in the handler, holds it past the 1 s timeout, and the invocation still answers (${mode})`, { skip }, async () => {
      const port = await freePort();
      const child = spawn(process.execPath, [CLI_PATH, 'invoke', 'Stop', '--event-json', '{"add":2}', '--debug-port', String(port), mode], {
        cwd: project,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      const exited = once(child, 'close') as Promise<[number | null]>;
      const stop = new AbortController();
      const watchdog = setTimeout(() => stop.abort(new Error(`no debugger target within 60 s; stderr:\n${stderr}`)), 60_000);
      let devtools: DevTools | undefined;
      try {
        devtools = await DevTools.connect(await debuggerUrl(port, stop.signal));
        clearTimeout(watchdog);
        await devtools.send('Debugger.enable');
        // Line 4 of debug-me.js (0-based 3): `const answer = base + event.add;`
        const breakpoint = (await devtools.send('Debugger.setBreakpointByUrl', { urlRegex: 'debug-me\\.js$', lineNumber: 3 })) as { breakpointId?: string };
        assert.ok(breakpoint.breakpointId, JSON.stringify(breakpoint));
        const paused = devtools.next<{ callFrames: { location: { scriptId: string; lineNumber: number } }[]; hitBreakpoints?: string[] }>('Debugger.paused');
        await devtools.send('Runtime.runIfWaitingForDebugger');
        const at = (await paused).callFrames[0]!.location;
        const url = devtools.scripts.get(at.scriptId);
        assert.match(url ?? '', /debug-me\.js$/);
        assert.equal(at.lineNumber, 3);
        if (mode === '--sandbox') assert.equal(url, 'file:///var/task/debug-me.js', "in the sandbox the debugger sees Lambda's paths");
        // Held well past the function's 1 s timeout: that is the point, not a measure of speed.
        await sleep(3000);
        await devtools.send('Debugger.resume');
        const [exitCode] = await exited;
        assert.equal(exitCode, 0, stderr);
        assert.deepEqual(JSON.parse(stdout), { answer: 42 });
        assert.doesNotMatch(stderr, /Task timed out|Sandbox\.Timedout/);
        assert.match(stderr, new RegExp(`debugging Debug/Stop on 127\\.0\\.0\\.1:${port}: .*timeouts are off while the debugger may hold the function`));
        assert.match(stderr, /^START RequestId: /m);
      } finally {
        clearTimeout(watchdog);
        devtools?.socket.close();
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          await exited;
        }
      }
    });
  }

  it('a Python function without debugpy: one sentence naming pip install debugpy and --debugger-path (debugpy is not installed here, so only this path is tested)', async () => {
    const port = await freePort();
    const run = await runCli(['invoke', 'Snake', '--debug-port', String(port), '--debugger-path', join(project, 'nowhere')], { cwd: project });
    assert.equal(run.exitCode, 2, run.stderr);
    assert.match(run.stderr, /Debug\/Snake cannot be debugged: .* has no debugpy \(nor in .*nowhere\); run `pip install debugpy`, or pass --debugger-path with the directory that holds it\./);
    assert.doesNotMatch(run.stderr, /^START /m, 'nothing ran');
  });

  it('the debug port must be a fixed port, given as --debug-port or CDK_LOCAL_DEBUG_PORT', async () => {
    const run = await runCli(['invoke', 'Stop', '--debug-port', '0'], { cwd: project });
    assert.equal(run.exitCode, 2, run.stderr);
    assert.match(run.stderr, /The debug port must be a whole number from 1 to 65535/);
    const fromEnv = await runCli(['invoke', 'Stop'], { cwd: project, env: { CDK_LOCAL_DEBUG_PORT: 'abc' } });
    assert.equal(fromEnv.exitCode, 2, fromEnv.stderr);
    assert.match(fromEnv.stderr, /CDK_LOCAL_DEBUG_PORT must be a port number from 1 to 65535, not 'abc'; unset it or fix it\./);
  });
});
