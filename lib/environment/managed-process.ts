import { constants } from 'node:os';
import { execa } from 'execa';
import { splitLines } from './line-splitter.js';
import { killProcessTree, signalProcessGroup } from './process-tree.js';
import { trackProcessGroup, untrackProcessGroup } from './process-registry.js';

/** How a process ended. */
export interface ExitInfo {
  readonly exitCode?: number;
  readonly signal?: string;
  /** Set when it could not be started at all. */
  readonly spawnError?: string;
}

/** Options of {@link startManagedProcess}. */
export interface ManagedProcessOptions {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Called for every line of its stdout and stderr. */
  readonly onLine: (line: string) => void;
  /** Set when `file` is a launcher (bubblewrap) that reports its child's death by signal `n` as exit status `128 + n`. */
  readonly signalsAsExitStatus?: boolean;
  /** Variables on top of `env`: the marker of its environment (`_CDK_LOCAL_ENVIRONMENT`). */
  readonly variables?: Readonly<Record<string, string>>;
}

/** A process of an execution environment (the runtime, an extension), in a process group of its own. */
export interface ManagedProcess {
  readonly pid: number;
  /** Settles when it has exited and its output has been read. */
  readonly exited: Promise<ExitInfo>;
  /** Whether it has exited. */
  readonly hasExited: () => boolean;
  /** Sends a signal to its whole process group. */
  readonly signal: (signal: NodeJS.Signals) => void;
}

/** "Runtime exited with error: exit status 1", as Lambda words it. */
export function describeExit(exit: ExitInfo, subject = 'Runtime'): string {
  if (exit.spawnError !== undefined) return exit.spawnError;
  if (exit.signal !== undefined) {
    return `${subject} exited with error: signal: ${SIGNAL_DESCRIPTIONS[exit.signal] ?? exit.signal.replace(/^SIG/, '').toLowerCase()}`;
  }
  if (exit.exitCode === 0) return `${subject} exited without providing a reason`;
  return `${subject} exited with error: exit status ${exit.exitCode ?? 'unknown'}`;
}

/**
 * How Lambda words a death by signal (it reports them as Go's os/exec does):
 * "Runtime exited with error: signal: killed".
 */
const SIGNAL_DESCRIPTIONS: Partial<Record<string, string>> = {
  SIGKILL: 'killed',
  SIGTERM: 'terminated',
  SIGSEGV: 'segmentation fault',
  SIGABRT: 'aborted',
  SIGBUS: 'bus error',
  SIGFPE: 'floating point exception',
  SIGILL: 'illegal instruction',
  SIGHUP: 'hangup',
  SIGINT: 'interrupt',
};

/** Signals that end a process abnormally; only these are read back out of a launcher's `128 + n`. */
const CRASH_SIGNALS = new Set<NodeJS.Signals>(['SIGKILL', 'SIGTERM', 'SIGSEGV', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGILL']);

/**
 * The signal behind a launcher's exit status (`137` → `SIGKILL`), if it is one. Runtimes exit
 * with 128 or 129 of their own accord (Node.js after an uncaught error), so only the statuses
 * of crash signals are read as signals.
 */
function signalOfExitStatus(exitCode: number | undefined): NodeJS.Signals | undefined {
  if (exitCode === undefined || exitCode <= 128) return undefined;
  const number = exitCode - 128;
  const signal = (Object.keys(constants.signals) as NodeJS.Signals[]).find((name) => constants.signals[name] === number);
  return signal !== undefined && CRASH_SIGNALS.has(signal) ? signal : undefined;
}

/**
 * Starts a process in a process group of its own: Ctrl-C in a terminal reaches cdk-local,
 * which then stops it in order, and killing the group takes whatever it started too.
 */
export function startManagedProcess(options: ManagedProcessOptions): ManagedProcess {
  const subprocess = execa(options.file, [...options.args], {
    cwd: options.cwd,
    env: { ...options.env, ...options.variables },
    extendEnv: false,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    detached: true,
    stripFinalNewline: false,
  });
  const pid = subprocess.pid;
  if (pid !== undefined) trackProcessGroup(pid);
  const output = Promise.all([
    subprocess.stdout === null ? undefined : splitLines(subprocess.stdout, options.onLine),
    subprocess.stderr === null ? undefined : splitLines(subprocess.stderr, options.onLine),
  ]);
  let done = false;
  const exited = subprocess.then(async (result): Promise<ExitInfo> => {
    done = true;
    if (pid !== undefined) {
      // Whatever it left behind in its group goes with it, as in a reset sandbox.
      signalProcessGroup(pid, 'SIGKILL');
      untrackProcessGroup(pid);
    }
    await output;
    const code = (result as { code?: string }).code;
    if (code === 'ENOENT' || code === 'EACCES') {
      return { spawnError: `failed to start ${options.file}: ${code === 'ENOENT' ? 'no such file or directory' : 'permission denied'}` };
    }
    if (result.signal !== undefined) return { signal: result.signal };
    const signal = options.signalsAsExitStatus === true ? signalOfExitStatus(result.exitCode) : undefined;
    return signal === undefined ? { exitCode: result.exitCode } : { signal };
  });
  return {
    pid: pid ?? -1,
    exited,
    hasExited: () => done,
    signal: (signal) => {
      if (pid === undefined || done) return;
      if (signal === 'SIGKILL') killProcessTree(pid);
      else signalProcessGroup(pid, signal);
    },
  };
}
