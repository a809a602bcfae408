import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { summarize } from '../measure/distribution.js';
import { benchEnvironment, expectSuccess, timeNodeProcess } from '../measure/time-process.js';
import { formatMs } from '../report/format-values.js';
import { medianRatio, type Scenario } from '../scenario.js';

const RUN_HANDLER = fileURLToPath(new URL('../baselines/run-handler.mjs', import.meta.url));

const entrySource = (version: number): string => `export const handler = async (): Promise<{ version: number }> => ({ version: ${version} });\n`;

/** A CDK app whose one function is a NodejsFunction: `handler.ts`, bundled by esbuild at synth. */
function appSource(root: string): string {
  return `import { createRequire } from 'node:module';
const require = createRequire(${JSON.stringify(join(root, 'package.json'))});
const { App, Duration, Stack } = require('aws-cdk-lib');
const lambda = require('aws-cdk-lib/aws-lambda');
const nodejs = require('aws-cdk-lib/aws-lambda-nodejs');
const app = new App();
const stack = new Stack(app, 'Loop');
new nodejs.NodejsFunction(stack, 'Hello', {
  runtime: lambda.Runtime.NODEJS_20_X,
  entry: 'handler.ts',
  depsLockFilePath: 'package-lock.json',
  bundling: { forceDockerBundling: false },
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
 * `start-lambda --watch` on an app with a NodejsFunction: its entry is written, then the function
 * is invoked until it answers with the new code, which takes a synth (esbuild bundles the entry).
 * Against the same write followed by esbuild bundling the entry once and a new `node` process
 * running the bundle once (the least a bundled handler's change costs without CDK or Lambda).
 */
export const saveToAnswerBundled: Scenario = {
  id: 'save-to-answer-bundled',
  title: 'start-lambda --watch, NodejsFunction entry saved to new answer',
  async run(context) {
    const project = await mkdtemp(join(tmpdir(), 'cdk-local-bench-loop-bundled-'));
    const entryFile = join(project, 'handler.ts');
    // Dot directories, which the watcher ignores.
    const bundleFile = join(project, '.baseline-out', 'index.js');
    const probeAssembly = join(project, '.synth-probe');
    await writeFile(entryFile, entrySource(0));
    await writeFile(join(project, 'app.mjs'), appSource(context.root));
    await writeFile(join(project, 'cdk.json'), JSON.stringify({ app: 'node app.mjs' }));
    // NodejsFunction needs a lock file, and runs esbuild from the project's node_modules: the repository's.
    await writeFile(join(project, 'package-lock.json'), JSON.stringify({ name: 'loop', lockfileVersion: 3, requires: true, packages: {} }));
    await symlink(join(context.root, 'node_modules'), join(project, 'node_modules'), 'dir');
    const child = spawn(process.execPath, [context.cliPath, 'start-lambda', '--port', '0', '--watch'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = once(child, 'exit');
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let stdout = '';
        const timer = setTimeout(() => reject(new Error(`start-lambda --watch did not start within 180 s:\n${stderr}`)), 180_000);
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
        await writeFile(entryFile, entrySource(version));
        const deadline = startedAt + 180_000;
        while ((await invokeVersion(url)) !== version) {
          if (performance.now() > deadline) throw new Error(`The new entry did not answer within 180 s:\n${stderr}`);
          await sleep(20);
        }
        return performance.now() - startedAt;
      };
      const bundled = async (): Promise<number> => {
        version++;
        const startedAt = performance.now();
        await writeFile(entryFile, entrySource(version));
        const esbuild = join(context.root, 'node_modules', 'esbuild', 'bin', 'esbuild');
        expectSuccess(
          await timeNodeProcess([esbuild, entryFile, '--bundle', '--platform=node', '--target=node20', '--format=cjs', `--outfile=${bundleFile}`], { cwd: project }),
          'esbuild',
        );
        const run = expectSuccess(await timeNodeProcess([RUN_HANDLER, bundleFile, 'handler', '{}']), 'node run-handler.mjs');
        const elapsedMs = performance.now() - startedAt;
        if (!run.stdout.includes(`"version":${version}`)) throw new Error(`node run-handler.mjs printed ${JSON.stringify(run.stdout)}`);
        // The watcher sees this write too: let its synth and reload pass before the next sample.
        const deadline = performance.now() + 180_000;
        while ((await invokeVersion(url)) !== version) {
          if (performance.now() > deadline) throw new Error(`The new entry did not answer within 180 s:\n${stderr}`);
          await sleep(20);
        }
        return elapsedMs;
      };
      await saved();
      const savedMs: number[] = [];
      const baselineMs: number[] = [];
      for (let i = 0; i < (context.quick ? 3 : 5); i++) {
        savedMs.push(await saved());
        baselineMs.push(await bundled());
      }
      // The app alone, synthesized once as the watcher does (its esbuild included): most of a reload.
      const synth = expectSuccess(
        await timeNodeProcess(['app.mjs'], { cwd: project, env: { ...benchEnvironment(), CDK_OUTDIR: probeAssembly } }),
        'node app.mjs',
      );
      if (/docker/i.test(stderr + synth.stdout + synth.stderr)) throw new Error(`The synth tried Docker to bundle the NodejsFunction:\n${stderr}${synth.stderr}`);
      const subject = summarize(savedMs);
      const baseline = summarize(baselineMs);
      return [
        {
          id: this.id,
          title: this.title,
          status: 'measured',
          subject: { label: 'write NodejsFunction entry, invoke through start-lambda --watch until the new answer', unit: 'ms', distribution: subject },
          baseline: { label: 'write entry, esbuild bundles it once, node runs the bundle once', unit: 'ms', distribution: baseline },
          ratio: medianRatio(subject, baseline),
          notes: [
            `Of that, running the app alone (node app.mjs, a synth with esbuild bundling the entry) took ${formatMs(synth.durationMs)} once; the watcher also waits 300 ms of quiet after the last change before it synthesizes.`,
            'No target: the < 300 ms of save-to-answer is for unbundled code; a bundled entry needs a synth (the whole CDK app, with esbuild) before the new code exists.',
            'The baseline is a lower bound: no CDK app, no Lambda emulation, only the bundling and one run of the bundle.',
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
