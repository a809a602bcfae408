import { access, constants } from 'node:fs/promises';
import { execa } from 'execa';
import { findExecutable } from './detect-bubblewrap.js';

const PROBE_TIMEOUT_MS = 10_000;

/** What makes an environment's own network namespace on this machine. */
export interface NetworkTools {
  /** `bwrap`, which makes the namespace (and its loopback). */
  readonly bubblewrap: string;
  /** `nsenter` (util-linux), which starts the environment's processes in it. */
  readonly nsenter: string;
  /** `slirp4netns`, the user-mode network stack that gives it outbound access. */
  readonly slirp4netns: string;
}

/** The answer of {@link detectNetworkTools}. */
export type NetworkDetection =
  | { readonly available: true; readonly tools: NetworkTools }
  | {
      readonly available: false;
      /** Why, in a few words: `slirp4netns is not installed`... */
      readonly reason: string;
      /** How to get it. */
      readonly remedy: string;
    };

/** Set to `host` to keep sandboxes on this machine's network, as before they had their own. */
export const SANDBOX_NETWORK_VARIABLE = 'CDK_LOCAL_SANDBOX_NETWORK';

/** How users get the network stack. */
export const NETWORK_INSTALL_COMMANDS = 'apt-get install slirp4netns, dnf install slirp4netns or pacman -S slirp4netns';

async function detect(bubblewrap: string, searchPath: string): Promise<NetworkDetection> {
  const nsenter = await findExecutable('nsenter', searchPath);
  if (nsenter === undefined) return { available: false, reason: 'nsenter is not installed', remedy: 'install util-linux' };
  const slirp4netns = await findExecutable('slirp4netns', searchPath);
  if (slirp4netns === undefined) return { available: false, reason: 'slirp4netns is not installed', remedy: `install slirp4netns (${NETWORK_INSTALL_COMMANDS})` };
  // slirp4netns opens the TUN device inside the namespace: most distributions leave it open to all.
  try {
    await access('/dev/net/tun', constants.R_OK | constants.W_OK);
  } catch {
    return { available: false, reason: '/dev/net/tun is not open to this user', remedy: 'make /dev/net/tun readable and writable for all (chmod 0666, as most distributions have it)' };
  }
  // A user and network namespace of our own, as each environment gets.
  const probe = await execa(bubblewrap, ['--unshare-user', '--unshare-net', '--ro-bind', '/', '/', '--dev-bind', '/dev', '/dev', '--', 'true'], {
    reject: false,
    timeout: PROBE_TIMEOUT_MS,
    stdin: 'ignore',
    all: true,
  });
  if (probe.exitCode !== 0) {
    const said = String(probe.all ?? '').trim().split('\n')[0] ?? '';
    return { available: false, reason: `bubblewrap cannot make a network namespace here (${said === '' ? `exit status ${probe.exitCode ?? 'unknown'}` : said})`, remedy: 'allow unprivileged user namespaces' };
  }
  return { available: true, tools: { bubblewrap, nsenter, slirp4netns } };
}

const cached = new Map<string, Promise<NetworkDetection>>();

/**
 * Whether each environment can have a network namespace of its own here: bubblewrap makes
 * it, nsenter starts processes in it, slirp4netns connects it to this machine's network.
 * The answer is kept for this process's lifetime. `CDK_LOCAL_SANDBOX_NETWORK=host` says no.
 */
export function detectNetworkTools(bubblewrap: string, searchPath = process.env.PATH ?? ''): Promise<NetworkDetection> {
  if (process.env[SANDBOX_NETWORK_VARIABLE] === 'host') {
    return Promise.resolve({ available: false, reason: `${SANDBOX_NETWORK_VARIABLE}=host`, remedy: `unset ${SANDBOX_NETWORK_VARIABLE}` });
  }
  const key = `${bubblewrap}\0${searchPath}`;
  let detection = cached.get(key);
  if (detection === undefined) {
    detection = detect(bubblewrap, searchPath);
    cached.set(key, detection);
  }
  return detection;
}
