import type { FunctionSpec } from '../../assembly/index.js';
import type { RuntimeInfo } from '../../runtimes/index.js';
import type { ProcessSet } from '../process-set.js';
import type { EnvironmentPaths } from '../reserved-variables.js';
import type { RuntimeCommand } from '../runtime-command.js';

/** A program to start in an environment, with this machine's paths. */
export interface LaunchCommand {
  readonly file: string;
  readonly args: readonly string[];
  /** The directory it starts in. */
  readonly cwd: string;
}

/** How to start that program: what the process manager is given. */
export interface Launch extends LaunchCommand {
  /**
   * Set when `file` is a launcher (bubblewrap) that reports its child's death by signal `n`
   * as exit status `128 + n`.
   */
  readonly signalsAsExitStatus: boolean;
  /** Variables it gets on top of its own: the environment's marker. */
  readonly variables: Readonly<Record<string, string>>;
}

/** Starts the processes of one execution environment: in a sandbox, or as plain processes. */
export interface Launcher {
  readonly mode: 'sandbox' | 'plain';
  /** Whether the processes run in a network namespace of the environment's own. */
  readonly ownNetwork: boolean;
  /** Where the processes find the function's pieces: Lambda's paths in a sandbox, this machine's otherwise. */
  readonly paths: EnvironmentPaths;
  /** One line on what this environment cannot reproduce, to be shown once; undefined when nothing is amiss. */
  readonly notice?: string;
  /** Every process of this environment, to freeze, thaw and end together. */
  readonly processes: ProcessSet;
  /** How to start `command` (the runtime, an extension) in this environment. */
  launch(command: LaunchCommand): Launch;
  /** Removes what was made for this environment (a shared `/tmp`); idempotent. */
  dispose(): Promise<void>;
}

/** What a launcher is made for. */
export interface LauncherOptions {
  readonly spec: FunctionSpec;
  readonly runtime: RuntimeInfo;
  /** The runtime's command as resolved on this machine. */
  readonly command: RuntimeCommand;
  /** The function's code, ready to run (`/var/task`). */
  readonly codeDirectory: string;
  /** The merged layers (`/opt`), if the function has any. */
  readonly layersDirectory?: string;
  /** The environment's network namespace: the command that enters it. */
  readonly network?: { readonly enter: readonly string[] };
}
