import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { summarize } from '../measure/distribution.js';
import { expectSuccess, timeNodeProcess } from '../measure/time-process.js';
import { formatMs } from '../report/format-values.js';
import { medianRatio, type Scenario } from '../scenario.js';

/** The issue "The edit–run–debug loop": from saving an unbundled handler to its new answer, under this. */
export const SAVE_TO_ANSWER_TARGET_MS = 300;

const RUN_HANDLER = fileURLToPath(new URL('../baselines/run-handler.mjs', import.meta.url));

const handlerSource = (version: number): string => `exports.handler = async () => ({ version: ${version} });\n`;

/** A CDK app whose one function runs an unbundled asset directory, `handlers/hello`. */
function appSource(root: string): string {
  return `import { createRequire } from 'node:module';
const require = createRequire(${JSON.stringify(join(root, 'package.json'))});
const { App, Duration, Stack } = require('aws-cdk-lib');
const lambda = require('aws-cdk-lib/aws-lambda');
const app = new App();
const stack = new Stack(app, 'Loop');
new lambda.Function(stack, 'Hello', {
  runtime: lambda.Runtime.NODEJS_20_X,
  handler: 'index.handler',
  code: lambda.Code.fromAsset('handlers/hello'),
  timeout: Duration.seconds(30),
});
app.synth();
`;
}

/** The version the function answers with now. */
async function invokeVersion(url: string): Promise<number> {
  const response = await fetch(`${url}/2015-03-31/functions/Hello/invocations`, { method: 'POST', body: '{}' });
  if (response.status !== 200) throw new Error(`Invoke answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { version: number }).version;
}

/**
 * `start-lambda --watch` on an app with an unbundled handler: the handler file is written, then
 * invoked until it answers with the new code. Against the same write followed by a new `node`
 * process that runs the handler file once (what a restart of a plain script costs at least).
 */
export const saveToAnswer: Scenario = {
  id: 'save-to-answer',
  title: 'start-lambda --watch, handler saved to new answer',
  async run(context) {
    const project = await mkdtemp(join(tmpdir(), 'cdk-local-bench-loop-'));
    const handlerFile = join(project, 'handlers', 'hello', 'index.js');
    await mkdir(join(project, 'handlers', 'hello'), { recursive: true });
    await writeFile(handlerFile, handlerSource(0));
    await writeFile(join(project, 'app.mjs'), appSource(context.root));
    await writeFile(join(project, 'cdk.json'), JSON.stringify({ app: 'node app.mjs' }));
    const child = spawn(process.execPath, [context.cliPath, 'start-lambda', '--port', '0', '--watch'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = once(child, 'exit');
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let stdout = '';
        const timer = setTimeout(() => reject(new Error(`start-lambda --watch did not start within 120 s:\n${stderr}`)), 120_000);
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString('utf8');
          const match = /Lambda Invoke API at (http:\/\/\S+)/.exec(stdout);
          if (match !== null) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
        void exited.then(() => reject(new Error(`start-lambda --watch exited:\n${stderr}`)));
      });
      if ((await invokeVersion(url)) !== 0) throw new Error('The function did not answer with its first version');
      let version = 0;
      const saved = async (): Promise<number> => {
        version++;
        const startedAt = performance.now();
        await writeFile(handlerFile, handlerSource(version));
        const deadline = startedAt + 60_000;
        while ((await invokeVersion(url)) !== version) {
          if (performance.now() > deadline) throw new Error(`The new handler did not answer within 60 s:\n${stderr}`);
          await sleep(5);
        }
        return performance.now() - startedAt;
      };
      const restarted = async (): Promise<number> => {
        version++;
        const startedAt = performance.now();
        await writeFile(handlerFile, handlerSource(version));
        const run = expectSuccess(await timeNodeProcess([RUN_HANDLER, handlerFile, 'handler', '{}']), 'node run-handler.mjs');
        const elapsedMs = performance.now() - startedAt;
        if (!run.stdout.includes(`"version":${version}`)) throw new Error(`node run-handler.mjs printed ${JSON.stringify(run.stdout)}`);
        // The watcher sees this write too: let its reload pass before the next sample.
        while ((await invokeVersion(url)) !== version) await sleep(5);
        return elapsedMs;
      };
      await saved();
      const savedMs: number[] = [];
      const nodeMs: number[] = [];
      for (let i = 0; i < (context.quick ? 5 : 15); i++) {
        savedMs.push(await saved());
        nodeMs.push(await restarted());
      }
      const subject = summarize(savedMs);
      const baseline = summarize(nodeMs);
      const synthLess = /no synth needed/.test(stderr);
      return [
        {
          id: this.id,
          title: this.title,
          status: 'measured',
          subject: { label: 'write handler, invoke through start-lambda --watch until the new answer', unit: 'ms', distribution: subject },
          baseline: { label: 'write handler, node runs it once', unit: 'ms', distribution: baseline },
          ratio: medianRatio(subject, baseline),
          target: { description: `< ${SAVE_TO_ANSWER_TARGET_MS} ms`, met: subject.median < SAVE_TO_ANSWER_TARGET_MS },
          whyMissed:
            `of the ${formatMs(subject.median)} median, the watcher waits 30 ms of quiet after the last change before it reloads code that needs no synth ` +
            `(300 ms when the app is synthesized), then the next invocation has the new environment's cold start.`,
          notes: [
            synthLess ? 'Every reload was made without a synth (no synth needed).' : 'The reloads synthesized the app: the unbundled handler was not served from its source directory.',
            'The baseline is a lower bound: a new node process that loads the handler once, with no Lambda emulation.',
          ],
        },
      ];
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      await rm(project, { recursive: true, force: true });
    }
  },
};
