import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ExecutionEnvironment, type LogRecord } from '../../lib/environment/index.js';
import { startManagedProcess } from '../../lib/environment/managed-process.js';
import { detectBubblewrap, prepareLauncher } from '../../lib/environment/sandbox/index.js';
import { describeRuntime } from '../../lib/runtimes/index.js';
import { makeSpec, runtimeFixture } from './spec-fixture.js';

const fixture = (path: string): string => fileURLToPath(new URL(`../fixtures/sandbox/${path}`, import.meta.url));
const NODE_CODE = fixture('node/');
const PYTHON_CODE = fixture('python/');
const SIGNALS_CODE = fixture('signals/');
const LAYER = fixture('layer/');
const EXTENSION_LAYER = fixture('extension-layer/');
const OTHER_CODE = fixture('other/');
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const detection = await detectBubblewrap();
const skip = detection.available ? false : `bubblewrap cannot make a sandbox here (${detection.reason}); install it (apt-get install bubblewrap) to run these tests`;

/**
 * Pids of live processes that carry `marker` (a variable of the function, which the runtime and
 * what it starts inherit) or that keep the environment's network (`helpers`).
 */
async function processesOf(marker: string, helpers: readonly number[] = []): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    if (environ.split('\0').includes(`SANDBOX_TEST_MARKER=${marker}`) || helpers.includes(Number(entry))) found.push(Number(entry));
  }
  return found;
}

/** Waits until the processes of {@link processesOf} are gone, at most 30 s; returns what is left. */
async function waitUntilGone(marker: string, helpers: readonly number[] = []): Promise<number[]> {
  const deadline = Date.now() + 30_000;
  let left = await processesOf(marker, helpers);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    left = await processesOf(marker, helpers);
  }
  return left;
}

type SpecOverrides = Partial<Parameters<typeof makeSpec>[0]>;

async function startSandboxed(codeDirectory: string, options: { layersDirectory?: string; spec?: SpecOverrides } = {}) {
  const records: LogRecord[] = [];
  const notices: string[] = [];
  const marker = randomUUID();
  const environment = await ExecutionEnvironment.start({
    spec: makeSpec({ codeDirectory, runtime: 'nodejs20.x', handler: 'index.handler', ...options.spec }),
    codeDirectory,
    ...(options.layersDirectory === undefined ? {} : { layersDirectory: options.layersDirectory }),
    functionVariables: { SANDBOX_TEST_MARKER: marker },
    onLog: (record) => records.push(record),
    onNotice: (message) => notices.push(message),
    sandbox: true,
  });
  /** Invokes the function and returns its answer, parsed; fails the test on a function error. */
  const call = async (event: unknown): Promise<Record<string, unknown>> => {
    const handle = environment.invoke({ payload: Buffer.from(JSON.stringify(event)) });
    const response = await handle.response;
    const report = await handle.report;
    const logs = records.map((record) => record.text).join('\n');
    assert.ok(response.kind === 'payload', `${response.kind === 'function-error' ? response.body.toString() : response.kind}\n${logs}`);
    assert.equal(report.status, 'success', logs);
    return JSON.parse(response.body.toString()) as Record<string, unknown>;
  };
  return { environment, call, records, notices, marker };
}

