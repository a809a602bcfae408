import { fileURLToPath } from 'node:url';
import { LocalLambda } from '../../lib/index.js';
import { parseAssembly } from '../baselines/parse-assembly.mjs';
import { MANY_FUNCTIONS } from '../fixtures/bench-apps.js';
import { summarize } from '../measure/distribution.js';
import { expectSuccess, timeNodeProcess } from '../measure/time-process.js';
import { timeInterleaved } from '../measure/time-samples.js';
import { medianRatio, type Scenario } from '../scenario.js';

/** Issue 6: reading the 300-function app takes less than this. */
export const READ_TARGET_MS = 1000;

const PARSE_ASSEMBLY = fileURLToPath(new URL('../baselines/parse-assembly.mjs', import.meta.url));
const FUNCTION_COUNT = MANY_FUNCTIONS.stacks * MANY_FUNCTIONS.functionsPerStack;

/**
 * Reading the generated app of 300 functions in 10 stacks (`LocalLambda.fromAssembly`: every
 * FunctionSpec with its intrinsics resolved), and `cdk-local list` on it, against parsing
 * the same manifest and templates as JSON (in-process, and as a `node` program).
 */
export const readAssembly: Scenario = {
  id: 'read-assembly',
  title: `read ${FUNCTION_COUNT} functions`,
  async run(context) {
    context.progress('  generating (or reusing) the app of 300 functions');
    const assembly = await context.manyFunctionsApp();
    const read = async (): Promise<void> => {
      const local = await LocalLambda.fromAssembly(assembly, { credentials: 'none' });
      if (local.functions.length !== FUNCTION_COUNT) throw new Error(`Read ${local.functions.length} functions, expected ${FUNCTION_COUNT}`);
      await local.close();
    };
    const [readMs, parseMs] = await timeInterleaved(context.quick ? { warmup: 1, rounds: 3, perRound: 1 } : { warmup: 2, rounds: 10, perRound: 1 }, [
      read,
      () => parseAssembly(assembly),
    ]);
    const subject = summarize(readMs!);
    const baseline = summarize(parseMs!);

    const listMs: number[] = [];
    const nodeMs: number[] = [];
    const list = async (): Promise<number> => {
      const run = expectSuccess(await timeNodeProcess([context.cliPath, 'list', '--app', assembly]), 'cdk-local list');
      const rows = run.stdout.trim().split('\n').length - 1;
      if (rows !== FUNCTION_COUNT) throw new Error(`cdk-local list printed ${rows} functions, expected ${FUNCTION_COUNT}`);
      return run.durationMs;
    };
    const parse = async (): Promise<number> => expectSuccess(await timeNodeProcess([PARSE_ASSEMBLY, assembly]), 'node parse-assembly.mjs').durationMs;
    await list();
    await parse();
    for (let i = 0; i < (context.quick ? 3 : 8); i++) {
      listMs.push(await list());
      nodeMs.push(await parse());
    }
    const listed = summarize(listMs);
    const parsed = summarize(nodeMs);
    return [
      {
        id: 'read-assembly',
        title: this.title,
        status: 'measured',
        subject: { label: 'LocalLambda.fromAssembly(), 10 stacks', unit: 'ms', distribution: subject },
        baseline: { label: 'JSON.parse of manifest and templates', unit: 'ms', distribution: baseline },
        ratio: medianRatio(subject, baseline),
        target: { description: `< ${READ_TARGET_MS} ms`, met: subject.median < READ_TARGET_MS },
        notes: ['The target is absolute; the ratio says what reading costs beyond parsing the JSON.'],
      },
      {
        id: 'list',
        title: `cdk-local list, ${FUNCTION_COUNT} functions`,
        status: 'measured',
        subject: { label: 'node dist/bin/cdk-local.js list --app <cdk.out>', unit: 'ms', distribution: listed },
        baseline: { label: 'node parse-assembly.mjs (parse + print IDs)', unit: 'ms', distribution: parsed },
        ratio: medianRatio(listed, parsed),
        notes: [],
      },
    ];
  },
};
