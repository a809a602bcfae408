import { spawn, type ChildProcess } from 'node:child_process';
import type { Server, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NetworkTools } from './detect-network.js';
import { NAMESPACE_HOLDER_SOURCE } from './namespace-holder.js';
import { trackNetworkStack, untrackNetworkStack } from './sandbox-peer.js';

/** Lambda's Runtime API port, on the environment's own loopback (docs/conformance.md A.1). */
export const RUNTIME_API_PORT = 9001;

/** The name by which a sandboxed function reaches this machine (its loopback). */
export const HOST_NAME = 'host.cdk-local.internal';

/** slirp4netns's address for this machine's loopback, and its DNS forwarder. */
export const HOST_ADDRESS = '10.0.2.2';
export const DNS_ADDRESS = '10.0.2.3';

const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 1_000;

/** One environment's network namespace, held open until {@link close}. */
export interface NetworkNamespace {
  /** A process in the namespace: what nsenter joins. */
  readonly pid: number;
  /** `127.0.0.1:9001` inside the namespace, listening: the Runtime API server accepts on it. */
  readonly runtimeApiListener: Server;
  /** The command that runs a program inside the namespace (its user and network namespaces). */
  readonly enter: readonly string[];
  /** The pids of the processes that keep the namespace (the holder, slirp4netns). */
  readonly helperPids: readonly number[];
  /** Connects to `127.0.0.1:port` inside the namespace (a Telemetry API subscriber). */
  connect(port: number, signal?: AbortSignal): Promise<Socket>;
  /** Ends the namespace's processes; idempotent. */
  close(): Promise<void>;
}

/** Options of {@link startNetworkNamespace}. */
export interface NetworkNamespaceOptions {
  readonly tools: NetworkTools;
  /** Variables every helper gets: the marker by which an orphaned one is found (`_CDK_LOCAL_ENVIRONMENT`). */
  readonly variables: Readonly<Record<string, string>>;
}

interface HolderMessage {
  readonly type: string;
  readonly pid?: number;
  readonly id?: number;
  readonly code?: string;
  readonly message?: string;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  const ac = new AbortController();
  await Promise.race([exited(child), sleep(STOP_GRACE_MS, undefined, { signal: ac.signal }).catch(() => undefined)]);
  ac.abort();
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited(child);
  }
}

/** Starts the holder in a new user and network namespace and takes its listener. */
function startHolder(options: NetworkNamespaceOptions): Promise<{ holder: ChildProcess; pid: number; listener: Server }> {
  const { tools, variables } = options;
  const holder = spawn(
    tools.bubblewrap,
    // No --dev: a fresh /dev makes bubblewrap nest a second user namespace, which would leave
    // the network namespace owned by one that nsenter cannot reach without privileges.
    ['--die-with-parent', '--unshare-user', '--unshare-net', '--ro-bind', '/', '/', '--dev-bind', '/dev', '/dev', '--', process.execPath, '-e', NAMESPACE_HOLDER_SOURCE, String(RUNTIME_API_PORT)],
    { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...variables } },
  );
  let stderr = '';
  holder.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < 4096) stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('the namespace did not start in time')), START_TIMEOUT_MS);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      holder.off('message', onMessage);
      holder.kill('SIGKILL');
      reject(error);
    };
    const onMessage = (message: HolderMessage, handle: unknown): void => {
      if (message.type === 'failed') fail(new Error(message.message ?? 'the namespace failed'));
      if (message.type !== 'ready' || message.pid === undefined) return;
      clearTimeout(timer);
      holder.off('message', onMessage);
      resolve({ holder, pid: message.pid, listener: handle as Server });
    };
    holder.on('message', onMessage);
    holder.once('error', fail);
    holder.once('exit', (code, signal) => fail(new Error(stderr.trim().split('\n')[0] || `the namespace's holder exited (${signal ?? `exit status ${code ?? 'unknown'}`})`)));
  });
}

