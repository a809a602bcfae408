// SIGINT and SIGTERM to the command line with invocations in flight: `cdk-local invoke` and
// `cdk-local start-lambda` shut down in order, every process of every function is gone
// within the shutdown budget, start-lambda's port is free again, no caller hangs; a second
// Ctrl-C exits at once and still leaves nothing behind.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { constants } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LocalLambda } from '../../lib/index.js';
import { limitRun, withinLimit } from '../helpers/run-cli.js';
import { createStressApp, eventually, processesWithMarker, StressFunctions, type StressApp } from './stress-app.js';

const CLI = join(fileURLToPath(new URL('../../', import.meta.url)), 'dist', 'bin', 'cdk-local.js');
/**
 * How long the command may take to exit and its functions' processes to go after the
 * signal. The shutdown takes Lambda's 2 s budget at most; the bound is generous so that a
 * loaded machine does not fail the test, and still far below the 55 s the function would hold.
 */
const SHUTDOWN_BUDGET_MS = 20_000;
/** How long to wait for the command to start and its invocations to be under way. */
const START_TIMEOUT_MS = 30_000;

/** A running command, with its output so far and a way to wait for a line of it. */
class Command {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #waiters = new Set<() => void>();

  constructor(args: readonly string[]) {
    // A group of its own, so that a hung command is killed with everything it started.
    this.child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    this.child.stdin.end();
    this.child.stdout.on('data', (chunk: Buffer) => this.#append('stdout', chunk));
    this.child.stderr.on('data', (chunk: Buffer) => this.#append('stderr', chunk));
    const limit = limitRun(this.child, `cdk-local ${args[0]}`, () => `stdout: ${this.stdout.slice(-1000)}\nstderr: ${this.stderr.slice(-1000)}`);
    const exit = once(this.child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
    this.exited = withinLimit(exit, limit);
  }

  #append(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    this[stream] += chunk.toString('utf8');
    for (const check of this.#waiters) check();
  }

  /** Resolves when `pattern` has appeared in stdout or stderr; rejects if the command exits or time runs out first. */
  async waitFor(pattern: RegExp, timeoutMs = START_TIMEOUT_MS): Promise<RegExpMatchArray> {
    let check: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await new Promise<RegExpMatchArray>((resolve, reject) => {
        check = () => {
          const match = pattern.exec(this.stdout) ?? pattern.exec(this.stderr);
          if (match !== null) resolve(match);
        };
        this.#waiters.add(check);
        check();
        timer = setTimeout(() => reject(new Error(`${pattern} not printed within ${timeoutMs} ms; stderr: ${this.stderr.slice(-500)}`)), timeoutMs);
        void this.exited.then(({ code, signal }) => reject(new Error(`exited (${code ?? signal}) before printing ${pattern}; stderr: ${this.stderr.slice(-500)}`)));
      });
    } finally {
      if (check !== undefined) this.#waiters.delete(check);
      clearTimeout(timer);
    }
  }

  /** Waits for the exit, at most `timeoutMs`; kills the command (and fails) if it does not come. */
  async exit(timeoutMs = SHUTDOWN_BUDGET_MS): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(new Error(`did not exit within ${timeoutMs} ms of the signal; stderr: ${this.stderr.slice(-500)}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * POSTs an Invoke to start-lambda, on a connection of its own or one kept alive after the
 * answer (as the AWS SDK's are); settles with the status, or the error that ended the request.
 */
function invokeOverHttp(url: string, functionName: string, event: unknown, agent: Agent | false): Promise<number | Error> {
  return new Promise((resolve) => {
    const body = JSON.stringify(event);
    const call = request(`${url}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`, { method: 'POST', agent, headers: { 'Content-Length': Buffer.byteLength(body) } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', resolve);
    });
    call.on('error', resolve);
    call.end(body);
  });
}

/** True when nothing listens on `port` of 127.0.0.1 any more. */
async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  try {
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    return true;
  } catch {
    return false;
  } finally {
    server.close();
  }
}

describe('signals to the command line with invocations in flight', () => {
  let app: StressApp;
  let holderName: string;

  before(async () => {
    app = await createStressApp();
    await using local = await LocalLambda.fromAssembly(app.assembly, { credentials: 'none' });
    holderName = local.getFunction(StressFunctions.holder).functionName;
  });

  after(async () => {
    if (app !== undefined) {
      await eventually(async () => assert.deepEqual(await processesWithMarker(app.marker), []), SHUTDOWN_BUDGET_MS);
      await app.remove();
    }
  });

  const gone = (): Promise<void> =>
    eventually(async () => assert.deepEqual(await processesWithMarker(app.marker), [], 'no process of a function is left'), SHUTDOWN_BUDGET_MS);

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    // As shells report a death by signal: SIGINT 130, SIGTERM 143, SIGHUP 129.
    const exitCode = 128 + constants.signals[signal];
    it(`cdk-local invoke, ${signal} while the function runs: exits by itself with ${exitCode}, leaves no process`, async (t) => {
      const command = new Command(['invoke', StressFunctions.holder, '--app', app.assembly, '--env-vars', app.envVarsFile, '--event-json', '{"id":1}']);
      await command.waitFor(/holding 1/);
      const signalledAt = performance.now();
      command.child.kill(signal);
      const { code, signal: killedBy } = await command.exit();
      t.diagnostic(`exited ${Math.round(performance.now() - signalledAt)} ms after ${signal}`);
      assert.equal(killedBy, null, 'it handled the signal and exited');
      assert.equal(code, exitCode, `exit code after ${signal}; stderr: ${command.stderr.slice(-500)}`);
      assert.doesNotMatch(command.stderr, /--help|CDKL_USAGE/, 'an interruption is not reported as a usage error');
      await gone();
    });

    for (const keepAlive of [false, true]) {
      const callers = keepAlive ? 'keep-alive callers (as SDKs)' : 'a connection per call';
      it(`cdk-local start-lambda, ${signal} with 3 invocations in flight, ${callers}: exits with ${exitCode}, callers answered or cut off, no process left, port free`, async (t) => {
        const agent = keepAlive ? new Agent({ keepAlive: true }) : false;
        const command = new Command(['start-lambda', '--app', app.assembly, '--env-vars', app.envVarsFile, '--port', '0']);
        try {
          const [, url, port] = (await command.waitFor(/(http:\/\/127\.0\.0\.1:(\d+))/)) as RegExpMatchArray & [string, string, string];
          const calls = [1, 2, 3].map((id) => invokeOverHttp(url, holderName, { id }, agent));
          for (const id of [1, 2, 3]) await command.waitFor(new RegExp(`holding ${id}`));
          const signalledAt = performance.now();
          command.child.kill(signal);
          const { code, signal: killedBy } = await command.exit();
          t.diagnostic(`exited ${Math.round(performance.now() - signalledAt)} ms after ${signal}`);
          assert.equal(killedBy, null, 'it handled the signal and exited');
          assert.equal(code, exitCode, `exit code after ${signal}; stderr: ${command.stderr.slice(-500)}`);
          // Each caller gets an answer or a closed connection; none waits for the 55 s the function would take.
          const outcomes = await Promise.all(calls);
          assert.equal(outcomes.length, 3, `outcomes: ${outcomes.map(String).join(', ')}`);
          await gone();
          assert.ok(await portIsFree(Number(port)), `port ${port} is free again`);
        } finally {
          if (agent !== false) agent.destroy();
          await command.exited;
        }
      });
    }
  }

  it('cdk-local start-lambda, a second SIGINT while shutting down: exits at once with 130, still leaves no process', async () => {
    const command = new Command(['start-lambda', '--app', app.assembly, '--env-vars', app.envVarsFile, '--port', '0']);
    const [, url] = (await command.waitFor(/(http:\/\/127\.0\.0\.1:\d+)/)) as RegExpMatchArray & [string, string];
    const call = invokeOverHttp(url, holderName, { id: 9 }, false);
    await command.waitFor(/holding 9/);
    command.child.kill('SIGINT');
    await command.waitFor(/shutting down/);
    command.child.kill('SIGINT');
    const { code, signal: killedBy } = await command.exit();
    assert.equal(killedBy, null, 'it exited by itself');
    assert.equal(code, 130);
    await call;
    await gone();
  });
});
