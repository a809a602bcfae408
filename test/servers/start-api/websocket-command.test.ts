import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { createMarkedApp, processesWithMarker, type MarkedApp } from '../../helpers/marked-app.js';
import { synthesizeWebSocketApp } from '../../fixtures/start-api/websocket-app.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MARKER_VARIABLE = 'CDK_LOCAL_WEBSOCKET_CLI_MARKER';
const WAIT_MS = 120_000;

/** Lines of a stream as they come, awaitable. */
function lines(stream: NodeJS.ReadableStream): { values: string[]; waitFor(test: (line: string) => boolean): Promise<string> } {
  const values: string[] = [];
  let rest = '';
  let wake: (() => void) | undefined;
  stream.setEncoding('utf8');
  stream.on('data', (text: string) => {
    const parts = (rest + text).split('\n');
    rest = parts.pop() ?? '';
    values.push(...parts);
    wake?.();
  });
  return {
    values,
    async waitFor(test) {
      const deadline = AbortSignal.timeout(WAIT_MS);
      for (;;) {
        const found = values.find(test);
        if (found !== undefined) return found;
        deadline.throwIfAborted();
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 200).unref();
        });
      }
    },
  };
}

describe('cdk-local start-api: WebSocket APIs', () => {
  let app: MarkedApp;
  let signals: string;
  let envVarsFile: string;

  before(async () => {
    app = await createMarkedApp({ prefix: 'cdk-local-websocket-cli-', synthesize: synthesizeWebSocketApp, markerVariable: MARKER_VARIABLE });
    signals = await mkdtemp(join(tmpdir(), 'cdk-local-websocket-cli-signals-'));
    envVarsFile = join(signals, 'env-vars.json');
    await writeFile(envVarsFile, JSON.stringify({ Parameters: { [MARKER_VARIABLE]: app.marker, WS_SIGNALS: signals } }));
  });

  after(async () => {
    await app?.remove();
    await rm(signals, { recursive: true, force: true });
  });

  it('prints the ws:// URL with the stage, logs connections and messages, and runs $disconnect at Ctrl-C', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bin', 'cdk-local.ts'), 'start-api', 'SocketStack/Chat', '--no-sandbox', '--app', app.assembly, '--port', '0', '--env-vars', envVarsFile], {
      cwd: REPO_ROOT,
      env: process.env,
    });
    const exited = once(child, 'close').then(([code]) => code as number | null);
    const stdout = lines(child.stdout);
    const stderr = lines(child.stderr);
    try {
      await stdout.waitFor((line) => line === 'cdk-local: ready');
      const ready = stdout.values.find((line) => line.startsWith('cdk-local: WebSocket API'));
      const match = /^cdk-local: WebSocket API SocketStack\/Chat at (ws:\/\/127\.0\.0\.1:\d+\/dev)$/.exec(ready ?? '');
      assert.ok(match, stdout.values.join('\n'));
      const socket = new WebSocket(match[1]!);
      await once(socket, 'open');
      const reply = once(socket, 'message');
      socket.send(JSON.stringify({ action: 'echo' }));
      const { connectionId } = JSON.parse(String((await reply)[0])) as { connectionId: string };
      await stderr.waitFor((line) => /^cdk-local: SocketStack\/Chat: CONNECT \/dev 101$/.test(line));
      await stderr.waitFor((line) => /^cdk-local: SocketStack\/Chat: MESSAGE echo 200 \(Reply [\w-]{36}\)$/.test(line));
      const closed = once(socket, 'close');
      child.kill('SIGINT');
      assert.equal((await closed)[0], 1001);
      assert.equal(await exited, 130);
      const disconnect = join(signals, `disconnect-${connectionId}.json`);
      const deadline = AbortSignal.timeout(WAIT_MS);
      while (!existsSync(disconnect)) {
        deadline.throwIfAborted();
        await sleep(20);
      }
      assert.equal((JSON.parse(await readFile(disconnect, 'utf8')) as { requestContext: { disconnectStatusCode: number } }).requestContext.disconnectStatusCode, 1001);
      assert.deepEqual(await processesWithMarker(MARKER_VARIABLE, app.marker), [], 'no runtime process outlives cdk-local');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
  });
});
