import { LocalLambda } from '../../lib/index.js';
import { measureFloorThroughput } from '../baselines/http-floor.js';
import { BenchFunctions } from '../fixtures/bench-apps.js';
import { summarize } from '../measure/distribution.js';
import { runCallers, type CallersResult } from '../measure/time-samples.js';
import { formatMs } from '../report/format-values.js';
import type { Scenario, ScenarioResult } from '../scenario.js';
import { BENCH_EVENT } from './warm-invoke-library.js';

/** Concurrent callers of each measurement. */
export const THROUGHPUT_CALLERS = [1, 4, 16] as const;

function combine(parts: readonly CallersResult[]): CallersResult {
  const latenciesMs = parts.flatMap((part) => part.latenciesMs);
  const elapsedMs = parts.reduce((sum, part) => sum + part.elapsedMs, 0);
  return { perSecond: (latenciesMs.length / elapsedMs) * 1000, elapsedMs, latenciesMs, errors: parts.flatMap((part) => part.errors) };
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Invocations per second of the echo function through the library with 1, 4 and 16 callers
 * invoking one after another (an environment each: the pool grows to 16), against as many
 * clients making floor round trips. Any error fails the scenario.
 */
export const throughput: Scenario = {
  id: 'throughput',
  title: 'throughput',
  async run(context) {
    const floor = await context.floor();
    const local = await LocalLambda.fromAssembly(await context.benchApp(), {
      credentials: 'none',
      cacheDirectory: await context.scratchDirectory('throughput'),
      maxConcurrency: Math.max(...THROUGHPUT_CALLERS),
    });
    const spec = local.getFunction(BenchFunctions.echo);
    const invoke = async (): Promise<void> => {
      const result = await local.invoke(spec, { event: BENCH_EVENT });
      if (result.error !== undefined) throw new Error(`${result.error.errorType}: ${result.error.errorMessage}`);
    };
    const windowMs = context.quick ? 500 : 1500;
    const results: ScenarioResult[] = [];
    try {
      for (const callers of THROUGHPUT_CALLERS) {
        const id = `throughput-${callers}`;
        const title = `throughput, ${callers} caller${callers === 1 ? '' : 's'}`;
        context.progress(`  ${title}`);
        // Warm: every caller's environment is started before the window opens.
        await Promise.all(Array.from({ length: callers }, invoke));
        const floorParts: CallersResult[] = [];
        const cdkLocalParts: CallersResult[] = [];
        let cpuMicros = 0;
        for (let round = 0; round < 2; round++) {
          floorParts.push(await measureFloorThroughput(floor, callers, windowMs));
          const cpuBefore = process.cpuUsage();
          cdkLocalParts.push(await runCallers(callers, windowMs, invoke));
          const cpu = process.cpuUsage(cpuBefore);
          cpuMicros += cpu.user + cpu.system;
        }
        const subject = combine(cdkLocalParts);
        const baseline = combine(floorParts);
        if (subject.errors.length > 0 || baseline.errors.length > 0) {
          const [first] = [...subject.errors, ...baseline.errors];
          results.push({
            id,
            title,
            status: 'failed',
            reason: `${subject.errors.length} cdk-local and ${baseline.errors.length} floor errors, the first: ${describeError(first)}`,
            notes: [],
          });
          continue;
        }
        results.push({
          id,
          title,
          status: 'measured',
          subject: { label: 'LocalLambda.invoke() per caller, back to back', unit: 'ms', distribution: summarize(subject.latenciesMs), perSecond: subject.perSecond },
          baseline: { label: 'floor round trips, a connection per caller', unit: 'ms', distribution: summarize(baseline.latenciesMs), perSecond: baseline.perSecond },
          ratio: subject.perSecond / baseline.perSecond,
          notes: [
            `${local.environmentCount(spec).peak} environment(s) at most; no errors. The process running the library (and this loop) used ${formatMs(cpuMicros / 1000 / subject.latenciesMs.length)} of CPU per invocation, the runtimes' share on top: on 2 cores, more callers add little.`,
          ],
        });
      }
    } finally {
      await local.close();
    }
    return results;
  },
};
