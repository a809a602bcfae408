import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { LocalLambda } from '../../lib/index.js';
import { RuntimeClient } from '../../lib/runtimes/node/runtime-client.mjs';
import { BenchFunctions } from '../fixtures/bench-apps.js';
import { summarize } from '../measure/distribution.js';
import { timeInterleaved } from '../measure/time-samples.js';
import { formatMs, formatRatio } from '../report/format-values.js';
import { medianRatio, type Scenario } from '../scenario.js';
import { BENCH_EVENT, FLOOR_LABEL } from './warm-invoke-library.js';

/** Issue 6: a warm invoke through start-lambda costs at most this many floors. */
export const START_LAMBDA_TARGET_RATIO = 5;

/** What this scenario uses of lib/servers, which is written in parallel with it. */
interface LambdaServersModule {
  startLambdaServer(options: {
    local: LocalLambda;
    port?: number;
    onInvocation?: (summary: { readonly requestId: string }) => void;
  }): Promise<{ readonly url: string; close(): Promise<void> }>;
}

/** lib/servers, when it exists and serves the Invoke API; undefined before it does. */
export async function importLambdaServers(): Promise<LambdaServersModule | undefined> {
  try {
    // A computed specifier: this file must compile and run before lib/servers exists.
    const module = (await import(new URL('../../lib/servers/index.js', import.meta.url).href)) as Partial<LambdaServersModule>;
    return typeof module.startLambdaServer === 'function' ? (module as LambdaServersModule) : undefined;
  } catch {
    return undefined;
  }
}

/** POSTs an Invoke with node:http; rejects unless it is answered 200 without a function error. */
function postInvoke(agent: Agent, url: string, payload: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const call = request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': payload.length } }, (response) => {
      response.resume();
      response.on('end', () => {
        if (response.statusCode === 200 && response.headers['x-amz-function-error'] === undefined) resolve();
        else reject(new Error(`Invoke answered ${response.statusCode} ${String(response.headers['x-amz-function-error'] ?? '')}`));
      });
    });
    call.on('error', reject);
    call.end(payload);
  });
}

/** How a pool grows under one client calling back to back. */
interface BackToBack {
  readonly calls: number;
  /** Environments started, each with a cold start: none shuts down during the run. */
  readonly peakEnvironments: number;
  readonly elapsedMs: number;
}

/** One SDK client invoking back to back, with room for as many environments as it makes. */
async function measureBackToBack(
  servers: LambdaServersModule,
  assembly: string,
  cacheDirectory: string,
  newClient: (endpoint: string) => LambdaClient,
  calls: number,
): Promise<BackToBack> {
  const local = await LocalLambda.fromAssembly(assembly, { credentials: 'none', cacheDirectory, maxConcurrency: calls });
  const server = await servers.startLambdaServer({ local, port: 0 });
  const sdk = newClient(server.url);
  try {
    const spec = local.getFunction(BenchFunctions.echo);
    const startedAt = performance.now();
    for (let i = 0; i < calls; i++) {
      const output = await sdk.send(new InvokeCommand({ FunctionName: spec.functionName, Payload: new TextEncoder().encode('{}') }));
      if (output.FunctionError !== undefined) throw new Error(`The echo function failed: ${Buffer.from(output.Payload ?? []).toString()}`);
    }
    return { calls, peakEnvironments: local.environmentCount(spec).peak, elapsedMs: performance.now() - startedAt };
  } finally {
    sdk.destroy();
    await server.close();
    await local.close();
  }
}

/**
 * A warm invoke of the echo function through `cdk-local start-lambda`'s server, called with
 * the AWS SDK's LambdaClient (signing, serialising, its own HTTP handler), against the floor.
 */
