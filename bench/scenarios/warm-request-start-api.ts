import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { LocalLambda } from '../../lib/index.js';
import { RuntimeClient } from '../../lib/runtimes/node/runtime-client.mjs';
import { startApi } from '../../lib/servers/index.js';
import { BenchApis, BenchFunctions } from '../fixtures/bench-apps.js';
import { summarize } from '../measure/distribution.js';
import { timeInterleaved } from '../measure/time-samples.js';
import { formatMs } from '../report/format-values.js';
import { medianRatio, type Scenario } from '../scenario.js';
import { BENCH_EVENT, FLOOR_LABEL } from './warm-invoke-library.js';

/** Issue 11: a warm request through start-api costs at most this much more than the library's warm invoke. */
export const START_API_TARGET_EXTRA_MS = 1.5;

/** GETs `url` with node:http; rejects unless it is answered 200. */
function get(agent: Agent, url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const call = request(url, { agent }, (response) => {
      response.resume();
      response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`start-api answered ${response.statusCode}`))));
    });
    call.on('error', reject);
    call.end();
  });
}

/**
 * A warm request through `cdk-local start-api` (an HTTP API's $default route in front of the
 * echo function, payload format 2.0: the event built, the function invoked, its answer mapped),
 * against a warm invoke of the same function through `LocalLambda.invoke()` in the same run.
 */
export const warmRequestStartApi: Scenario = {
  id: 'warm-request-start-api',
  title: 'warm request, start-api (HTTP API)',
  async run(context) {
    const floor = await context.floor();
    const runtimeClient = new RuntimeClient(floor.address);
    const local = await LocalLambda.fromAssembly(await context.benchApp(), { credentials: 'none', cacheDirectory: await context.scratchDirectory('warm-request-start-api') });
    const server = await startApi({ local, apis: local.apis.filter((api) => api.constructPath === BenchApis.http) });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const spec = local.getFunction(BenchFunctions.echo);
    const endpoint = server.endpoints[0];
    if (endpoint === undefined) throw new Error(`start-api serves no ${BenchApis.http}`);
    const url = `${endpoint.url}bench?n=${BENCH_EVENT.n}`;
    // start-api answers as soon as the function has (as API Gateway does); the environment is
    // free again after the runtime's next /next, and frozen (SIGSTOP) just after, unless the next
    // call comes at once. Requests with a client between them find it frozen: each timed call,
    // request or invoke alike, waits untimed for the freeze, so both pay the same thaw.
    const requestMs: number[] = [];
    const invokeMs: number[] = [];
    const timed = (into: number[], call: () => Promise<unknown>) => async (): Promise<void> => {
      const frozen = local.waitFor((event) => event.type === 'frozen' && event.constructPath === spec.constructPath, { timeoutMs: 30_000 });
      const startedAt = performance.now();
      await call();
      into.push(performance.now() - startedAt);
      await frozen;
    };
    const timedRequest = timed(requestMs, () => get(agent, url));
    const timedInvoke = timed(invokeMs, async () => {
      const result = await local.invoke(spec, { event: BENCH_EVENT });
      if (result.error !== undefined) throw new Error(`The echo function failed: ${result.error.errorMessage}`);
    });
    const plan = context.quick ? { warmup: 50, rounds: 4, perRound: 100 } : { warmup: 200, rounds: 10, perRound: 200 };
    let floorMs: number[];
    let peakEnvironments: number;
    try {
      const first = await local.invoke(spec, { event: BENCH_EVENT });
      if (first.error !== undefined) throw new Error(`The echo function failed: ${first.error.errorMessage}`);
      [floorMs] = (await timeInterleaved(plan, [() => runtimeClient.nextInvocation(), timedInvoke, timedRequest])) as [number[]];
      peakEnvironments = local.environmentCount(spec).peak;
    } finally {
      agent.destroy();
      runtimeClient.agent.destroy();
      await server.close();
      await local.close();
    }
    const floorDistribution = summarize(floorMs);
    const invokeDistribution = summarize(invokeMs.slice(plan.warmup));
    const requestDistribution = summarize(requestMs.slice(plan.warmup));
    const extraMs = requestDistribution.median - invokeDistribution.median;
    return [
      {
        id: this.id,
        title: this.title,
        status: 'measured',
        subject: { label: 'GET through start-api (HTTP API → echo), from frozen', unit: 'ms', distribution: requestDistribution },
        baseline: { label: 'LocalLambda.invoke() of the same function, from frozen', unit: 'ms', distribution: invokeDistribution },
        ratio: medianRatio(requestDistribution, invokeDistribution),
        target: { description: `≤ library + ${START_API_TARGET_EXTRA_MS} ms`, met: extraMs <= START_API_TARGET_EXTRA_MS },
        whyMissed:
          `a request through start-api took ${formatMs(extraMs)} more than the library's invoke at the median: its own HTTP round trip ` +
          `(the floor is ${formatMs(floorDistribution.median)}), reading the request, building the 2.0 event and mapping the answer.`,
        notes: [
          `Against ${FLOOR_LABEL.replace(/^1 /, 'one ')} (${formatMs(floorDistribution.median)} median), the request costs ${(requestDistribution.median / floorDistribution.median).toFixed(1)}× and the library's invoke ${(invokeDistribution.median / floorDistribution.median).toFixed(1)}×.`,
          `start-api answers when the function has answered; invoke() also waits for the report. The difference at the median is ${formatMs(extraMs)}.`,
          'Both start with the environment frozen, as between requests that do not follow each other at once: each pays the thaw (SIGCONT), which back-to-back invokes (warm invoke, library) do not.',
          `The function ran in ${peakEnvironments} environment(s) over the run (1: every request and invoke was warm in the same one).`,
          'serverless-offline answering the same handler is not measured here: it needs the Serverless Framework and a serverless.yml of its own.',
        ],
      },
    ];
  },
};
