import { CdkLocalError, ErrorCodes } from '../../errors.js';
import { detectBubblewrap, type Bubblewrap } from './detect-bubblewrap.js';
import { detectNetworkTools, type NetworkDetection } from './detect-network.js';

/**
 * Whether environments run in a bubblewrap sandbox: `'auto'` where bubblewrap works, `true`
 * always (an error where it does not), `false` never.
 */
export type SandboxSetting = 'auto' | boolean;

/** The outcome of {@link chooseSandbox}. */
export type SandboxChoice =
  | {
      readonly kind: 'sandbox';
      readonly bubblewrap: Bubblewrap;
      /** Whether each environment gets a network namespace of its own, and if not, why. */
      readonly network: NetworkDetection;
    }
  | {
      readonly kind: 'plain';
      /** Why, in a few words: `bubblewrap is not installed`, `sandbox turned off`... */
      readonly reason: string;
      /** How to get the sandbox; undefined where there is none to get. */
      readonly remedy?: string;
    };

const INSTALL_COMMANDS = 'apt-get install bubblewrap, dnf install bubblewrap or pacman -S bubblewrap';

/**
 * Decides how an environment's processes run. Throws when the sandbox is asked for and
 * bubblewrap cannot make one here, or cannot give each environment a network of its own.
 */
export async function chooseSandbox(setting: SandboxSetting = 'auto'): Promise<SandboxChoice> {
  if (setting === false) return { kind: 'plain', reason: 'sandbox turned off', remedy: 'drop --no-sandbox' };
  const detection = await detectBubblewrap();
  const forced = (message: string): CdkLocalError => new CdkLocalError(ErrorCodes.ENVIRONMENT_FAILED, message);
  if (detection.available) {
    const network = await detectNetworkTools(detection.bubblewrap.path);
    if (!network.available && setting === true) {
      throw forced(`--sandbox needs a network of its own for each environment, which cannot be made here (${network.reason}): ${network.remedy}, or run without --sandbox.`);
    }
    return { kind: 'sandbox', bubblewrap: detection.bubblewrap, network };
  }
  switch (detection.reason) {
    case 'not-found':
      if (setting === true) throw forced(`--sandbox needs bubblewrap, which is not installed: install it (${INSTALL_COMMANDS}) or run without --sandbox.`);
      return { kind: 'plain', reason: 'bubblewrap is not installed', remedy: `install bubblewrap (${INSTALL_COMMANDS})` };
    case 'not-linux':
      if (setting === true) throw forced('--sandbox needs bubblewrap, which runs only on Linux: run without --sandbox here.');
      return { kind: 'plain', reason: 'bubblewrap runs only on Linux' };
    case 'not-working':
      if (setting === true) {
        throw forced(`--sandbox needs bubblewrap, which cannot make a sandbox here (${detection.detail ?? 'it failed'}): allow unprivileged user namespaces or run without --sandbox.`);
      }
      return { kind: 'plain', reason: `bubblewrap cannot make a sandbox here: ${detection.detail ?? 'it failed'}`, remedy: 'allow unprivileged user namespaces' };
  }
}

/** Whether environments started with `setting` get a network namespace of their own here. */
export async function hasOwnNetwork(setting: SandboxSetting = 'auto'): Promise<boolean> {
  const choice = await chooseSandbox(setting).catch(() => undefined);
  return choice?.kind === 'sandbox' && choice.network.available;
}