export const warmInvokeStartLambda: Scenario = {
  id: 'warm-invoke-start-lambda',
  title: 'warm invoke, start-lambda + AWS SDK',
  async run(context) {
    const servers = await importLambdaServers();
    if (servers === undefined) {
      return [{ id: this.id, title: this.title, status: 'not-measured', reason: 'lib/servers does not export startLambdaServer yet', notes: [] }];
    }
    // The SDK warns once that it will need Node.js 22 from 2027: noise in the benchmark's output.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const floor = await context.floor();
    const runtimeClient = new RuntimeClient(floor.address);
    const assembly = await context.benchApp();
    const credentials = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' };
    const newClient = (endpoint: string): LambdaClient =>
      // As users make it, with its default keep-alive agent; no retries, so an error stays one.
      new LambdaClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    const payload = new TextEncoder().encode(JSON.stringify(BENCH_EVENT));

    // start-lambda answers as soon as the function has (as Lambda does); its environment is
    // free again only when the runtime asks for the next event. Each timed call waits,
    // untimed, for the previous one's end, so every one of them is a warm invoke.
    let ended: (() => void) | undefined;
    const local = await LocalLambda.fromAssembly(assembly, { credentials: 'none', cacheDirectory: await context.scratchDirectory('warm-invoke-start-lambda') });
    const server = await servers.startLambdaServer({ local, port: 0, onInvocation: () => ended?.() });
    const sdk = newClient(server.url);
    const functionName = local.getFunction(BenchFunctions.echo).functionName;
    const invokeMs: number[] = [];
    const plainMs: number[] = [];
    /** Sends one Invoke with `send`, times it into `into`, then waits (untimed) for its end. */
    const timed = (into: number[], send: () => Promise<void>) => async (): Promise<void> => {
      const end = new Promise<void>((resolve) => {
        ended = resolve;
      });
      const startedAt = performance.now();
      await send();
      into.push(performance.now() - startedAt);
      await end;
    };
    const invoke = timed(invokeMs, async () => {
      const output = await sdk.send(new InvokeCommand({ FunctionName: functionName, Payload: payload }));
      if (output.FunctionError !== undefined) throw new Error(`The echo function failed: ${Buffer.from(output.Payload ?? []).toString()}`);
    });
    // The same Invoke without the SDK: what its signing, serialising and middleware cost.
    const plainAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    const plain = timed(plainMs, () => postInvoke(plainAgent, `${server.url}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`, payload));
    let floorMs: number[];
    const plan = context.quick ? { warmup: 50, rounds: 4, perRound: 75 } : { warmup: 200, rounds: 10, perRound: 150 };
    try {
      await invoke();
      [floorMs] = (await timeInterleaved(plan, [() => runtimeClient.nextInvocation(), invoke, plain])) as [number[]];
    } finally {
      sdk.destroy();
      plainAgent.destroy();
      runtimeClient.agent.destroy();
      await server.close();
      await local.close();
    }
    const backToBack = await measureBackToBack(servers, assembly, await context.scratchDirectory('start-lambda-back-to-back'), newClient, context.quick ? 100 : 300);

    const floorDistribution = summarize(floorMs);
    const invokeDistribution = summarize(invokeMs.slice(plan.warmup + 1));
    const ratio = medianRatio(invokeDistribution, floorDistribution);
    const plainMedian = summarize(plainMs.slice(plan.warmup)).median;
    return [
      {
        id: this.id,
        title: this.title,
        status: 'measured',
        subject: { label: 'LambdaClient.send(InvokeCommand) to start-lambda', unit: 'ms', distribution: invokeDistribution },
        baseline: { label: FLOOR_LABEL, unit: 'ms', distribution: floorDistribution },
        ratio,
        target: { description: `≤ ${START_LAMBDA_TARGET_RATIO}× floor`, met: ratio <= START_LAMBDA_TARGET_RATIO },
        whyMissed:
          `the same Invoke without the SDK takes ${formatMs(plainMedian)} (${formatRatio(plainMedian / floorDistribution.median)} the floor: the library's answer ` +
          `and one more round trip); the SDK's own signing, serialising and middleware add ${formatMs(invokeDistribution.median - plainMedian)} on top.`,
        notes: [
          "Three round trips at least: the SDK's to start-lambda, then the runtime's two; the same floor as the library scenario.",
          `The same Invoke sent with node:http instead of the SDK takes ${formatMs(plainMedian)} median: the rest is the SDK's own work (signing, serialising, middleware).`,
          `Called back to back instead (each call as soon as the last answered), ${backToBack.calls} calls grew the pool to ${backToBack.peakEnvironments} environment(s), each a cold start, in ${formatMs(backToBack.elapsedMs)}: the next call often arrives before the runtime has asked for its next event.`,
        ],
      },
    ];
  },
};
