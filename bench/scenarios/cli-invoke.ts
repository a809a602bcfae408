import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalLambda } from '../../lib/index.js';
import { BenchFunctions } from '../fixtures/bench-apps.js';
import { summarize } from '../measure/distribution.js';
import { expectSuccess, timeNodeProcess } from '../measure/time-process.js';
import { formatMs, formatRatio } from '../report/format-values.js';
import { medianRatio, type Scenario } from '../scenario.js';
import { BENCH_EVENT } from './warm-invoke-library.js';

/** Issue 6: `cdk-local invoke` takes at most this many times plain `node`. */
export const CLI_INVOKE_TARGET_RATIO = 4;

const RUN_HANDLER = fileURLToPath(new URL('../baselines/run-handler.mjs', import.meta.url));

/**
 * `cdk-local invoke` as a user runs it, whole process (start, read the assembly, start the
 * function's runtime, invoke, shut down), against `node` calling the same handler file once.
 */
export const cliInvoke: Scenario = {
  id: 'cli-invoke',
  title: 'cdk-local invoke, whole process',
  async run(context) {
    const assembly = await context.benchApp();
    const event = JSON.stringify(BENCH_EVENT);
    // The file cdk-local runs: the asset copy in the assembly (no package.json above it).
    await using local = await LocalLambda.fromAssembly(assembly, { credentials: 'none' });
    const code = local.getFunction(BenchFunctions.echo).code;
    if (code.kind !== 'directory') throw new Error(`The echo function's code is a ${code.kind}, expected an asset directory`);
    const handlerFile = join(code.path, 'index.js');
    const cdkLocal = async (): Promise<number> => {
      const run = expectSuccess(await timeNodeProcess([context.cliPath, 'invoke', BenchFunctions.echo, '--app', assembly, '--event-json', event]), 'cdk-local invoke');
      if (!run.stdout.includes('"ok":true')) throw new Error(`cdk-local invoke printed ${JSON.stringify(run.stdout)}`);
      return run.durationMs;
    };
    const plainNode = async (): Promise<number> => expectSuccess(await timeNodeProcess([RUN_HANDLER, handlerFile, 'handler', event]), 'node run-handler.mjs').durationMs;
    // The first run of each fills the file cache (and cdk-local's code cache).
    await cdkLocal();
    await plainNode();
    // Starting the command line alone: what the CLI costs before it reads the app.
    const version = async (): Promise<number> => expectSuccess(await timeNodeProcess([context.cliPath, '--version']), 'cdk-local --version').durationMs;
    const cdkLocalMs: number[] = [];
    const nodeMs: number[] = [];
    const versionMs: number[] = [];
    for (let i = 0; i < (context.quick ? 5 : 15); i++) {
      cdkLocalMs.push(await cdkLocal());
      nodeMs.push(await plainNode());
      versionMs.push(await version());
    }
    const subject = summarize(cdkLocalMs);
    const baseline = summarize(nodeMs);
    const ratio = medianRatio(subject, baseline);
    const startup = summarize(versionMs).median;
    return [
      {
        id: this.id,
        title: this.title,
        status: 'measured',
        subject: { label: `node dist/bin/cdk-local.js invoke --app <cdk.out>`, unit: 'ms', distribution: subject },
        baseline: { label: 'node running the handler file directly', unit: 'ms', distribution: baseline },
        ratio,
        target: { description: `≤ ${CLI_INVOKE_TARGET_RATIO}× node`, met: ratio <= CLI_INVOKE_TARGET_RATIO },
        whyMissed:
          `starting the command line alone (cdk-local --version) takes ${formatMs(startup)}, ${formatRatio(startup / baseline.median)} the whole baseline: Node.js compiles ` +
          `the command line's bundle (about 2 MB, most of it Fastify with its schema compilers ajv and fast-json-stringify, which the Runtime API does not use) ` +
          `before it reads anything; then come the run's first Fastify server, the runtime's cold start (see cold start) and the shutdown.`,
        notes: [
          "cdk-local starts two Node.js processes where the baseline starts one: itself, and the function's runtime (in a sandbox where bubblewrap works).",
          `Of that, starting the command line alone (cdk-local --version) takes ${formatMs(startup)} median.`,
        ],
      },
    ];
  },
};
