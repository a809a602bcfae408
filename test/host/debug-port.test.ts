import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isCdkLocalError } from '../../lib/errors.js';
import { LocalLambda } from '../../lib/host/index.js';
import { DevTools, debuggerUrl, freePort } from '../helpers/devtools.js';

describe('LocalLambda with debugPort', () => {
  let project: string;
  before(async () => {
    project = await mkdtemp(join(tmpdir(), 'cdk-local-debug-lib-'));
    const app = fileURLToPath(new URL('../fixtures/debug/debug-app.mjs', import.meta.url));
    await writeFile(join(project, 'cdk.json'), JSON.stringify({ app: `node ${app}` }));
  });
  after(async () => rm(project, { recursive: true, force: true }));

  it('keeps a debugged function to one environment, and the function still sees the deadline Lambda would give it', async () => {
    const port = await freePort();
    const notices: string[] = [];
    await using local = await LocalLambda.fromApp({
      cwd: project,
      debugPort: port,
      credentials: 'none',
      sandbox: false,
      cacheDirectory: join(project, 'cache'),
      onNotice: (message) => notices.push(message),
    });
    const first = await local.start('Remaining', { payload: Buffer.from('{}') });
    // The first environment waits for its debugger: a second one would contend for the port.
    await assert.rejects(local.start('Remaining', { payload: Buffer.from('{}') }), (error) => isCdkLocalError(error) && error.code === 'CDKL_TOO_MANY_REQUESTS');
    assert.ok(notices.some((notice) => notice.startsWith(`debugging Debug/Remaining on 127.0.0.1:${port}: `)), notices.join('\n'));

    const stop = new AbortController();
    const watchdog = setTimeout(() => stop.abort(new Error('no debugger target within 60 s')), 60_000);
    const devtools = await DevTools.connect(await debuggerUrl(port, stop.signal)).finally(() => clearTimeout(watchdog));
    try {
      await devtools.send('Debugger.enable');
      // `const remaining = context.getRemainingTimeInMillis();` (0-based line 9 of debug-me.js)
      await devtools.send('Debugger.setBreakpointByUrl', { urlRegex: 'debug-me\\.js$', lineNumber: 9 });
      const paused = devtools.next<{ callFrames: { location: { lineNumber: number } }[] }>('Debugger.paused');
      await devtools.send('Runtime.runIfWaitingForDebugger');
      assert.equal((await paused).callFrames[0]!.location.lineNumber, 9);
      // Held twice the function's 1 s timeout: the deadline has passed when the function reads it.
      await sleep(2000);
      await devtools.send('Debugger.resume');
      const response = await first.response;
      assert.equal(response.kind, 'payload', JSON.stringify(response));
      const report = await first.report;
      assert.equal(report.status, 'success');
      const { remaining } = JSON.parse(response.kind === 'payload' ? response.body.toString('utf8') : '{}') as { remaining: number };
      assert.ok(remaining < 0, `the remaining time is Lambda's (deadline passed): ${remaining}`);
    } finally {
      devtools.socket.close();
    }
  });
});
