import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { FunctionSpec } from '../../lib/assembly/index.js';
import { ExecutionEnvironment } from '../../lib/environment/index.js';
import { summarize } from '../measure/distribution.js';
import { medianRatio, type Scenario } from '../scenario.js';
import { BENCH_EVENT } from './warm-invoke-library.js';

const ECHO_CODE = fileURLToPath(new URL('../fixtures/handlers/echo/', import.meta.url));

/** A major other than the local node's, so that its build must be fetched. */
function otherMajor(): string {
  return process.versions.node.split('.')[0] === '22' ? '24' : '22';
}

function echoSpec(runtime: string): FunctionSpec {
  const functionName = 'Bench-RuntimeFetch';
  return {
    stackName: 'Bench',
    stackDisplayName: 'Bench',
    constructPath: 'Bench/RuntimeFetch',
    logicalId: 'RuntimeFetch',
    functionName,
    functionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    region: 'us-east-1',
    accountId: '123456789012',
    version: '$LATEST',
    runtime,
    handler: 'index.handler',
    architecture: 'x86_64',
    memorySizeMb: 128,
    timeoutSeconds: 30,
    ephemeralStorageMb: 512,
    environment: {},
    unresolvedEnvironment: [],
    code: { kind: 'directory', path: ECHO_CODE },
    layers: [],
    logging: { logFormat: 'Text', logGroup: `/aws/lambda/${functionName}` },
    tracingMode: 'PassThrough',
  };
}

/** ms from starting an environment to the answer of its first invoke. */
async function timeFirstInvoke(runtime: string, cacheDirectory: string): Promise<number> {
  const startedAt = performance.now();
  await using environment = await ExecutionEnvironment.start({
    spec: echoSpec(runtime),
    codeDirectory: ECHO_CODE,
    functionVariables: {},
    initTimeoutMs: 900_000,
    provision: { cacheDirectory, projectDirectory: ECHO_CODE },
  });
  const response = await environment.invoke({ payload: Buffer.from(JSON.stringify(BENCH_EVENT)) }).response;
  if (response.kind !== 'payload') throw new Error(`the echo function on ${runtime} failed: ${response.kind}`);
  return performance.now() - startedAt;
}

/**
 * A function whose runtime names another Node.js major than the local one: its first run
 * fetches that build from the npm registry into an empty cache (once), the runs after reuse
 * it offline. The ratio is what the first run costs over a usual one.
 */
export const runtimeFetch: Scenario = {
  id: 'runtime-fetch',
  title: 'first run of a Node.js major not installed locally',
  async run(context) {
    const runtime = `nodejs${otherMajor()}.x`;
    const cacheDirectory = await context.scratchDirectory('runtime-fetch');
    context.progress(`${runtime}: fetching its Node.js build into an empty cache`);
    const firstMs = await timeFirstInvoke(runtime, cacheDirectory);
    const samples = context.quick ? 4 : 12;
    const afterMs: number[] = [];
    for (let i = 0; i < samples; i++) afterMs.push(await timeFirstInvoke(runtime, cacheDirectory));
    const first = summarize([firstMs]);
    const after = summarize(afterMs);
    return [
      {
        id: 'runtime-fetch',
        title: `first run of ${runtime} (fetches Node.js ${otherMajor()})`,
        status: 'measured',
        subject: { label: `start + 1st invoke, empty cache (${runtime})`, unit: 'ms', distribution: first },
        baseline: { label: 'start + 1st invoke, warm cache', unit: 'ms', distribution: after },
        ratio: medianRatio(first, after),
        notes: [`The first run downloads node-${process.platform}-${process.arch}@${otherMajor()} with npm (integrity-checked) into a temporary cache; it depends on the network. The runs after it need none.`],
      },
    ];
  },
};
