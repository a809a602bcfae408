import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentOwner, formatOwner } from '../process-marker.js';

// The names Lambda's extensions and telemetry destinations use for the environment itself
// (docs/conformance.md J.54, O.80) resolve to its loopback.
const HOSTS = '127.0.0.1\tlocalhost sandbox.localdomain sandbox\n::1\tlocalhost\n';

// Files first, so the names above resolve without asking DNS; nothing that needs a daemon
// (systemd-resolved, sssd, LDAP) that the sandbox cannot reach.
const NSSWITCH = ['passwd: files', 'group: files', 'shadow: files', 'hosts: files dns', 'networks: files', 'protocols: files', 'services: files', ''].join('\n');

/** Files cdk-local writes for its sandboxes, bound read-only into each. */
export interface SandboxFiles {
  /** Its `/etc/hosts`. */
  readonly hosts: string;
  /** Its `/etc/nsswitch.conf`. */
  readonly nsswitch: string;
  /** Makes a writable directory for one environment (its shared `/tmp`); its owner removes it. */
  readonly makeEnvironmentDirectory: () => Promise<string>;
}

let files: SandboxFiles | undefined;

/** How the directories of {@link sandboxFiles} begin; the owner's pid and start time follow. */
export const SANDBOX_DIRECTORY_PREFIX = 'cdk-local-sandbox-';

/**
 * The files every sandbox of this process shares (their content does not differ between
 * environments), in a private directory that is removed when the process exits. Its name
 * carries this process's pid and start time, so that a later cdk-local can remove it
 * when this one was killed before it could (see `reapOrphans`).
 */
export function sandboxFiles(): SandboxFiles {
  if (files === undefined) {
    const directory = mkdtempSync(join(tmpdir(), `${SANDBOX_DIRECTORY_PREFIX}${formatOwner(currentOwner())}-`));
    process.once('exit', () => rmSync(directory, { recursive: true, force: true }));
    const hosts = join(directory, 'hosts');
    const nsswitch = join(directory, 'nsswitch.conf');
    writeFileSync(hosts, HOSTS);
    writeFileSync(nsswitch, NSSWITCH);
    files = { hosts, nsswitch, makeEnvironmentDirectory: () => mkdtemp(join(directory, 'environment-')) };
  }
  return files;
}
