import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LocalLambda } from '../../lib/host/index.js';
import type { MarkedApp } from '../helpers/marked-app.js';
import { Barrier, MAX_CONCURRENCY, createManagedApp, processesWithMarker } from './managed-instances-app.js';

interface Answer {
  readonly id: string;
  readonly pid: number;
  readonly instance?: string;
  readonly ppid?: number;
  readonly initPid?: number;
  readonly servedHere?: string[];
  readonly requestId: string;
  readonly released: string;
  readonly maxConcurrency: string;
  readonly initializationType: string;
  readonly traceVariable?: string | null;
}

describe('Lambda Managed Instances (docs/conformance.md Y)', () => {
  let app: MarkedApp;
  let local: LocalLambda;
  let barrier: Barrier;
  const notices: string[] = [];

  before(async () => {
    app = await createManagedApp();
    local = await app.open({ onNotice: (message) => notices.push(message) });
    barrier = await Barrier.start();
  });

  after(async () => {
    await barrier?.[Symbol.asyncDispose]();
    await local?.close();
    if (app !== undefined) {
      assert.deepEqual(await processesWithMarker(app.marker), [], 'no process outlives close()');
      await app.remove();
    }
  });

  it('Y.157 reads CapacityProviderConfig from the synthesized template', () => {
    const spec = local.getFunction('Concurrent');
    assert.deepEqual(spec.managedInstances, {
      capacityProviderArn: 'arn:aws:lambda:us-east-1:111122223333:capacity-provider:local-test',
      perExecutionEnvironmentMaxConcurrency: MAX_CONCURRENCY,
      memoryGiBPerVCpu: 2,
    });
    assert.equal(local.getFunction('OnDemand').managedInstances, undefined);
  });

  it('Y.158 Y.163 four concurrent invocations of a Node.js function are served by one process, each answer to its own caller', { timeout: 180_000 }, async () => {
    const group = 'node-four';
    const url = barrier.url(group, MAX_CONCURRENCY);
    const ids = ['a', 'b', 'c', 'd'];
    // Each invocation waits at the barrier until all four are inside their handler: only
    // invocations that run at the same time can get past it.
    const results = await Promise.all(ids.map((id) => local.invoke('Concurrent', { event: { id, barrier: url } })));
    const answers = results.map((result) => result.payload as Answer);
    assert.deepEqual(
      results.map((result) => result.error),
      ids.map(() => undefined),
    );
    assert.deepEqual(
      answers.map((answer) => answer.id),
      ids,
      'each caller gets the answer to its own event',
    );
    assert.deepEqual(
      answers.map((answer) => answer.released),
      ids.map(() => `all ${MAX_CONCURRENCY} together`),
      'all four were inside the handler at once',
    );
    assert.equal(new Set(answers.map((answer) => answer.pid)).size, 1, `one process: ${answers.map((answer) => answer.pid).join(', ')}`);
    assert.equal(new Set(answers.map((answer) => answer.instance)).size, 1, 'one module instance: one process, one thread');
    assert.deepEqual(
      answers.map((answer) => answer.requestId),
      results.map((result) => result.requestId),
      'context.awsRequestId is the invocation\'s own',
    );
    for (const answer of answers) {
      assert.equal(answer.maxConcurrency, String(MAX_CONCURRENCY));
      assert.equal(answer.initializationType, 'lambda-managed-instances');
      assert.equal(answer.traceVariable, null, '_X_AMZN_TRACE_ID is not set: it would be shared by every invocation');
    }
    // Each invocation's logs are its own: its console line carries its request id.
    for (const [index, result] of results.entries()) {
      const lines = result.logs.filter((line) => line.includes('handling'));
      assert.equal(lines.length, 1, JSON.stringify(result.logs));
      assert.match(lines[0]!, new RegExp(`\\t${result.requestId}\\tINFO\\thandling ${ids[index]}$`));
      assert.ok(result.records.some((record) => record.text.startsWith(`REPORT RequestId: ${result.requestId}`)));
    }
    assert.deepEqual(local.environmentCount('Concurrent'), { current: 1, peak: 1 }, 'one environment took all four');
    assert.equal(notices.filter((notice) => notice.includes('Concurrent runs on Lambda Managed Instances')).length, 1, JSON.stringify(notices));
  });

  it('Y.159 an error in one concurrent invocation leaves the others and the process alone', { timeout: 180_000 }, async () => {
    const group = 'node-errors';
    const url = barrier.url(group, MAX_CONCURRENCY);
    const events = ['e1', 'e2', 'e3', 'e4'].map((id, index) => ({ id, barrier: url, fail: index % 2 === 1 }));
    const results = await Promise.all(events.map((event) => local.invoke('Concurrent', { event })));
    for (const [index, result] of results.entries()) {
      if (events[index]!.fail) {
        assert.equal(result.error?.errorType, 'Error');
        assert.equal(result.error?.errorMessage, `invocation ${events[index]!.id} failed on purpose`);
        assert.equal(result.report.status, 'error');
      } else {
        assert.equal(result.error, undefined);
        assert.equal((result.payload as Answer).id, events[index]!.id);
        assert.equal(result.report.status, 'success');
      }
    }
    // The environment goes on in the same process.
    const after = await local.invoke('Concurrent', { event: { id: 'after' } });
    assert.equal((after.payload as Answer).id, 'after');
    assert.equal(local.environmentCount('Concurrent').current, 1);
  });

  it('Y.160 a timed-out invocation is answered Sandbox.Timedout while its handler runs on and the environment serves the others', { timeout: 180_000 }, async () => {
    const group = 'node-timeout';
    const slow = local.invoke('Brief', { event: { id: 'slow', barrier: barrier.url(group) } });
    await barrier.waitForArrivals(group, 1);
    // Another invocation is served while the first is stuck in its handler.
    const during = await local.invoke('Brief', { event: { id: 'during' } });
    assert.equal((during.payload as Answer).id, 'during');

    const timedOut = await slow;
    assert.equal(timedOut.error?.errorType, 'Sandbox.Timedout');
    assert.match(timedOut.error?.errorMessage ?? '', /^RequestId: \S+ Error: Task timed out after 3\.00 seconds$/);
    assert.equal(timedOut.report.status, 'timeout');
    assert.ok(timedOut.records.some((record) => record.text.endsWith(`${timedOut.requestId} Task timed out after 3.00 seconds`)));

    // No reset: the same process serves the next invocation, and the timed-out handler is still in it.
    const next = await local.invoke('Brief', { event: { id: 'next' } });
    assert.equal((next.payload as Answer).instance, (during.payload as Answer).instance, 'the environment was not reset');
    assert.equal(barrier.holding(group), 1, 'the timed-out handler still runs');
    barrier.release(group);
    const last = await local.invoke('Brief', { event: { id: 'last' } });
    assert.equal((last.payload as Answer).instance, (during.payload as Answer).instance);
    assert.equal(local.environmentCount('Brief').current, 1);
  });

  it('Y.161 a fifth invocation while four run starts a second environment; the function takes no more than its environments hold', { timeout: 180_000 }, async () => {
    const group = 'node-five';
    const url = barrier.url(group);
    const first = ['f1', 'f2', 'f3', 'f4'].map((id) => local.invoke('Concurrent', { event: { id, barrier: url } }));
    await barrier.waitForArrivals(group, MAX_CONCURRENCY);
    const fifth = local.invoke('Concurrent', { event: { id: 'f5', barrier: url } });
    await barrier.waitForArrivals(group, MAX_CONCURRENCY + 1);
    barrier.release(group);
    const answers = (await Promise.all([...first, fifth])).map((result) => result.payload as Answer);
    // (Each sandbox has its own PID namespace: the module instance tells processes apart.)
    const firstInstances = new Set(answers.slice(0, 4).map((answer) => answer.instance));
    assert.equal(firstInstances.size, 1, 'the first four share one environment');
    assert.ok(!firstInstances.has(answers[4]!.instance), 'the fifth runs in another one');
    assert.equal(local.environmentCount('Concurrent').peak, 2);
  });

  it('Y.162 Python: each concurrent invocation runs in a worker process of its own, under one runtime', { timeout: 180_000 }, async () => {
    const group = 'python-four';
    const url = barrier.url(group, MAX_CONCURRENCY);
    const ids = ['p1', 'p2', 'p3', 'p4'];
    const results = await Promise.all(ids.map((id) => local.invoke('Workers', { event: { id, barrier: url } })));
    assert.deepEqual(
      results.map((result) => result.error),
      ids.map(() => undefined),
      JSON.stringify(results.map((result) => result.rawPayload.toString())),
    );
    const answers = results.map((result) => result.payload as Answer);
    assert.deepEqual(
      answers.map((answer) => answer.id),
      ids,
    );
    assert.ok(answers.every((answer) => answer.released === `all ${MAX_CONCURRENCY} together`), 'all four were inside the handler at once');
    assert.equal(new Set(answers.map((answer) => answer.pid)).size, MAX_CONCURRENCY, 'four worker processes');
    assert.equal(new Set(answers.map((answer) => answer.ppid)).size, 1, 'children of one runtime process');
    for (const answer of answers) {
      assert.equal(answer.initPid, answer.pid, 'each worker ran its own init');
      assert.deepEqual(answer.servedHere, [answer.id], 'globals are the worker\'s own');
      assert.equal(answer.maxConcurrency, String(MAX_CONCURRENCY));
      assert.equal(answer.initializationType, 'lambda-managed-instances');
    }
    assert.deepEqual(local.environmentCount('Workers'), { current: 1, peak: 1 });
  });

  it('Y.160 Y.162 Python: a timed-out invocation\'s worker runs on, has its late answer refused, and serves again', { timeout: 180_000 }, async () => {
    const group = 'python-timeout';
    const slow = local.invoke('BriefWorkers', { event: { id: 'slow', barrier: barrier.url(group) } });
    await barrier.waitForArrivals(group, 1);
    const slowPid = barrier.pids(group).get('slow');
    assert.equal(typeof slowPid, 'number');
    // The other worker serves meanwhile.
    const during = await local.invoke('BriefWorkers', { event: { id: 'during' } });
    assert.equal(during.error, undefined, during.rawPayload.toString());
    assert.notEqual((during.payload as Answer).pid, slowPid);
    const timedOut = await slow;
    assert.equal(timedOut.error?.errorType, 'Sandbox.Timedout');

    // Let it go: its answer comes too late (410), and the worker takes the next invocation.
    barrier.release(group);
    const pair = 'python-after-timeout';
    const url = barrier.url(pair, 2);
    const results = await Promise.all(['q1', 'q2'].map((id) => local.invoke('BriefWorkers', { event: { id, barrier: url } })));
    assert.deepEqual(
      results.map((result) => result.error),
      [undefined, undefined],
      JSON.stringify(results.map((result) => result.rawPayload.toString())),
    );
    const answers = results.map((result) => result.payload as Answer);
    assert.deepEqual(new Set(answers.map((answer) => answer.pid)), new Set([slowPid, (during.payload as Answer).pid]), 'both workers serve, the timed-out one too');
    assert.equal(new Set(answers.map((answer) => answer.ppid)).size, 1);
    assert.equal(local.environmentCount('BriefWorkers').current, 1, 'no reset');
  });

  it('Y.164 a function on the default compute still runs one invocation per environment, with AWS_LAMBDA_INITIALIZATION_TYPE on-demand', { timeout: 180_000 }, async () => {
    const group = 'on-demand';
    const url = barrier.url(group, 2);
    const answers = (await Promise.all(['o1', 'o2'].map((id) => local.invoke('OnDemand', { event: { id, barrier: url } })))).map((result) => result.payload as Answer);
    assert.equal(new Set(answers.map((answer) => answer.instance)).size, 2);
    assert.ok(answers.every((answer) => answer.initializationType === 'on-demand' && answer.maxConcurrency === undefined));
  });
});
