import { performance } from 'node:perf_hooks';
import { LocalLambda } from '../../lib/index.js';
import { RuntimeClient } from '../../lib/runtimes/node/runtime-client.mjs';
import { BenchFunctions } from '../fixtures/bench-apps.js';
import { summarize } from '../measure/distribution.js';
import { timeInterleaved } from '../measure/time-samples.js';
import { formatMs, formatRatio } from '../report/format-values.js';
import { medianRatio, type Scenario, type ScenarioResult } from '../scenario.js';

/** Issue 6: a warm invoke through the library costs at most this many floors. */
export const LIBRARY_TARGET_RATIO = 3;

/** The event of every warm invoke. */
export const BENCH_EVENT = { n: 1 } as const;

/** The floor as the table labels it. */
export const FLOOR_LABEL = '1 bare HTTP round trip';

/**
 * A warm invoke of the echo function through `LocalLambda.invoke()` (answer, logs and report),
 * against the floor. A warm invoke needs two round trips from the runtime (its /next
 * answered with the event, its POST of the response), so 2× is the least it could cost.
 */
export const warmInvokeLibrary: Scenario = {
  id: 'warm-invoke-library',
  title: 'warm invoke, library',
  async run(context) {
    const floor = await context.floor();
    const client = new RuntimeClient(floor.address);
    const local = await LocalLambda.fromAssembly(await context.benchApp(), {
      credentials: 'none',
      cacheDirectory: await context.scratchDirectory('warm-invoke-library'),
    });
    // The same, without freezing (SIGSTOP) the runtime between invocations: what freezing costs.
    const unfrozen = await LocalLambda.fromAssembly(await context.benchApp(), {
      credentials: 'none',
      cacheDirectory: await context.scratchDirectory('warm-invoke-library-unfrozen'),
      freeze: false,
    });
    try {
      const spec = local.getFunction(BenchFunctions.echo);
      const payload = Buffer.from(JSON.stringify(BENCH_EVENT));
      const first = await local.invoke(spec, { event: BENCH_EVENT });
      if (first.error !== undefined) throw new Error(`The echo function failed: ${first.error.errorMessage}`);
      const answerMs: number[] = [];
      const plan = context.quick ? { warmup: 50, rounds: 4, perRound: 100 } : { warmup: 200, rounds: 10, perRound: 200 };
      const unfrozenSpec = unfrozen.getFunction(BenchFunctions.echo);
      const [floorMs, invokeMs, , unfrozenMs] = await timeInterleaved(
        plan,
        [
          () => client.nextInvocation(),
          () => local.invoke(spec, { event: BENCH_EVENT }),
          async () => {
            const startedAt = performance.now();
            const handle = await local.start(spec, { payload });
            await handle.response;
            answerMs.push(performance.now() - startedAt);
            // The environment is free again only after its report.
            await handle.report;
          },
          () => unfrozen.invoke(unfrozenSpec, { event: BENCH_EVENT }),
        ],
      );
      const floorDistribution = summarize(floorMs!);
      const invokeDistribution = summarize(invokeMs!);
      const ratio = medianRatio(invokeDistribution, floorDistribution);
      const answer = summarize(answerMs.slice(plan.warmup)).median;
      const unfrozenMedian = summarize(unfrozenMs!).median;
      const result: ScenarioResult = {
        id: this.id,
        title: this.title,
        status: 'measured',
        subject: { label: 'LocalLambda.invoke(): answer, logs and report', unit: 'ms', distribution: invokeDistribution },
        baseline: { label: FLOOR_LABEL, unit: 'ms', distribution: floorDistribution },
        ratio,
        target: { description: `≤ ${LIBRARY_TARGET_RATIO}× floor`, met: ratio <= LIBRARY_TARGET_RATIO },
        whyMissed:
          `the answer itself comes after ${formatMs(answer)} (${formatRatio(answer / floorDistribution.median)} the floor); invoke() also waits for the report, ` +
          `which needs the runtime's next /next, a last memory sample of its process tree from /proc and the freeze (SIGSTOP) of its process group ` +
          `(without freezing: ${formatMs(unfrozenMedian)}). cdk-local's process spends most of that on CPU: see throughput.`,
        notes: [
          `The floor is ONE round trip (RuntimeClient.nextInvocation() against a bare node:http server in another process); a warm invoke makes two, so 2× is the least it could cost.`,
          `The answer alone (start() until the response promise settles, before the report) takes ${formatMs(answer)} median; without freezing the runtime between invocations (freeze: false), invoke() takes ${formatMs(unfrozenMedian)}.`,
        ],
      };
      return [result];
    } finally {
      client.agent.destroy();
      await Promise.all([local.close(), unfrozen.close()]);
    }
  },
};
