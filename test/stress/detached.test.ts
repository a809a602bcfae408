// Processes a function starts that leave its runtime's process tree and group (a
// double-forked `setsid` daemon, a shell in a session of its own): frozen with the
// environment between invocations, thawed with it, and ended with it at a reset, an idle
// reclaim and close(), with and without bubblewrap's sandbox.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { detectBubblewrap } from '../../lib/environment/sandbox/index.js';
import type { LocalLambda, LogRecord } from '../../lib/index.js';
import { createStressApp, eventually, processesWithMarker, StressFunctions, type StressApp } from './stress-app.js';

/** How long processes may take to go once their environment has been ended. */
const CLEANUP_WAIT_MS = 10_000;
/** The longest any single step may take before the test calls it a hang. */
const STEP_TIMEOUT_MS = 30_000;

const bubblewrap = await detectBubblewrap();

/** The run's daemons: its processes that run `sleep 1000` (or `setsid` about to exec it, if frozen just then). */
async function daemonsOf(app: StressApp): Promise<number[]> {
  const found: number[] = [];
  for (const pid of await processesWithMarker(app.marker)) {
    const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (command.endsWith('sleep\u00001000\u0000')) found.push(pid);
  }
  return found;
}

for (const sandbox of [false, 'auto'] as const) {
  describe(`processes that leave the runtime's tree are the environment's too (sandbox: ${sandbox})`, () => {
    let app: StressApp;
    let local: LocalLambda | undefined;

    /** Opens the app, closing what the test before left open (a failed one). */
    const open = async (options: Parameters<StressApp['open']>[0]): Promise<LocalLambda> => {
      await local?.close();
      local = await app.open(options);
      return local;
    };

    before(async () => {
      app = await createStressApp();
    });

    after(async () => {
      await local?.close();
      if (app !== undefined) {
        let left: number[] = [];
        try {
          await eventually(async () => {
            left = await processesWithMarker(app.marker);
            assert.deepEqual(left, []);
          }, CLEANUP_WAIT_MS);
        } finally {
          // What outlived its environment was started by this test: end it here, by pid.
          for (const pid of left) {
            try {
              process.kill(pid, 'SIGKILL');
            } catch {
              // Gone meanwhile.
            }
          }
          await app.remove();
        }
      }
    });

    const daemonRuns = async (): Promise<void> => {
      assert.equal((await daemonsOf(app)).length, 1, 'the double-forked daemon runs');
    };
    const gone = (what: string): Promise<void> =>
      eventually(async () => assert.deepEqual(await processesWithMarker(app.marker), [], what), CLEANUP_WAIT_MS);

    it('a double-forked setsid daemon is gone after close()', async () => {
      local = await open({ sandbox });
      const result = await local.invoke(StressFunctions.detacher, { event: { action: 'daemon' } });
      assert.equal(result.error, undefined, result.error?.errorMessage);
      await daemonRuns();
      await local.close();
      await gone('the daemon went with its environment at close()');
    });

    it('a double-forked setsid daemon is gone after a reset (the runtime crashed)', async () => {
      local = await open({ sandbox });
      const result = await local.invoke(StressFunctions.detacher, { event: { action: 'daemon', exit: true } });
      assert.equal(result.error?.errorType, 'Runtime.ExitError', JSON.stringify(result.error));
      // The reset is over when the caller has its answer: nothing of that environment is left.
      await gone('the daemon went with its environment at the reset');
      await local.close();
    });

    it('a double-forked setsid daemon is gone after its idle environment is reclaimed', async () => {
      local = await open({ sandbox, idleTimeoutMs: 200 });
      const reclaimed = local.waitFor((event) => event.type === 'shutdown', { timeoutMs: STEP_TIMEOUT_MS });
      const result = await local.invoke(StressFunctions.detacher, { event: { action: 'daemon' } });
      assert.equal(result.error, undefined, result.error?.errorMessage);
      await reclaimed;
      await gone('the daemon went with its environment when it was reclaimed');
      await local.close();
    });

    const tickerIsFrozenAndThawed = async (tickerEvent: { action: 'ticker'; emptyEnvironment?: boolean }): Promise<void> => {
      const ticks: number[] = [];
      const onLog = (record: LogRecord): void => {
        const match = /^tick (\d+)$/.exec(record.text);
        if (match !== null) ticks.push(Number(match[1]));
      };
      local = await open({ sandbox, onLog });
      const frozen = local.waitFor((event) => event.type === 'frozen', { timeoutMs: STEP_TIMEOUT_MS });
      const result = await local.invoke(StressFunctions.detacher, { event: tickerEvent });
      assert.equal(result.error, undefined, result.error?.errorMessage);
      await frozen;
      // A line written just before the freeze may still be on its way: let it arrive.
      await sleep(1000);
      const whileFrozen = ticks.length;
      await sleep(1000);
      assert.equal(ticks.length, whileFrozen, `the child logged ${ticks.length - whileFrozen} ticks while its environment was frozen`);

      // The next invocation thaws it: it ticks again while the function runs.
      const thawedRun = local.invoke(StressFunctions.detacher, { event: { holdMs: 3000 } });
      await eventually(() => assert.ok(ticks.length > whileFrozen, 'the child ticks again once thawed'), STEP_TIMEOUT_MS);
      const thawed = await thawedRun;
      assert.equal(thawed.error, undefined, thawed.error?.errorMessage);
      await local.close();
      await gone('the ticking child went with its environment');
    };

    it('a child in a session of its own is frozen with the environment and thawed with it', () => tickerIsFrozenAndThawed({ action: 'ticker' }));

    // Without the sandbox, such a child escapes: nothing ties it to its environment (see the README).
    it(
      'in the sandbox, a child in a session of its own and without the function’s variables is frozen and thawed too: it is in the sandbox’s PID namespace',
      { skip: sandbox === false || !bubblewrap.available ? 'only the sandbox has a PID namespace of its own' : false },
      () => tickerIsFrozenAndThawed({ action: 'ticker', emptyEnvironment: true }),
    );
  });
}
