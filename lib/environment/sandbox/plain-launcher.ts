import { ProcessSet } from '../process-set.js';
import type { Launcher, LauncherOptions } from './launcher.js';

/** Why there is no sandbox and how to get one (see {@link chooseSandbox}). */
export interface PlainReason {
  readonly reason: string;
  readonly remedy?: string;
}

/**
 * Runs the environment's processes as they are, with the path variables pointing at the
 * code, the merged layers and the runtime client on this machine.
 */
export function createPlainLauncher(options: LauncherOptions, why: PlainReason): Launcher {
  const remedy = why.remedy === undefined ? '' : `; ${why.remedy} for Lambda's file system`;
  const processes = new ProcessSet();
  return {
    mode: 'plain',
    ownNetwork: false,
    paths: {
      taskRoot: options.codeDirectory,
      runtimeDir: options.command.runtimeDir,
      ...(options.command.nodeModulesDirectory === undefined ? {} : { runtimeModulesDir: options.command.nodeModulesDirectory }),
      ...(options.command.pythonPackagesDirectory === undefined ? {} : { runtimeSitePackagesDir: options.command.pythonPackagesDirectory }),
      ...(options.layersDirectory === undefined ? {} : { optDir: options.layersDirectory }),
      nodeExecutable: options.runtime.family === 'nodejs' ? options.command.file : process.execPath,
    },
    notice:
      `running without a sandbox (${why.reason}): code is not at /var/task, /opt is not mounted, ` +
      `sandbox.localdomain does not resolve and /tmp is shared with this machine${remedy}.`,
    processes,
    launch: (command) => ({ ...command, signalsAsExitStatus: false, variables: processes.variables }),
    dispose: () => Promise.resolve(),
  };
}
