import { chooseSandbox, type SandboxSetting } from './choose-sandbox.js';
import type { Launcher, LauncherOptions } from './launcher.js';
import { createPlainLauncher } from './plain-launcher.js';
import { createSandboxLauncher } from './sandbox-launcher.js';

/** Options of {@link prepareLauncher}. */
export interface PrepareLauncherOptions extends LauncherOptions {
  /** @default 'auto' */
  readonly sandbox?: SandboxSetting;
}

/**
 * How the processes of one execution environment start: in a bubblewrap sandbox where
 * that is chosen and works, else as plain processes. Throws when the sandbox is required
 * (`sandbox: true`) and bubblewrap cannot make one.
 */
export async function prepareLauncher(options: PrepareLauncherOptions): Promise<Launcher> {
  const choice = await chooseSandbox(options.sandbox ?? 'auto');
  if (choice.kind === 'plain') return createPlainLauncher(options, choice);
  return createSandboxLauncher(options, choice.bubblewrap);
}
