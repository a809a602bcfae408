// `npm run bench`: measures cdk-local's overhead and scale against baselines taken in the same
// run, prints a table, and writes the same figures as JSON to bench-results/<timestamp>.json.
//   --quick        fewer iterations (a rough figure in a fraction of the time)
//   --json         the JSON on stdout (the table goes to stderr)
//   --only a,b     only the scenarios with these ids
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startFloorServer, type FloorServer } from './baselines/http-floor.js';
import { chooseSandbox } from '../lib/environment/index.js';
import { ensureBuilt } from './ensure-built.js';
import { benchAppAssembly, manyFunctionsAssembly } from './fixtures/bench-apps.js';
import { currentLoadAverage, describeCommit, describeMachine, writeReport, type BenchReport } from './report/bench-report.js';
import { formatTable } from './report/format-table.js';
import type { Scenario, ScenarioContext, ScenarioResult } from './scenario.js';
import { cliInvoke } from './scenarios/cli-invoke.js';
import { coldStart } from './scenarios/cold-start.js';
import { idleMemory } from './scenarios/idle-memory.js';
import { readAssembly } from './scenarios/read-assembly.js';
import { runtimeFetch } from './scenarios/runtime-fetch.js';
import { saveToAnswer } from './scenarios/save-to-answer.js';
import { saveToAnswerBundled } from './scenarios/save-to-answer-bundled.js';
import { sandboxNetwork } from './scenarios/sandbox-network.js';
import { throughput } from './scenarios/throughput.js';
import { warmInvokeLibrary } from './scenarios/warm-invoke-library.js';
import { warmInvokeStartLambda } from './scenarios/warm-invoke-start-lambda.js';
import { warmRequestStartApi } from './scenarios/warm-request-start-api.js';
import { warmMemory } from './scenarios/warm-memory.js';

/** Every scenario, in the order the table lists them. */
export const SCENARIOS: readonly Scenario[] = [warmInvokeLibrary, warmInvokeStartLambda, warmRequestStartApi, cliInvoke, coldStart, throughput, readAssembly, idleMemory, warmMemory, runtimeFetch, saveToAnswer, saveToAnswerBundled, sandboxNetwork];

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}

/** How environments run by default on this machine. */
async function describeSandbox(): Promise<string> {
  const choice = await chooseSandbox('auto');
  if (choice.kind !== 'sandbox') return `plain processes (${choice.reason})`;
  return choice.network.available ? 'bubblewrap sandbox, own network (slirp4netns)' : `bubblewrap sandbox, shared network (${choice.network.reason})`;
}

function failure(scenario: Scenario, error: unknown): ScenarioResult {
  const reason = error instanceof Error ? error.message : String(error);
  return { id: scenario.id, title: scenario.title, status: 'failed', reason, notes: [] };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, only: { type: 'string' } },
  });
  const only = values.only?.split(',').map((id) => id.trim());
  const scenarios = only === undefined ? SCENARIOS : SCENARIOS.filter((scenario) => only.includes(scenario.id));
  if (scenarios.length === 0) {
    process.stderr.write(`bench: no scenario matches --only ${values.only}; ids: ${SCENARIOS.map((scenario) => scenario.id).join(', ')}\n`);
    return 2;
  }
  const progress = (message: string): void => void process.stderr.write(`bench: ${message}\n`);
  const startedAt = new Date();
  const loadAverageBefore = currentLoadAverage();
  const started = performance.now();
  await ensureBuilt(ROOT, progress);

  const scratch = await mkdtemp(join(tmpdir(), 'cdk-local-bench-run-'));
  let floor: FloorServer | undefined;
  const context: ScenarioContext = {
    quick: values.quick,
    progress,
    root: ROOT,
    cliPath: join(ROOT, 'dist', 'bin', 'cdk-local.js'),
    benchApp: once(benchAppAssembly),
    manyFunctionsApp: once(manyFunctionsAssembly),
    floor: once(async () => (floor = await startFloorServer())),
    scratchDirectory: async (name) => {
      const directory = join(scratch, name);
      await mkdir(directory, { recursive: true });
      return directory;
    },
  };

  const results: ScenarioResult[] = [];
  try {
    for (const scenario of scenarios) {
      progress(scenario.title);
      try {
        results.push(...(await scenario.run(context)));
      } catch (error) {
        results.push(failure(scenario, error));
      }
    }
  } finally {
    await floor?.close();
    await rm(scratch, { recursive: true, force: true });
  }

  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    quick: values.quick,
    commit: describeCommit(ROOT),
    machine: describeMachine(loadAverageBefore, await describeSandbox()),
    results,
  };
  const path = await writeReport(ROOT, report);
  const table = formatTable(report);
  if (values.json) {
    process.stderr.write(table);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    process.stdout.write(table);
  }
  progress(`figures written to ${path}`);
  // A missed target is a finding, not a failure; a scenario that broke is one.
  return results.some((result) => result.status === 'failed') ? 1 : 0;
}

process.exitCode = await main();
