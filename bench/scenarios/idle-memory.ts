import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fileURLToPath } from 'node:url';
import { summarize } from '../measure/distribution.js';
import { expectSuccess, timeNodeProcess } from '../measure/time-process.js';
import { formatMb } from '../report/format-values.js';
import { medianRatio, type Scenario } from '../scenario.js';

/** Warm environments the scenario keeps idle. */
export const IDLE_ENVIRONMENTS = 50;

const PROBE = fileURLToPath(new URL('../probes/idle-memory.mjs', import.meta.url));

interface ProbeOutput {
  readonly bareRssMb: number;
  readonly loadedRssMb: number;
  readonly warmRssMb: number;
  readonly runtimesRssMb: number;
  readonly environments: number;
}

/**
 * Resident memory of cdk-local's own process (the built library, the 300-function app
 * read) with 50 warm idle environments (50 functions invoked once each), against the same
 * `node` process before it loaded cdk-local. The functions' own processes are counted apart.
 */
export const idleMemory: Scenario = {
  id: 'idle-memory',
  title: `memory, ${IDLE_ENVIRONMENTS} idle warm environments`,
  async run(context) {
    const assembly = await context.manyFunctionsApp();
    const indexUrl = pathToFileURL(join(context.root, 'dist', 'lib', 'index.js')).href;
    const outputs: ProbeOutput[] = [];
    for (let i = 0; i < (context.quick ? 1 : 3); i++) {
      const cache = await context.scratchDirectory(`idle-memory-${i}`);
      const run = expectSuccess(
        await timeNodeProcess(['--expose-gc', PROBE, indexUrl, assembly, String(IDLE_ENVIRONMENTS), cache]),
        'the idle-memory probe',
      );
      const output = JSON.parse(run.stdout) as ProbeOutput;
      if (output.environments !== IDLE_ENVIRONMENTS) throw new Error(`The probe had ${output.environments} environments, expected ${IDLE_ENVIRONMENTS}`);
      outputs.push(output);
    }
    const warm = summarize(outputs.map((output) => output.warmRssMb));
    const bare = summarize(outputs.map((output) => output.bareRssMb));
    const loaded = summarize(outputs.map((output) => output.loadedRssMb)).median;
    const runtimes = summarize(outputs.map((output) => output.runtimesRssMb)).median;
    return [
      {
        id: this.id,
        title: this.title,
        status: 'measured',
        subject: { label: `cdk-local's RSS with ${IDLE_ENVIRONMENTS} warm environments`, unit: 'MB', distribution: warm },
        baseline: { label: 'RSS of the same node before loading cdk-local', unit: 'MB', distribution: bare },
        ratio: medianRatio(warm, bare),
        notes: [
          `After loading cdk-local and reading the app: ${formatMb(loaded)}; each warm environment adds ${formatMb((warm.median - loaded) / IDLE_ENVIRONMENTS)} to cdk-local.`,
          `The ${IDLE_ENVIRONMENTS} environments' own processes (runtimes, and sandboxes where there are): ${formatMb(runtimes)} (${formatMb(runtimes / IDLE_ENVIRONMENTS)} each), not counted above.`,
        ],
      },
    ];
  },
};
