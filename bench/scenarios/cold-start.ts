import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { chooseSandbox, type SandboxSetting } from '../../lib/environment/index.js';
import { LocalLambda } from '../../lib/index.js';
import { BenchFunctions } from '../fixtures/bench-apps.js';
import { summarize } from '../measure/distribution.js';
import { medianRatio, type Scenario, type ScenarioResult } from '../scenario.js';
import { BENCH_EVENT } from './warm-invoke-library.js';

const FIRST_REQUEST = fileURLToPath(new URL('../baselines/first-request.mjs', import.meta.url));
const RUNTIME_CLIENT_URL = new URL('../../lib/runtimes/node/runtime-client.mjs', import.meta.url).href;
/** The line the bench extension logs once it has registered. */
const EXTENSION_REGISTERED = 'bench-extension registered';

/** A server that times how long after a spawn the child's first request arrives. */
class FirstRequestTimer {
  readonly #server: Server;
  #waiting: ((at: number) => void) | undefined;

  private constructor(server: Server) {
    this.#server = server;
    server.on('request', (request, response) => {
      const at = performance.now();
      request.resume();
      response.writeHead(200, { 'Content-Type': 'application/json', 'Lambda-Runtime-Aws-Request-Id': 'cold' }).end('{}');
      this.#waiting?.(at);
      this.#waiting = undefined;
    });
  }

  static async start(): Promise<FirstRequestTimer> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return new FirstRequestTimer(server);
  }

  /** Spawns the baseline process and returns ms from spawn to its first request. */
  async time(): Promise<number> {
    const arrived = new Promise<number>((resolve) => {
      this.#waiting = resolve;
    });
    const port = (this.#server.address() as AddressInfo).port;
    const startedAt = performance.now();
    const child = spawn(process.execPath, [FIRST_REQUEST, RUNTIME_CLIENT_URL], {
      // Only what a runtime needs: cdk-local gives its runtimes Lambda's variables, not the
      // user's (NODE_EXTRA_CA_CERTS alone adds tens of milliseconds to a Node.js start).
      env: { PATH: process.env.PATH ?? '', AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}` },
      stdio: 'ignore',
    });
    const exited = once(child, 'exit');
    const at = await Promise.race([arrived, exited.then(() => Promise.reject(new Error('The baseline process exited before its first request')))]);
    await exited;
    return at - startedAt;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** One cold start of `name` in a fresh LocalLambda: its init duration, and its logs. */
async function measureColdStart(assembly: string, cacheDirectory: string, name: string, sandbox: SandboxSetting = 'auto'): Promise<{ initMs: number; logs: readonly string[] }> {
  const local = await LocalLambda.fromAssembly(assembly, { credentials: 'none', cacheDirectory, sandbox });
  try {
    const result = await local.invoke(name, { event: BENCH_EVENT });
    if (result.error !== undefined) throw new Error(`${name} failed: ${result.error.errorMessage}`);
    if (result.report.initDurationMs === undefined) throw new Error(`${name} reported no init duration on its first invoke`);
    return { initMs: result.report.initDurationMs, logs: result.records.map((record) => record.text) };
  } finally {
    await local.close();
  }
}

/**
 * Cold start of one environment: from spawning the runtime to its first `/next` (the init
 * duration cdk-local reports), against `node` loading the same runtime client and making
 * its first request. Then the same with one external extension in a layer.
 */
export const coldStart: Scenario = {
  id: 'cold-start',
  title: 'cold start',
  async run(context) {
    const assembly = await context.benchApp();
    const cacheDirectory = await context.scratchDirectory('cold-start');
    const timer = await FirstRequestTimer.start();
    try {
      const samples = context.quick ? 6 : 20;
      // First of each: caches (code, the file cache) are filled.
      await measureColdStart(assembly, cacheDirectory, BenchFunctions.echo);
      await timer.time();
      const cdkLocalMs: number[] = [];
      const baselineMs: number[] = [];
      for (let i = 0; i < samples; i++) {
        cdkLocalMs.push((await measureColdStart(assembly, cacheDirectory, BenchFunctions.echo)).initMs);
        baselineMs.push(await timer.time());
      }
      const baseline = summarize(baselineMs);
      const subject = summarize(cdkLocalMs);
      const baselineFigure = { label: 'node + runtime client, spawn to 1st request', unit: 'ms', distribution: baseline } as const;
      const results: ScenarioResult[] = [
        {
          id: 'cold-start',
          title: 'cold start (spawn to first /next)',
          status: 'measured',
          subject: { label: 'init duration of the echo function', unit: 'ms', distribution: subject },
          baseline: baselineFigure,
          ratio: medianRatio(subject, baseline),
          notes: ['The runtime is cdk-local\'s Node.js runtime interface client loading the handler; the baseline loads only its HTTP client.'],
        },
      ];

      if ((await chooseSandbox('auto')).kind === 'sandbox') {
        const plainMs: number[] = [];
        const plainBaselineMs: number[] = [];
        for (let i = 0; i < samples; i++) {
          plainMs.push((await measureColdStart(assembly, cacheDirectory, BenchFunctions.echo, false)).initMs);
          plainBaselineMs.push(await timer.time());
        }
        const plain = summarize(plainMs);
        const plainBaseline = summarize(plainBaselineMs);
        results.push({
          id: 'cold-start-plain',
          title: 'cold start, no sandbox',
          status: 'measured',
          subject: { label: 'init duration, plain processes (sandbox: false)', unit: 'ms', distribution: plain },
          baseline: { ...baselineFigure, distribution: plainBaseline },
          ratio: medianRatio(plain, plainBaseline),
          notes: ['The row above runs in bubblewrap\'s sandbox (the default where it works); this one without it.'],
        });
      }

      const probe = await measureColdStart(assembly, cacheDirectory, BenchFunctions.echoWithExtension);
      if (!probe.logs.some((line) => line.includes(EXTENSION_REGISTERED))) {
        results.push({
          id: 'cold-start-extension',
          title: 'cold start with 1 extension',
          status: 'not-measured',
          reason: 'the extension never registered: cdk-local has no Extensions API yet',
          notes: [],
        });
        return results;
      }
      const extensionMs: number[] = [];
      const extensionBaselineMs: number[] = [];
      for (let i = 0; i < samples; i++) {
        extensionMs.push((await measureColdStart(assembly, cacheDirectory, BenchFunctions.echoWithExtension)).initMs);
        extensionBaselineMs.push(await timer.time());
      }
      const extension = summarize(extensionMs);
      const extensionBaseline = summarize(extensionBaselineMs);
      results.push({
        id: 'cold-start-extension',
        title: 'cold start with 1 extension',
        status: 'measured',
        subject: { label: 'init duration, echo + 1 external extension', unit: 'ms', distribution: extension },
        baseline: { ...baselineFigure, distribution: extensionBaseline },
        ratio: medianRatio(extension, extensionBaseline),
        notes: ['The extension is a Node.js process that registers and waits for events; Lambda starts it before the runtime.'],
      });
      return results;
    } finally {
      await timer.close();
    }
  },
};