/** Connects the namespace to this machine's network through slirp4netns; resolves once it is configured. */
function startSlirp(tools: NetworkTools, pid: number, variables: Readonly<Record<string, string>>): Promise<ChildProcess> {
  // fd 3: slirp4netns writes to it once the namespace is configured. fd 4: it exits when that
  // closes, which is also what happens if cdk-local is killed.
  const slirp = spawn(tools.slirp4netns, ['--configure', '--mtu=65520', '--ready-fd=3', '--exit-fd=4', String(pid), 'tap0'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...variables },
  });
  let stderr = '';
  slirp.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < 4096) stderr += chunk;
  });
  const ready = slirp.stdio[3] as Socket;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('slirp4netns did not start in time')), START_TIMEOUT_MS);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      slirp.kill('SIGKILL');
      reject(error);
    };
    ready.once('data', () => {
      clearTimeout(timer);
      ready.destroy();
      const { pid } = slirp;
      if (pid !== undefined) {
        trackNetworkStack(pid);
        slirp.once('exit', () => untrackNetworkStack(pid));
      }
      resolve(slirp);
    });
    slirp.once('error', fail);
    slirp.once('exit', (code, signal) => fail(new Error(`slirp4netns: ${stderr.trim().split('\n').at(-1) || (signal ?? `exit status ${code ?? 'unknown'}`)}`)));
  });
}

/**
 * Makes a network namespace for one execution environment: its own loopback, where the
 * runtime finds the Runtime API at `127.0.0.1:9001` and extensions bind what ports they
 * like, and outbound access through slirp4netns, which also makes this machine's loopback
 * reachable as {@link HOST_ADDRESS}. Nothing of another environment is reachable from it.
 */
export async function startNetworkNamespace(options: NetworkNamespaceOptions): Promise<NetworkNamespace> {
  const { holder, pid, listener } = await startHolder(options);
  let slirp: ChildProcess;
  try {
    slirp = await startSlirp(options.tools, pid, options.variables);
  } catch (error) {
    listener.close();
    await stop(holder);
    throw error;
  }
  let nextId = 0;
  const pending = new Map<number, { resolve: (socket: Socket) => void; reject: (error: Error) => void }>();
  holder.on('message', (message: HolderMessage, handle: unknown) => {
    if (message.id === undefined) return;
    const waiter = pending.get(message.id);
    if (waiter === undefined) {
      (handle as Socket | undefined)?.destroy();
      return;
    }
    pending.delete(message.id);
    if (message.type === 'connected' && handle !== undefined) waiter.resolve(handle as Socket);
    else waiter.reject(Object.assign(new Error(message.message ?? 'connection failed'), { code: message.code }));
  });
  let closing: Promise<void> | undefined;
  holder.once('exit', () => {
    for (const waiter of pending.values()) waiter.reject(new Error("The environment's network namespace is gone"));
    pending.clear();
  });
  return {
    pid,
    runtimeApiListener: listener,
    enter: [options.tools.nsenter, `--target=${pid}`, '--user', '--net', '--preserve-credentials', '--'],
    helperPids: [holder.pid, slirp.pid].filter((helper): helper is number => helper !== undefined),
    connect: (port, signal) =>
      new Promise<Socket>((resolve, reject) => {
        if (closing !== undefined || !holder.connected) {
          reject(new Error("The environment's network namespace is closed"));
          return;
        }
        if (signal?.aborted === true) {
          reject(signal.reason as Error);
          return;
        }
        const id = ++nextId;
        const onAbort = (): void => {
          pending.delete(id);
          reject(signal?.reason as Error);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        pending.set(id, {
          resolve: (socket) => {
            signal?.removeEventListener('abort', onAbort);
            resolve(socket);
          },
          reject: (error) => {
            signal?.removeEventListener('abort', onAbort);
            reject(error);
          },
        });
        holder.send({ type: 'connect', id, port });
      }),
    close: () => {
      closing ??= (async () => {
        listener.close();
        (slirp.stdio[4] as Socket | null)?.destroy();
        await Promise.all([stop(slirp), stop(holder)]);
      })();
      return closing;
    },
  };
}