describe('the bubblewrap sandbox', { skip }, () => {
  it('puts the code at /var/task, the layers at /opt, the runtime client at /var/runtime and node at /var/lang/bin, with the variables of N.74', async () => {
    const { environment, call, notices } = await startSandboxed(NODE_CODE, { layersDirectory: LAYER });
    await using _ = environment;
    const seen = await call({ action: 'inspect' });
    assert.equal(seen.cwd, '/var/task');
    assert.deepEqual(seen.taskFiles, ['index.mjs']);
    assert.ok((seen.runtimeFiles as string[]).includes('bootstrap.mjs'));
    assert.deepEqual(seen.optEntries, ['bin', 'nodejs']);
    assert.equal(seen.layerLibrary, 'hello from the layer', "NODE_PATH finds the layer's /opt/nodejs/node_modules");
    assert.match(String(seen.layerFile), /layer tool/);
    assert.equal(seen.execPath, '/var/lang/bin/node');
    assert.deepEqual(seen.variables, {
      LAMBDA_TASK_ROOT: '/var/task',
      LAMBDA_RUNTIME_DIR: '/var/runtime',
      NODE_PATH: '/opt/nodejs/node20/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task',
      PATH: '/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin',
      LD_LIBRARY_PATH: '/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib',
      PWD: null,
      HOME: null,
    });
    assert.deepEqual(notices.filter((notice) => notice.includes('sandbox')), [], 'a working sandbox says nothing');
  });

  it('refuses writes to /var/task, /opt, /var/runtime, /etc, /usr and the root; /tmp is writable', async () => {
    const { environment, call } = await startSandboxed(NODE_CODE, { layersDirectory: LAYER });
    await using _ = environment;
    const paths = ['/var/task/new.txt', '/var/task/index.mjs', '/opt/new.txt', '/opt/bin/layer-tool', '/var/runtime/new.mjs', '/new.txt', '/etc/new.txt', '/usr/new.txt'];
    const results = await call({ action: 'write', paths: [...paths, '/tmp/new.txt'] });
    for (const path of paths) assert.ok(results[path] === 'EROFS' || results[path] === 'EACCES', `${path}: ${String(results[path])}`);
    assert.equal(results['/tmp/new.txt'], 'ok');
  });

  it("caps /tmp at the function's ephemeral storage: writing past it fails with ENOSPC", async (t) => {
    if (detection.available && !detection.bubblewrap.sizeOption) return t.skip('this bubblewrap is older than 0.8 and has no --size');
    const { environment, call } = await startSandboxed(NODE_CODE, { spec: { ephemeralStorageMb: 4 } });
    await using _ = environment;
    assert.deepEqual(await call({ action: 'fill', path: '/tmp/first', bytes: 3 * 1024 * 1024 }), { result: 'ok' });
    assert.deepEqual(await call({ action: 'fill', path: '/tmp/second', bytes: 2 * 1024 * 1024 }), { result: 'ENOSPC' });
  });

  it("sees nothing of this machine but its system directories: no /work, no repository, no home, no other function's code, an empty /opt", async () => {
    const { environment, call } = await startSandboxed(NODE_CODE);
    await using _ = environment;
    const paths = ['/work', REPO_ROOT, NODE_CODE, OTHER_CODE, `${OTHER_CODE}README.txt`, '/root', '/home', '/var/task/index.mjs'];
    assert.deepEqual(await call({ action: 'exists', paths }), {
      '/work': false,
      [REPO_ROOT]: false,
      [NODE_CODE]: false,
      [OTHER_CODE]: false,
      [`${OTHER_CODE}README.txt`]: false,
      '/root': false,
      '/home': false,
      '/var/task/index.mjs': true,
    });
    const seen = await call({ action: 'inspect' });
    const allowed = new Set(['bin', 'dev', 'etc', 'lib', 'lib32', 'lib64', 'libx32', 'opt', 'proc', 'sbin', 'tmp', 'usr', 'var']);
    assert.deepEqual((seen.rootEntries as string[]).filter((entry) => !allowed.has(entry)), []);
    assert.deepEqual(seen.optEntries, []);
    assert.equal(seen.layerLibrary, 'MODULE_NOT_FOUND');
  });

  it('resolves sandbox.localdomain to 127.0.0.1, has a host name like Lambda\'s and a PID namespace of its own', async () => {
    const { environment, call } = await startSandboxed(NODE_CODE);
    await using _ = environment;
    const seen = await call({ action: 'inspect' });
    assert.equal(seen.sandboxAddress, '127.0.0.1');
    assert.equal(seen.sandboxShortAddress, '127.0.0.1');
    assert.match(String(seen.hostname), /^169\.254\.\d{1,3}\.\d{1,3}$/);
    assert.ok((seen.pid as number) <= 3, `the runtime is pid ${String(seen.pid)}`);
    assert.ok((seen.processes as number[]).length <= 3, `/proc lists ${JSON.stringify(seen.processes)}`);
  });

  it('shares /tmp between the function and its external extensions, and says it is not capped then', async () => {
    const { environment, call, notices } = await startSandboxed(NODE_CODE, { layersDirectory: EXTENSION_LAYER });
    await using _ = environment;
    assert.deepEqual(await call({ action: 'read', path: '/tmp/from-extension' }), { content: 'written by the extension' });
    assert.deepEqual(notices.filter((notice) => notice.includes('sandbox')), [
      'TestStack/Fn runs in a sandbox, but its extensions share /tmp with the function through a directory that is not capped at 512 MB, and each process has a PID namespace of its own.',
    ]);
  });

  it('runs a provided.al2023 shell bootstrap from /var/task', async () => {
    const codeDirectory = runtimeFixture('provided', 'echo');
    const { environment, records } = await startSandboxed(codeDirectory, { spec: { runtime: 'provided.al2023', handler: 'bootstrap' } });
    await using _ = environment;
    const handle = environment.invoke({ payload: Buffer.from('{"echo": true}') });
    const response = await handle.response;
    assert.ok(response.kind === 'payload', records.map((record) => record.text).join('\n'));
    assert.equal(response.body.toString(), '{"echo": true}');
    assert.equal((await handle.report).status, 'success');
  });

  it('runs a Python function with the local interpreter at /var/lang', async () => {
    const { environment, call } = await startSandboxed(PYTHON_CODE, { spec: { runtime: 'python3.12', handler: 'app.handler' } });
    await using _ = environment;
    const seen = await call({});
    assert.equal(seen.cwd, '/var/task');
    assert.equal(seen.taskRoot, '/var/task');
    assert.match(String(seen.executable), /^\/var\/lang\/bin\/python3(\.\d+)?$/);
    assert.equal(seen.prefix, '/var/lang');
    assert.deepEqual(seen.taskFiles, ['app.py']);
    assert.match(String(seen.writeTask), /:30$|:13$/, 'EROFS (30) or EACCES (13)');
    assert.equal(seen.writeTmp, 'ok');
    assert.ok((seen.processes as number[]).length <= 3);
  });

  it('shutdown leaves no process behind, not even one that left the runtime\'s process group', async () => {
    const { environment, call, marker } = await startSandboxed(NODE_CODE);
    await call({ action: 'daemon' });
    assert.ok((await processesOf(marker)).length >= 2, 'the runtime and its daemon run');
    const helpers = environment.networkPids;
    await environment.shutdown();
    assert.deepEqual(await waitUntilGone(marker, helpers), []);
  });

  it('nothing outlives cdk-local killed with SIGKILL', async () => {
    const holder = spawn(process.execPath, ['--import', 'tsx', fixture('hold-environment.ts')], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let output = '';
      holder.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('\n')) resolve(output.split('\n')[0]!);
      });
      holder.on('exit', (code) => reject(new Error(`the holder exited with ${String(code)} before it was ready`)));
    });
    const { marker, helpers, kind } = JSON.parse(line) as { marker: string; helpers: number[]; kind: string };
    assert.equal(kind, 'payload');
    assert.ok((await processesOf(marker)).length >= 2, 'the runtime and its daemon run');
    holder.kill('SIGKILL');
    // With a network namespace, its holder and slirp4netns too.
    assert.deepEqual(await waitUntilGone(marker, helpers), []);
  });

  it('a SIGTERM to the process group reaches the runtime, not bubblewrap; a death by signal is reported as one', async (t) => {
    if (detection.available && !detection.bubblewrap.signalOptions) return t.skip('/usr/bin/env has no --ignore-signal here');
    const runtime = describeRuntime('nodejs20.x')!;
    const launcher = await prepareLauncher({
      spec: makeSpec({ codeDirectory: SIGNALS_CODE, runtime: 'nodejs20.x' }),
      runtime,
      command: { file: process.execPath, args: [], runtimeDir: SIGNALS_CODE },
      codeDirectory: SIGNALS_CODE,
      sandbox: true,
    });
    const run = async (mode: string) => {
      const lines: string[] = [];
      let ready!: () => void;
      const started = new Promise<void>((resolve) => (ready = resolve));
      const managed = startManagedProcess({
        ...launcher.launch({ file: process.execPath, args: [`${SIGNALS_CODE}term.mjs`, mode], cwd: SIGNALS_CODE }),
        env: { PATH: '/usr/bin:/bin' },
        onLine: (text) => {
          lines.push(text);
          if (text === 'ready') ready();
        },
      });
      await started;
      managed.signal('SIGTERM');
      return { exit: await managed.exited, lines };
    };
    const handled = await run('handle');
    assert.deepEqual(handled, { exit: { exitCode: 0 }, lines: ['ready', 'got SIGTERM'] });
    const unhandled = await run('default');
    assert.deepEqual(unhandled, { exit: { signal: 'SIGTERM' }, lines: ['ready'] });
    await launcher.dispose();
  });
});
