// Many invocations at once across three functions that answer, throw, time out and crash at
// random: none is lost or answered twice, and closing gives back every process, file
// descriptor and byte of heap. STRESS_INVOCATIONS sets the count: `npm test` runs 300,
// `npm run test:stress` 10,000; STRESS_SEED replays a run.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { InvokeResult, LocalLambda } from '../../lib/index.js';
import { createStressApp, eventually, heapUsedAfterGc, openFileDescriptors, processesWithMarker, StressFunctions, type StressApp } from './stress-app.js';

const INVOCATIONS = Number(process.env.STRESS_INVOCATIONS ?? 300);
const CALLERS = 8;
const SEED = Number(process.env.STRESS_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** Heap that may stay in use after close: caches of modules loaded on the way, not invocations. */
const HEAP_SLACK_BYTES = 16 * 1024 * 1024;
/** File descriptors that may stay open after close (none should; this is for the runner's own). */
const FD_SLACK = 2;
/** How long processes and sockets may take to go once close() has resolved. */
const CLEANUP_WAIT_MS = 30_000;

type Outcome = 'ok' | 'throw' | 'exit' | 'kill' | 'timeout';

interface Planned {
  readonly id: number;
  readonly functionName: string;
  readonly action: string;
  readonly expected: Outcome;
}

/** mulberry32: a small seeded generator, so a failing run can be replayed with STRESS_SEED. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Echo 40 % (answers); Flaky 40 % (answers, throws, exits, is killed); Slow 20 % (answers, or times out). */
function plan(count: number, random: () => number): Planned[] {
  const planned: Planned[] = [];
  for (let id = 0; id < count; id++) {
    const pick = random();
    const roll = random();
    if (pick < 0.4) {
      planned.push({ id, functionName: StressFunctions.echo, action: 'ok', expected: 'ok' });
    } else if (pick < 0.8) {
      const action = roll < 0.76 ? 'ok' : roll < 0.88 ? 'throw' : roll < 0.94 ? 'exit' : 'kill';
      planned.push({ id, functionName: StressFunctions.flaky, action, expected: action as Outcome });
    } else {
      const hang = roll < 0.04;
      planned.push({ id, functionName: StressFunctions.slow, action: hang ? 'hang' : 'ok', expected: hang ? 'timeout' : 'ok' });
    }
  }
  return planned;
}

/** Why `result` is not the answer `planned` should get; undefined when it is. */
function mismatch(planned: Planned, result: InvokeResult): string | undefined {
  const { error, report } = result;
  const got = `${error === undefined ? `payload ${result.rawPayload.toString()}` : `${error.errorType}: ${error.errorMessage}`}, report ${report.status}`;
  const ok = (() => {
    switch (planned.expected) {
      case 'ok':
        return error === undefined && (result.payload as { id?: unknown } | undefined)?.id === planned.id && report.status === 'success';
      case 'throw':
        return error?.errorType === 'Error' && error.errorMessage === `boom ${planned.id}` && report.status === 'error';
      case 'exit':
      case 'kill':
        return error?.errorType === 'Runtime.ExitError' && report.status === 'error';
      case 'timeout':
        return error?.errorType === 'Sandbox.Timedout' && report.status === 'timeout';
    }
  })();
  return ok ? undefined : `#${planned.id} ${planned.functionName} ${planned.action}: expected ${planned.expected}, got ${got}`;
}

/** Runs one invocation of every kind, so that modules and caches are loaded before measuring. */
async function warmUp(app: StressApp): Promise<void> {
  const local = await app.open();
  try {
    const warmUpPlan: Planned[] = [
      { id: -1, functionName: StressFunctions.echo, action: 'ok', expected: 'ok' },
      { id: -2, functionName: StressFunctions.flaky, action: 'throw', expected: 'throw' },
      { id: -3, functionName: StressFunctions.flaky, action: 'exit', expected: 'exit' },
      { id: -4, functionName: StressFunctions.flaky, action: 'ok', expected: 'ok' },
      { id: -5, functionName: StressFunctions.slow, action: 'hang', expected: 'timeout' },
      { id: -6, functionName: StressFunctions.slow, action: 'ok', expected: 'ok' },
    ];
    for (const planned of warmUpPlan) {
      const result = await local.invoke(planned.functionName, { event: { id: planned.id, action: planned.action } });
      assert.equal(mismatch(planned, result), undefined);
    }
  } finally {
    await local.close();
  }
}

describe(`${INVOCATIONS} invocations from ${CALLERS} callers across 3 functions that throw, time out and crash`, () => {
  let app: StressApp;
  let baseline: { fds: number; heapBytes: number };

  before(async () => {
    app = await createStressApp();
    await warmUp(app);
    await eventually(async () => assert.deepEqual(await processesWithMarker(app.marker), []), CLEANUP_WAIT_MS);
    baseline = { fds: openFileDescriptors(), heapBytes: heapUsedAfterGc() };
  });

  after(async () => {
    if (app !== undefined) {
      await eventually(async () => assert.deepEqual(await processesWithMarker(app.marker), [], 'no process of a function outlives the suite'), CLEANUP_WAIT_MS);
      await app.remove();
    }
  });

  // A generous bound, so that a lost invocation fails the test instead of hanging it.
  it('every invocation gets exactly one answer of the right kind', { timeout: 120_000 + INVOCATIONS * 100 }, async (t) => {
    t.diagnostic(`STRESS_SEED=${SEED} STRESS_INVOCATIONS=${INVOCATIONS}`);
    const planned = plan(INVOCATIONS, seededRandom(SEED));
    const reports = new Map<string, number>();
    const local: LocalLambda = await app.open({
      onLog: (record) => {
        if (record.type !== 'platform' || !record.text.startsWith('REPORT RequestId: ')) return;
        const requestId = record.text.slice('REPORT RequestId: '.length).split(/\s/, 1)[0]!;
        reports.set(requestId, (reports.get(requestId) ?? 0) + 1);
      },
    });
    const answers = new Map<number, string>();
    const problems: string[] = [];
    try {
      let next = 0;
      const caller = async (): Promise<void> => {
        while (next < planned.length) {
          const invocation = planned[next++]!;
          try {
            const result = await local.invoke(invocation.functionName, { event: { id: invocation.id, action: invocation.action, ms: invocation.id % 5 } });
            if (answers.has(invocation.id)) problems.push(`#${invocation.id} was answered twice`);
            answers.set(invocation.id, result.requestId);
            const wrong = mismatch(invocation, result);
            if (wrong !== undefined) problems.push(wrong);
          } catch (error) {
            problems.push(`#${invocation.id} ${invocation.functionName} ${invocation.action}: invoke() threw ${String(error)}`);
          }
        }
      };
      await Promise.all(Array.from({ length: CALLERS }, caller));
    } finally {
      await local.close();
    }

    const counts = new Map<Outcome, number>();
    for (const invocation of planned) counts.set(invocation.expected, (counts.get(invocation.expected) ?? 0) + 1);
    t.diagnostic(`outcomes: ${[...counts].map(([outcome, count]) => `${outcome} ${count}`).join(', ')}`);
    assert.deepEqual(problems.slice(0, 10), [], `${problems.length} invocation(s) went wrong`);
    assert.equal(answers.size, INVOCATIONS, 'every invocation was answered');
    const requestIds = new Set(answers.values());
    assert.equal(requestIds.size, INVOCATIONS, 'every invocation had its own request id');
    for (const requestId of requestIds) assert.equal(reports.get(requestId), 1, `one REPORT for ${requestId}`);
    assert.equal(reports.size, INVOCATIONS, 'no REPORT for an invocation nobody made');
  });

  it('gives back every process, file descriptor and byte of heap on close', async (t) => {
    await eventually(async () => assert.deepEqual(await processesWithMarker(app.marker), []), CLEANUP_WAIT_MS);
    const fds = await eventually(() => {
      const open = openFileDescriptors();
      assert.ok(open <= baseline.fds + FD_SLACK, `${open} file descriptors open after close, ${baseline.fds} before`);
      return open;
    }, CLEANUP_WAIT_MS);
    const heapBytes = heapUsedAfterGc();
    t.diagnostic(`file descriptors ${baseline.fds} → ${fds}; heap ${(baseline.heapBytes / 2 ** 20).toFixed(1)} MB → ${(heapBytes / 2 ** 20).toFixed(1)} MB`);
    assert.ok(
      heapBytes - baseline.heapBytes < HEAP_SLACK_BYTES,
      `heap grew by ${((heapBytes - baseline.heapBytes) / 2 ** 20).toFixed(1)} MB over ${INVOCATIONS} invocations and stayed after close`,
    );
  });
});
