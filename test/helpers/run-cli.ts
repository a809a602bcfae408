import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { CLI_PATH, REPO_ROOT } from './example-app.js';

/**
 * How long a spawned command may run before a test takes it for hung: far more than any
 * command of the suite needs on a loaded machine (a synth, a cold start, a shutdown).
 */
export const CLI_TIMEOUT_MS = 180_000;
/** After SIGTERM to a hung command's process group, how long it gets to shut down before SIGKILL. */
const KILL_GRACE_MS = 10_000;

/** What a run of the command printed and how it ended. */
export interface CliRun {
  readonly stdout: string;
  readonly stdoutBytes: Buffer;
  readonly stderr: string;
  readonly exitCode: number | null;
  readonly pid: number;
}

/** A bound on a spawned command's life; see {@link limitRun}. */
export interface RunLimit {
  /** Rejects, with what the command printed, once the command has overrun its time and been killed. */
  readonly expired: Promise<never>;
  /** True once the time is up. */
  readonly fired: boolean;
  /** Lifts the bound (the command exited). */
  clear(): void;
}

/**
 * Settles as `exit` (the command's exit, or its close) does, unless the command overran its time:
 * then it rejects with the limit's error, even when the killed command's exit came first.
 */
export async function withinLimit<T>(exit: Promise<T>, limit: RunLimit): Promise<T> {
  try {
    const result = await Promise.race([exit, limit.expired]);
    if (limit.fired) await limit.expired;
    return result;
  } finally {
    limit.clear();
  }
}

/**
 * Bounds the life of `child`, which must have been spawned `detached` (a process group of its
 * own): past `timeoutMs`, its whole group gets SIGTERM, then SIGKILL, and `expired` rejects
 * with `printed()` so that the test fails with what the command said instead of stalling.
 */
export function limitRun(child: ChildProcess, what: string, printed: () => string, timeoutMs = CLI_TIMEOUT_MS): RunLimit {
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : once(child, 'exit').then(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  let fired = false;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      fired = true;
      void (async () => {
        killGroup(child, 'SIGTERM');
        const grace = setTimeout(() => killGroup(child, 'SIGKILL'), KILL_GRACE_MS);
        await exited;
        clearTimeout(grace);
        reject(new Error(`${what} did not exit within ${timeoutMs / 1000} s and was killed; it printed:\n${printed()}`));
      })();
    }, timeoutMs);
  });
  // Only a test that waits on the command sees the rejection.
  expired.catch(() => undefined);
  return {
    expired,
    get fired() {
      return fired;
    },
    clear: () => clearTimeout(timer),
  };
}

/** Signals every process of `child`'s group; nothing when it is gone already. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone.
  }
}

/** Options of {@link runCli}. */
export interface RunCliOptions {
  readonly cwd?: string;
  /** Written to the command's stdin, which is then closed. */
  readonly input?: string;
  /** Added to this process's environment. */
  readonly env?: NodeJS.ProcessEnv;
  /** @default CLI_TIMEOUT_MS */
  readonly timeoutMs?: number;
}

/**
 * Runs `cdk-local ...args` as a user would, and waits for it to exit. A command still running
 * after `timeoutMs` is killed with its process group, and the promise rejects with its output.
 */
export function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const printed = (): string => `stdout: ${Buffer.concat(out).toString('utf8').slice(-2000)}\nstderr: ${Buffer.concat(err).toString('utf8').slice(-2000)}`;
  const limit = limitRun(child, `cdk-local ${args.join(' ')}`, printed, options.timeoutMs);
  const finished = new Promise<CliRun>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      const stdoutBytes = Buffer.concat(out);
      resolve({ stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr: Buffer.concat(err).toString('utf8'), exitCode, pid: child.pid ?? -1 });
    });
    // A command that needs no input may have exited before it is written: its EPIPE is no failure.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
  return withinLimit(finished, limit);
}
