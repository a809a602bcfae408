import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BenchFunctions } from '../fixtures/bench-apps.js';
import { summarize } from '../measure/distribution.js';
import { expectSuccess, timeNodeProcess } from '../measure/time-process.js';
import { formatMb, formatRatio } from '../report/format-values.js';
import { medianRatio, type Scenario } from '../scenario.js';

/** Warm invocations between the two measurements. */
export const WARM_INVOCATIONS = 300;

/** Memory must stay flat: kept answers would make it some 20× on a baseline of about 16 MB. */
export const WARM_MEMORY_TARGET_RATIO = 1.5;

const PROBE = fileURLToPath(new URL('../probes/warm-memory.mjs', import.meta.url));

interface ProbeOutput {
  readonly beforeMb: number;
  readonly afterMb: number;
  readonly beforeRssMb: number;
  readonly afterRssMb: number;
  readonly answerBytes: number;
  readonly invocations: number;
}

/**
 * cdk-local's own memory (V8 heap and Buffers, after a full collection) after 300 warm
 * invocations of a function that answers 1 MB, against the same process after its first
 * 10: an environment that kept its answers would grow by about 300 MB.
 */
export const warmMemory: Scenario = {
  id: 'warm-memory',
  title: `memory, ${WARM_INVOCATIONS} warm invocations answering 1 MB`,
  async run(context) {
    const assembly = await context.benchApp();
    const indexUrl = pathToFileURL(join(context.root, 'dist', 'lib', 'index.js')).href;
    const outputs: ProbeOutput[] = [];
    for (let i = 0; i < (context.quick ? 1 : 3); i++) {
      const cache = await context.scratchDirectory(`warm-memory-${i}`);
      const run = expectSuccess(
        await timeNodeProcess(['--expose-gc', PROBE, indexUrl, assembly, BenchFunctions.largeAnswer, String(WARM_INVOCATIONS), cache]),
        'the warm-memory probe',
      );
      const output = JSON.parse(run.stdout) as ProbeOutput;
      if (output.invocations !== WARM_INVOCATIONS) throw new Error(`The probe made ${output.invocations} invocations, expected ${WARM_INVOCATIONS}`);
      outputs.push(output);
    }
    const after = summarize(outputs.map((output) => output.afterMb));
    const before = summarize(outputs.map((output) => output.beforeMb));
    const ratio = medianRatio(after, before);
    const rssBefore = summarize(outputs.map((output) => output.beforeRssMb)).median;
    const rssAfter = summarize(outputs.map((output) => output.afterRssMb)).median;
    const answerMb = summarize(outputs.map((output) => output.answerBytes)).median / (1024 * 1024);
    return [
      {
        id: this.id,
        title: this.title,
        status: 'measured',
        subject: { label: `cdk-local's heap and buffers after ${WARM_INVOCATIONS} more warm invocations`, unit: 'MB', distribution: after },
        baseline: { label: 'the same after the first 10', unit: 'MB', distribution: before },
        ratio,
        target: { description: `≤ ${formatRatio(WARM_MEMORY_TARGET_RATIO)} (flat)`, met: ratio <= WARM_MEMORY_TARGET_RATIO },
        whyMissed: `it grew by ${formatMb(after.median - before.median)} over ${WARM_INVOCATIONS} answers of ${formatMb(answerMb)}: something keeps them after their invocation.`,
        notes: [
          `Each answer is ${formatMb(answerMb)}; kept answers would add ${formatMb(answerMb * WARM_INVOCATIONS)}. Growth: ${formatMb(after.median - before.median)}.`,
          `Resident memory of the process (which the allocator returns to the system lazily): ${formatMb(rssBefore)} before, ${formatMb(rssAfter)} after.`,
        ],
      },
    ];
  },
};
