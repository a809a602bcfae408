import { execFile } from 'node:child_process';
import { delimiter } from 'node:path';
import { CdkLocalError, ErrorCodes } from '../errors.js';
import type { RuntimeInfo } from '../runtimes/index.js';
import type { ExecutionEnvironmentOptions } from './environment-types.js';
import { resolveRuntimeCommand } from './runtime-command.js';

/** Where a debugger attaches to a function's runtime. */
export interface DebugSettings {
  /** The port the runtime's debugger listens on, on 127.0.0.1. */
  readonly port: number;
  /** Python: a directory holding `debugpy`, added to the runtime's Python path. */
  readonly debuggerPath?: string;
}

/** The host every debugger listens on: loopback only. */
export const DEBUG_HOST = '127.0.0.1';

/**
 * Variables the runtime client reads, and removes before the function's code runs:
 * `_CDK_LOCAL_INSPECT` (Node.js) opens the inspector and waits for a debugger before the
 * handler's module loads; `_CDK_LOCAL_DEBUGPY` (Python) does the same with debugpy, found
 * through `_CDK_LOCAL_DEBUGGER_PATH` first.
 */
export function debugVariables(runtime: RuntimeInfo, settings: DebugSettings | undefined): Record<string, string> {
  if (settings === undefined) return {};
  const address = `${DEBUG_HOST}:${settings.port}`;
  switch (runtime.family) {
    case 'nodejs':
      return { _CDK_LOCAL_INSPECT: address };
    case 'python':
      return { _CDK_LOCAL_DEBUGPY: address, ...(settings.debuggerPath === undefined ? {} : { _CDK_LOCAL_DEBUGGER_PATH: settings.debuggerPath }) };
    case 'provided':
      return {};
  }
}

/** The one line said when an environment is started for debugging. */
export function debugNotice(runtime: RuntimeInfo, constructPath: string, settings: DebugSettings): string {
  if (runtime.family === 'provided') return `${constructPath} runs a provided runtime, which --debug-port cannot attach a debugger to; it runs as usual.`;
  return (
    `debugging ${constructPath} on ${DEBUG_HOST}:${settings.port}: it waits for a debugger before its code loads, and timeouts are off while the debugger may hold the function ` +
    `(the deadline the function sees is still its own timeout).`
  );
}

/** Throws DEBUGGER_NOT_FOUND when `python` cannot import debugpy (from `debuggerPath` first). */
export function checkDebugpy(python: string, constructPath: string, settings: DebugSettings): Promise<void> {
  const pythonPath = [settings.debuggerPath, process.env.PYTHONPATH].filter((entry) => entry !== undefined && entry !== '').join(delimiter);
  return new Promise((resolve, reject) => {
    execFile(python, ['-c', 'import debugpy'], { timeout: 30_000, env: { ...process.env, PYTHONPATH: pythonPath } }, (error) => {
      if (error === null) {
        resolve();
        return;
      }
      const where = settings.debuggerPath === undefined ? '' : ` (nor in ${settings.debuggerPath})`;
      reject(
        new CdkLocalError(
          ErrorCodes.DEBUGGER_NOT_FOUND,
          `${constructPath} cannot be debugged: ${python} has no debugpy${where}; run \`pip install debugpy\`, or pass --debugger-path with the directory that holds it.`,
        ),
      );
    });
  });
}

/**
 * Before a debugged environment starts: the one-line notice, and for Python the check that
 * debugpy can be imported (the interpreter is found as the environment will find it).
 */
export async function prepareDebugging(options: ExecutionEnvironmentOptions, runtime: RuntimeInfo): Promise<void> {
  const { spec, debug } = options;
  if (debug === undefined) return;
  if (runtime.family === 'python') {
    const command = await resolveRuntimeCommand(runtime, spec.constructPath, options.codeDirectory, options.layersDirectory);
    if (command !== undefined) await checkDebugpy(command.file, spec.constructPath, debug);
  }
  options.onNotice?.(debugNotice(runtime, spec.constructPath, debug));
}

/** Throws USAGE unless `port` is a port a debugger can be told to attach to (1 to 65535). */
export function checkDebugPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new CdkLocalError(ErrorCodes.USAGE, `The debug port must be a whole number from 1 to 65535 (a fixed port a debugger can attach to), not ${port}.`);
  }
}
