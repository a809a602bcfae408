// The floor of a warm invoke: one bare HTTP round trip on loopback, made with the HTTP client
// cdk-local's Node.js runtime uses (its RuntimeClient: node:http, one keep-alive socket)
// against a bare node:http server in another process. A warm invoke cannot cost less than
// two of these: the runtime's /next answered with the event, and its POST of the response.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { RuntimeClient } from '../../lib/runtimes/node/runtime-client.mjs';
import { runCallers, timeSamples, type CallersResult, type SampleCount } from '../measure/time-samples.js';

const SERVER_SCRIPT = fileURLToPath(new URL('floor-server.mjs', import.meta.url));

/** A bare HTTP server in a child process. */
export interface FloorServer extends AsyncDisposable {
  /** `host:port`, as AWS_LAMBDA_RUNTIME_API is written. */
  readonly address: string;
  close(): Promise<void>;
}

/** Starts the floor's server and waits until it listens. */
export async function startFloorServer(): Promise<FloorServer> {
  const child: ChildProcess = spawn(process.execPath, [SERVER_SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await Promise.race([
    once(child.stdout!, 'data'),
    once(child, 'exit').then(() => {
      throw new Error('The floor server exited before it listened');
    }),
  ])) as [Buffer];
  const port = Number(chunk.toString().trim());
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    })());
  return { address: `127.0.0.1:${port}`, close, [Symbol.asyncDispose]: close };
}

/** Round trips one after another on one connection; each one's duration in ms. */
export async function measureFloorRoundTrips(server: FloorServer, count: SampleCount): Promise<number[]> {
  const client = new RuntimeClient(server.address);
  try {
    return await timeSamples(count, () => client.nextInvocation());
  } finally {
    client.agent.destroy();
  }
}

/** Round trips from `callers` clients at once, a connection each (as each runtime has its own). */
export async function measureFloorThroughput(server: FloorServer, callers: number, durationMs: number): Promise<CallersResult> {
  const clients = Array.from({ length: callers }, () => new RuntimeClient(server.address));
  try {
    return await runCallers(callers, durationMs, (caller) => clients[caller]!.nextInvocation());
  } finally {
    for (const client of clients) client.agent.destroy();
  }
}
