import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentOwner, formatOwner } from '../process-marker.js';
import { DNS_ADDRESS, HOST_ADDRESS, HOST_NAME } from './network-namespace.js';

// The names Lambda's extensions and telemetry destinations use for the environment itself
// (docs/conformance.md J.54, O.80) resolve to its loopback.
const HOSTS = '127.0.0.1\tlocalhost sandbox.localdomain sandbox\n::1\tlocalhost\n';

// With a network namespace of its own, the environment reaches this machine's loopback by a
// name, and names through slirp4netns's DNS forwarder (this machine's resolver may be on its
// own loopback, 127.0.0.53, which the namespace cannot see).
const NAMESPACE_HOSTS = `${HOSTS}${HOST_ADDRESS}\t${HOST_NAME}\n`;
const NAMESPACE_RESOLV = `nameserver ${DNS_ADDRESS}\n`;

// Files first, so the names above resolve without asking DNS; nothing that needs a daemon
// (systemd-resolved, sssd, LDAP) that the sandbox cannot reach.
const NSSWITCH = ['passwd: files', 'group: files', 'shadow: files', 'hosts: files dns', 'networks: files', 'protocols: files', 'services: files', ''].join('\n');

/** Files cdk-local writes for its sandboxes, bound read-only into each. */
export interface SandboxFiles {
  /** Its `/etc/hosts`. */
  readonly hosts: string;
  /** Its `/etc/hosts` and `/etc/resolv.conf` when it has a network namespace of its own. */
  readonly namespaceHosts: string;
  readonly namespaceResolv: string;
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
    const namespaceHosts = join(directory, 'hosts-namespace');
    const namespaceResolv = join(directory, 'resolv-namespace.conf');
    writeFileSync(hosts, HOSTS);
    writeFileSync(namespaceHosts, NAMESPACE_HOSTS);
    writeFileSync(namespaceResolv, NAMESPACE_RESOLV);
    writeFileSync(nsswitch, NSSWITCH);
    files = { hosts, namespaceHosts, namespaceResolv, nsswitch, makeEnvironmentDirectory: () => mkdtemp(join(directory, 'environment-')) };
  }
  return files;
}
