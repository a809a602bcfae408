import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Recorder } from '../events.js';
import { createMarkedApp, processesWithMarker, type MarkedApp } from '../../helpers/marked-app.js';
import { synthesizeApiApp } from '../../fixtures/start-api/api-app.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MARKER_VARIABLE = 'CDK_LOCAL_START_API_CLI_MARKER';
const ENDPOINT = /^cdk-local: (REST API|HTTP API|WebSocket API|function URL) (\S+) at ((?:http|ws):\/\/127\.0\.0\.1:\d+\/\S*)$/;

/** `cdk-local start-api ...` as a user runs it, from the sources. */
class StartApiRun {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout = new Recorder<string>();
  readonly stderr = new Recorder<string>();
  readonly exited: Promise<number | null>;

  constructor(args: readonly string[]) {
    this.child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bin', 'cdk-local.ts'), 'start-api', '--no-sandbox', ...args], { cwd: REPO_ROOT, env: process.env });
    this.#lines(this.child.stdout, this.stdout);
    this.#lines(this.child.stderr, this.stderr);
    this.exited = once(this.child, 'close').then(([code]) => code as number | null);
  }

  #lines(stream: NodeJS.ReadableStream, into: Recorder<string>): void {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (text: string) => {
      const lines = (rest + text).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) into.push(line);
    });
    stream.on('end', () => {
      if (rest !== '') into.push(rest);
    });
  }

  /** The endpoints of the ready output, by construct path, once `cdk-local: ready` is printed. */
  async ready(): Promise<Map<string, { kind: string; url: string }>> {
    const exited = this.exited.then((code) => {
      throw new Error(`cdk-local exited (${code}) before it was ready:\n${this.stderr.values.join('\n')}`);
    });
    exited.catch(() => undefined);
    await Promise.race([this.stdout.waitFor((line) => line === 'cdk-local: ready', 1, 120_000), exited]);
    const endpoints = new Map<string, { kind: string; url: string }>();
    for (const line of this.stdout.values) {
      const match = ENDPOINT.exec(line);
      if (match !== null) endpoints.set(match[2]!, { kind: match[1]!, url: match[3]! });
    }
    return endpoints;
  }

  async stop(signal: NodeJS.Signals = 'SIGINT'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

describe('cdk-local start-api', () => {
  let app: MarkedApp;

  before(async () => {
    app = await createMarkedApp({ prefix: 'cdk-local-start-api-cli-', synthesize: synthesizeApiApp, markerVariable: MARKER_VARIABLE });
  });

  after(async () => {
    await app?.remove();
  });

  it('prints one line per endpoint, then ready; serves them; logs requests on stderr; stops cleanly', async () => {
    const run = new StartApiRun(['--app', app.assembly, '--port', '0', '--env-vars', app.envVarsFile]);
    try {
      const endpoints = await run.ready();
      assert.deepEqual(
        [...endpoints.entries()].map(([path, { kind }]) => `${kind} ${path}`),
        [
          'function URL ApiStack/Respond/FunctionUrl',
          'function URL ApiStack/Streamer/FunctionUrl',
          'REST API ApiStack/Rest',
          'REST API ApiStack/Proxy',
          'REST API ApiStack/Spec',
          'HTTP API ApiStack/Http',
          'HTTP API ApiStack/Staged',
        ],
      );
      assert.match(endpoints.get('ApiStack/Rest')!.url, /\/test\/$/);
      const response = await fetch(`${endpoints.get('ApiStack/Rest')!.url}items/9`);
      assert.equal(response.status, 200);
      assert.deepEqual(((await response.json()) as { pathParameters: unknown }).pathParameters, { id: '9' });
      await run.stderr.waitFor((line) => /^cdk-local: ApiStack\/Rest: GET \/test\/items\/9 200 \(Echo [0-9a-f-]{36}\)$/.test(line));
      assert.ok(run.stderr.values.some((line) => /WebSocket API ApiStack\/Socket has no stage, so it is not served/.test(line)));
      assert.ok((await processesWithMarker(MARKER_VARIABLE, app.marker)).length > 0);
      assert.equal(await run.stop('SIGINT'), 130);
      assert.deepEqual(await processesWithMarker(MARKER_VARIABLE, app.marker), [], 'no runtime process outlives cdk-local');
      await assert.rejects(fetch(endpoints.get('ApiStack/Rest')!.url));
    } finally {
      await run.stop('SIGKILL');
    }
  });

  it('serves only the APIs named, by path, logical ID or name, on ports upwards from --port', async () => {
    const base = await freePortRange(3);
    const run = new StartApiRun(['ApiStack/Http', 'rest-api', 'Streamer', '--app', app.assembly, '--port', String(base), '--env-vars', app.envVarsFile]);
    try {
      const endpoints = await run.ready();
      assert.deepEqual(
        [...endpoints.entries()].map(([path, { url }]) => `${path} ${url}`),
        [`ApiStack/Streamer/FunctionUrl http://127.0.0.1:${base}/`, `ApiStack/Rest http://127.0.0.1:${base + 1}/test/`, `ApiStack/Http http://127.0.0.1:${base + 2}/`],
      );
      assert.equal(await run.stop('SIGTERM'), 143);
    } finally {
      await run.stop('SIGKILL');
    }
  });

  it('list shows the routes and URLs that call each function', async () => {
    const run = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bin', 'cdk-local.ts'), 'list', '--json', '--app', app.assembly], { cwd: REPO_ROOT });
    const chunks: Buffer[] = [];
    run.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    const [code] = await once(run, 'close');
    assert.equal(code, 0);
    const rows = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { path: string; triggers: string[] }[];
    const triggers = (path: string): string[] => rows.find((row) => row.path === path)?.triggers ?? [];
    assert.ok(triggers('ApiStack/Echo').includes('REST API ApiStack/Rest: ANY /items/{id}'), triggers('ApiStack/Echo').join('\n'));
    assert.ok(triggers('ApiStack/Echo').includes('HTTP API ApiStack/Http: GET /items/{id}'));
    assert.ok(triggers('ApiStack/Echo').includes('WebSocket API ApiStack/Socket: $connect'));
    assert.deepEqual(triggers('ApiStack/Streamer'), ['function URL ApiStack/Streamer/FunctionUrl (RESPONSE_STREAM, auth NONE)']);
  });

  it('names an unknown API in one sentence, before listening', async () => {
    const run = new StartApiRun(['Nope', '--app', app.assembly, '--port', '0']);
    assert.equal(await run.exited, 2);
    assert.deepEqual(run.stdout.values, []);
    assert.match(run.stderr.values.join('\n'), /^cdk-local: No API or function URL 'Nope' \(the app has .*ApiStack\/Rest.*\); name one by construct path, logical ID or name\.$/m);
  });
});

/** A first port with `count` free ports above it (checked now; good enough for a test). */
async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const probe: Server = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const base = (probe.address() as { port: number }).port;
    probe.close();
    if (base + count > 65_535) continue;
    const held: Server[] = [];
    try {
      for (let index = 0; index < count; index++) {
        const server = createServer();
        server.listen(base + index, '127.0.0.1');
        await once(server, 'listening');
        held.push(server);
      }
      return base;
    } catch {
      // Taken: try another range.
    } finally {
      await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
    }
  }
  throw new Error('no range of free ports found');
}
