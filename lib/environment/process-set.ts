import { ENVIRONMENT_MARKER_VARIABLE, newEnvironmentMarker } from './process-marker.js';
import { scanMarkedProcesses } from './process-scan.js';
import { listProcessTreeSync, signalProcessGroup } from './process-tree.js';

/** A process the environment started itself (the runtime, an extension). */
export interface RootProcess {
  readonly pid: number;
  readonly hasExited: () => boolean;
}

/** How many times the processes are looked for again, for those started while they were being stopped. */
const MAX_ROUNDS = 4;

function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Gone already.
  }
}

/**
 * Every process of one execution environment, however it was started: the processes the
 * environment started, their descendants, and every process that carries the environment's
 * marker (see {@link ENVIRONMENT_MARKER_VARIABLE}: children that left the process tree
 * with `setsid` or a double fork). It freezes and thaws them together, and ends those left
 * at a reset.
 *
 * In a sandbox, every process of its PID namespace descends from the namespace's init
 * (bubblewrap's, below the process cdk-local started), which adopts the orphans there, so
 * the tree holds the whole namespace. Outside a sandbox, a process started with an emptied
 * environment that leaves the tree escapes: nothing else ties it to the environment.
 */
export class ProcessSet {
  /** The marker this environment's processes carry. */
  readonly marker = newEnvironmentMarker();
  /** The variables every process of the environment gets on top of its own. */
  readonly variables: Readonly<Record<string, string>> = { [ENVIRONMENT_MARKER_VARIABLE]: this.marker };
  #stopped = new Set<number>();

  /** Every live process of the environment, `roots` (which may have exited) first. */
  find(roots: readonly RootProcess[]): number[] {
    const found = new Set<number>();
    for (const root of roots) {
      if (!root.hasExited()) for (const pid of listProcessTreeSync(root.pid)) found.add(pid);
    }
    for (const entry of scanMarkedProcesses()) if (entry.marker === this.marker) found.add(entry.pid);
    return [...found];
  }

  /**
   * Stops (SIGSTOP) every process of the environment, as Lambda freezes it between
   * invocations, or lets them all go on (SIGCONT). Those started while the others were
   * being stopped are looked for again, a few rounds.
   */
  setFrozen(frozen: boolean, roots: readonly (RootProcess | undefined)[]): void {
    const live = roots.filter((root): root is RootProcess => root !== undefined && !root.hasExited());
    if (!frozen) {
      for (const root of live) signalProcessGroup(root.pid, 'SIGCONT');
      for (const pid of this.#stopped) sendSignal(pid, 'SIGCONT');
      this.#stopped = new Set();
      return;
    }
    for (const root of live) signalProcessGroup(root.pid, 'SIGSTOP');
    this.#stopEverything(live);
  }

  /**
   * Kills every process of the environment that is still there (after a reset has ended
   * the runtime and the extensions): daemons that left their process tree.
   */
  killAll(roots: readonly (RootProcess | undefined)[] = []): void {
    const live = roots.filter((root): root is RootProcess => root !== undefined && !root.hasExited());
    const stopped = this.#stopEverything(live);
    for (const pid of stopped) sendSignal(pid, 'SIGKILL');
    // A stopped process is killed too; SIGCONT only lets it run its death at once.
    for (const pid of stopped) sendSignal(pid, 'SIGCONT');
    this.#stopped = new Set();
  }

  #stopEverything(roots: readonly RootProcess[]): Set<number> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const found = this.find(roots).filter((pid) => !this.#stopped.has(pid));
      if (found.length === 0) break;
      for (const pid of found) {
        sendSignal(pid, 'SIGSTOP');
        this.#stopped.add(pid);
      }
    }
    return this.#stopped;
  }
}
