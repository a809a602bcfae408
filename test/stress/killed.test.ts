// SIGKILL of the command line, which no handler sees: `start-lambda` with warm idle
// (frozen) environments, a daemon a function double-forked and an invocation in flight,
// and `invoke` with its function running. With and without bubblewrap's sandbox, no
// process of the killed run is left once the next cdk-local has started, and the next one
// removes the killed run's temp directories.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import { LocalLambda } from '../../lib/index.js';
import { detectBubblewrap } from '../../lib/environment/sandbox/index.js';
import { runCli } from '../helpers/run-cli.js';
import { CLI_PATH } from '../helpers/example-app.js';
import { createStressApp, eventually, MARKER_VARIABLE, processesWithMarker, StressFunctions, type StressApp } from './stress-app.js';

/** How long the killed run's processes may take to go once the next run has started. */
const CLEANUP_WAIT_MS = 10_000;
/** How long to wait for a command to start and its invocations to be under way. */
const START_TIMEOUT_MS = 30_000;

const bubblewrap = await detectBubblewrap();

/** A running command, with a way to wait for a line of its output. */
class Command {
  readonly child: ChildProcessWithoutNullStreams;
  output = '';
  readonly exited: Promise<unknown>;

  constructor(args: readonly string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [CLI_PATH, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    this.child.stdin.end();
    this.child.stdout.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    this.child.stderr.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    this.exited = once(this.child, 'exit');
  }

  /** Resolves with the first match of `pattern` in its output. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray> {
    return eventually(() => {
      const match = pattern.exec(this.output);
      assert.ok(match !== null, `${pattern} not printed; output: ${this.output.slice(-500)}`);
      return match;
    }, START_TIMEOUT_MS);
  }
}

async function invokeOverHttp(url: string, functionName: string, event: unknown): Promise<number> {
  const response = await fetch(`${url}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`, { method: 'POST', body: JSON.stringify(event) });
  await response.arrayBuffer();
  return response.status;
}

const modes = [
  { name: 'without a sandbox', args: ['--no-sandbox'], skip: false as const },
  { name: 'in the sandbox', args: ['--sandbox'], skip: bubblewrap.available ? (false as const) : 'bubblewrap cannot make a sandbox here' },
];

for (const mode of modes) {
  describe(`a cdk-local killed by SIGKILL leaves nothing behind once the next one starts (${mode.name})`, { skip: mode.skip }, () => {
    let app: StressApp;
    /** TMPDIR of the commands: where their temp directories are, apart from everyone else's. */
    let tmp: string;
    /** The variables file of the next run: the same app under another marker. */
    let nextEnvVars: string;
    let nextMarker: string;
    const names: Record<string, string> = {};

    before(async () => {
      app = await createStressApp();
      await using local = await LocalLambda.fromAssembly(app.assembly, { credentials: 'none' });
      for (const path of [StressFunctions.echo, StressFunctions.holder, StressFunctions.detacher]) names[path] = local.getFunction(path).functionName;
      tmp = await mkdtemp(join(tmpdir(), 'cdk-local-killed-'));
      nextMarker = randomUUID();
      nextEnvVars = join(tmp, 'next-env-vars.json');
      await writeFile(nextEnvVars, JSON.stringify({ Parameters: { [MARKER_VARIABLE]: nextMarker } }));
    });

    after(async () => {
      // Whatever a failed test left was started by it: end it here, by pid.
      for (const pid of [...(await processesWithMarker(app.marker)), ...(await processesWithMarker(nextMarker))]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone meanwhile.
        }
      }
      await rm(tmp, { recursive: true, force: true });
      await app.remove();
    });

    const sandboxDirectories = async (): Promise<string[]> => (await readdir(tmp)).filter((entry) => entry.startsWith('cdk-local-sandbox-'));

    /** Starts the next cdk-local (an invoke that runs to its end) and checks that nothing of the killed one is left. */
    const nextRunCleansUp = async (): Promise<void> => {
      const next = await runCli(['invoke', StressFunctions.echo, ...mode.args, '--app', app.assembly, '--env-vars', nextEnvVars, '--event-json', '{"id":2}'], { env: { TMPDIR: tmp } });
      assert.equal(next.exitCode, 0, next.stderr);
      await eventually(async () => assert.deepEqual(await processesWithMarker(app.marker), [], 'no process of the killed run is left'), CLEANUP_WAIT_MS);
      assert.deepEqual(await sandboxDirectories(), [], 'the killed run’s temp directories are gone');
      await eventually(async () => assert.deepEqual(await processesWithMarker(nextMarker), [], 'the next run left nothing either'), CLEANUP_WAIT_MS);
    };

    it('start-lambda with warm idle environments, a double-forked daemon and an invocation in flight', async () => {
      const killed = new Command(['start-lambda', ...mode.args, '--app', app.assembly, '--env-vars', app.envVarsFile, '--port', '0'], { TMPDIR: tmp });
      try {
        const [, url] = (await killed.waitFor(/(http:\/\/127\.0\.0\.1:\d+)/)) as RegExpExecArray & [string, string];
        assert.equal(await invokeOverHttp(url, names[StressFunctions.echo]!, { id: 1 }), 200);
        assert.equal(await invokeOverHttp(url, names[StressFunctions.detacher]!, { action: 'daemon' }), 200);
        const inFlight = invokeOverHttp(url, names[StressFunctions.holder]!, { id: 5 }).catch((error: unknown) => error);
        await killed.waitFor(/holding 5/);
        assert.ok((await processesWithMarker(app.marker)).length >= 4, 'three runtimes and a daemon run');
        if (mode.args[0] === '--sandbox') assert.equal((await sandboxDirectories()).length, 1, 'the run has its sandbox directory');
        killed.child.kill('SIGKILL');
        await killed.exited;
        await inFlight;
      } finally {
        killed.child.kill('SIGKILL');
      }
      await nextRunCleansUp();
    });

    it('invoke while its function runs', async () => {
      const killed = new Command(['invoke', StressFunctions.holder, ...mode.args, '--app', app.assembly, '--env-vars', app.envVarsFile, '--event-json', '{"id":7}'], { TMPDIR: tmp });
      try {
        await killed.waitFor(/holding 7/);
        assert.ok((await processesWithMarker(app.marker)).length >= 1, 'the runtime runs');
        killed.child.kill('SIGKILL');
        await killed.exited;
      } finally {
        killed.child.kill('SIGKILL');
      }
      await nextRunCleansUp();
    });
  });
}
