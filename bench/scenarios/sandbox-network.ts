import { performance } from 'node:perf_hooks';
import { chooseSandbox } from '../../lib/environment/index.js';
import { LocalLambda } from '../../lib/index.js';
import { BenchFunctions } from '../fixtures/bench-apps.js';
import { summarize } from '../measure/distribution.js';
import { timeInterleaved } from '../measure/time-samples.js';
import { medianRatio, type Scenario, type ScenarioResult } from '../scenario.js';
import { BENCH_EVENT } from './warm-invoke-library.js';

/** The variable that keeps sandboxes on this machine's network (lib/environment/sandbox/detect-network.ts). */
const NETWORK_VARIABLE = 'CDK_LOCAL_SANDBOX_NETWORK';

/** The most a warm invoke may cost in a network namespace of its own, against the sandbox on this machine's network. */
export const WARM_NETWORK_TARGET_RATIO = 1.1;

/** Runs `make` with sandboxes on this machine's network (`host`) or in a namespace of their own. */
async function withNetwork<T>(network: 'own' | 'host', make: () => Promise<T>): Promise<T> {
  const before = process.env[NETWORK_VARIABLE];
  if (network === 'host') process.env[NETWORK_VARIABLE] = 'host';
  else delete process.env[NETWORK_VARIABLE];
  try {
    return await make();
  } finally {
    if (before === undefined) delete process.env[NETWORK_VARIABLE];
    else process.env[NETWORK_VARIABLE] = before;
  }
}

/** ms from invoke() to the result of a function's first invocation in a fresh LocalLambda: the environment's start (its namespace too), init and invoke. */
async function firstInvokeMs(assembly: string, cacheDirectory: string, network: 'own' | 'host'): Promise<number> {
  return withNetwork(network, async () => {
    const local = await LocalLambda.fromAssembly(assembly, { credentials: 'none', cacheDirectory, sandbox: 'auto' });
    try {
      const startedAt = performance.now();
      const result = await local.invoke(BenchFunctions.echo, { event: BENCH_EVENT });
      const elapsed = performance.now() - startedAt;
      if (result.error !== undefined) throw new Error(`The echo function failed: ${result.error.errorMessage}`);
      return elapsed;
    } finally {
      await local.close();
    }
  });
}

/**
 * What the sandbox's own network namespace costs: a cold start (the environment's start,
 * with its namespace and slirp4netns, through the first answer) and a warm invoke, each
 * against the same sandbox on this machine's network.
 */
export const sandboxNetwork: Scenario = {
  id: 'sandbox-network',
  title: 'sandbox network namespace',
  async run(context) {
    const choice = await chooseSandbox('auto');
    if (choice.kind !== 'sandbox' || !choice.network.available) {
      const reason = choice.kind !== 'sandbox' ? choice.reason : choice.network.available ? '' : choice.network.reason;
      return [{ id: 'sandbox-network', title: this.title, status: 'not-measured', reason: `no network namespace here (${reason})`, notes: [] }];
    }
    const assembly = await context.benchApp();
    const coldCache = await context.scratchDirectory('sandbox-network-cold');
    const samples = context.quick ? 6 : 20;
    // First of each: caches (code, the file cache) are filled.
    await firstInvokeMs(assembly, coldCache, 'own');
    await firstInvokeMs(assembly, coldCache, 'host');
    const ownColdMs: number[] = [];
    const hostColdMs: number[] = [];
    for (let i = 0; i < samples; i++) {
      ownColdMs.push(await firstInvokeMs(assembly, coldCache, 'own'));
      hostColdMs.push(await firstInvokeMs(assembly, coldCache, 'host'));
    }
    const ownCold = summarize(ownColdMs);
    const hostCold = summarize(hostColdMs);

    const own = await withNetwork('own', () =>
      LocalLambda.fromAssembly(assembly, { credentials: 'none', cacheDirectory: coldCache, sandbox: 'auto' }).then(async (local) => {
        await local.invoke(BenchFunctions.echo, { event: BENCH_EVENT });
        return local;
      }),
    );
    const host = await withNetwork('host', () =>
      LocalLambda.fromAssembly(assembly, { credentials: 'none', cacheDirectory: coldCache, sandbox: 'auto' }).then(async (local) => {
        await local.invoke(BenchFunctions.echo, { event: BENCH_EVENT });
        return local;
      }),
    );
    try {
      const plan = context.quick ? { warmup: 50, rounds: 4, perRound: 100 } : { warmup: 200, rounds: 10, perRound: 200 };
      const ownInvoke = () => own.invoke(BenchFunctions.echo, { event: BENCH_EVENT });
      const hostInvoke = () => host.invoke(BenchFunctions.echo, { event: BENCH_EVENT });
      // A, B, B, A in every round: neither goes first all the time.
      const halfPlan = { ...plan, perRound: Math.ceil(plan.perRound / 2) };
      const [ownFirst, hostSecond, hostFirst, ownSecond] = await timeInterleaved(halfPlan, [ownInvoke, hostInvoke, hostInvoke, ownInvoke]);
      const ownWarm = summarize([...ownFirst!, ...ownSecond!]);
      const hostWarm = summarize([...hostSecond!, ...hostFirst!]);
      const warmRatio = medianRatio(ownWarm, hostWarm);
      const results: ScenarioResult[] = [
        {
          id: 'sandbox-network-cold',
          title: 'cold start, own network against shared',
          status: 'measured',
          subject: { label: 'first invoke() in a network namespace of its own (environment start, init, answer)', unit: 'ms', distribution: ownCold },
          baseline: { label: "the same on this machine's network (CDK_LOCAL_SANDBOX_NETWORK=host)", unit: 'ms', distribution: hostCold },
          ratio: medianRatio(ownCold, hostCold),
          notes: ['The namespace is made by a small Node.js process in bubblewrap, and slirp4netns connects it; both start before the runtime.'],
        },
        {
          id: 'sandbox-network-warm',
          title: 'warm invoke, own network against shared',
          status: 'measured',
          subject: { label: 'LocalLambda.invoke() in a network namespace of its own', unit: 'ms', distribution: ownWarm },
          baseline: { label: "the same on this machine's network", unit: 'ms', distribution: hostWarm },
          ratio: warmRatio,
          target: { description: `≤ ${WARM_NETWORK_TARGET_RATIO}×`, met: warmRatio <= WARM_NETWORK_TARGET_RATIO },
          whyMissed: 'the Runtime API server accepts on the namespace\'s own socket, so no copy sits on the warm path: a miss is the machine\'s noise or a regression to look for',
          notes: ['The runtime\'s connections to 127.0.0.1:9001 are accepted by cdk-local itself on a socket made inside the namespace.'],
        },
      ];
      return results;
    } finally {
      await Promise.all([own.close(), host.close()]);
    }
  },
};
