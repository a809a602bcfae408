import { lstatSync, readlinkSync } from 'node:fs';
import type { Bubblewrap } from './detect-bubblewrap.js';

/** A host directory or file bound read-only into the sandbox. */
export interface SandboxMount {
  readonly source: string;
  readonly target: string;
}

/** What one sandbox is made of. */
export interface SandboxLayout {
  readonly bubblewrap: Bubblewrap;
  /** Its host name (Lambda's look like `169.254.12.34`). */
  readonly hostname: string;
  /** The files that become its `/etc/hosts` and `/etc/nsswitch.conf`. */
  readonly hostsFile: string;
  /** The file that becomes its `/etc/resolv.conf`. @default this machine's */
  readonly resolvFile?: string;
  /** The command that puts bubblewrap in the environment's network namespace (nsenter); none: this machine's network. */
  readonly enter?: readonly string[];
  readonly nsswitchFile: string;
  /** Read-only binds, parents before children: `/var/task`, `/opt`, `/var/runtime`, `/var/lang`... */
  readonly mounts: readonly SandboxMount[];
  /** Directories to create empty (read-only) when nothing is bound there, such as `/opt` without layers. */
  readonly emptyDirectories: readonly string[];
  /** `/tmp`: a tmpfs of its own (capped when bubblewrap can), or a host directory shared with the environment's other processes. */
  readonly tmp: { readonly kind: 'tmpfs'; readonly sizeBytes: number } | { readonly kind: 'directory'; readonly source: string };
}

/** A command as it runs inside the sandbox: paths are the sandbox's. */
export interface SandboxCommand {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
}

// What a runtime needs of /etc: users, name resolution, certificates, the dynamic linker's
// cache (Debian's multiarch library directories are only found through it) and the symlinks
// that /usr/bin points into. /etc/hosts and /etc/nsswitch.conf are cdk-local's own.
const ETC_ENTRIES = [
  'passwd',
  'group',
  'resolv.conf',
  'host.conf',
  'gai.conf',
  'services',
  'protocols',
  'ld.so.cache',
  'ld.so.conf',
  'ld.so.conf.d',
  'alternatives',
  'ssl',
  'pki',
  'ca-certificates',
  'ca-certificates.conf',
  'crypto-policies',
  'localtime',
  'mime.types',
  'os-release',
];

// Merged-/usr systems make these symlinks into /usr; older ones have real directories.
const ROOT_LINKS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

// Signals a process-group signal may carry that would otherwise end bubblewrap itself
// (and with it, through --die-with-parent, the whole sandbox) before the runtime could act.
const SHIELDED_SIGNALS = 'HUP,INT,QUIT,TERM,USR1,USR2';

let rootArgs: string[] | undefined;

/** The system directories, read-only, as they are on this machine. */
function systemRootArgs(): string[] {
  if (rootArgs === undefined) {
    rootArgs = ['--ro-bind', '/usr', '/usr'];
    for (const path of ROOT_LINKS) {
      try {
        const info = lstatSync(path);
        if (info.isSymbolicLink()) rootArgs.push('--symlink', readlinkSync(path), path);
        else if (info.isDirectory()) rootArgs.push('--ro-bind', path, path);
      } catch {
        // Not on this system.
      }
    }
  }
  return rootArgs;
}

/**
 * The command line that runs `command` in a sandbox made of `layout`: a read-only root of
 * only the system directories and the function's own pieces, its own PID, IPC and UTS
 * namespaces, the environment's network namespace when it has one (else this machine's
 * network), a private `/proc` and `/dev`, and a writable `/tmp`.
 */
export function buildBubblewrapArgs(layout: SandboxLayout, command: SandboxCommand): { file: string; args: string[] } {
  const { bubblewrap } = layout;
  const args: string[] = [
    // SIGKILL for everything inside when cdk-local dies, even by SIGKILL. No --new-session:
    // the sandbox must stay in the process group cdk-local signals (the group was made
    // for it at spawn, without a controlling terminal, so there is no terminal to misuse).
    '--die-with-parent',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--hostname',
    layout.hostname,
    ...systemRootArgs(),
    '--dir',
    '/etc',
  ];
  for (const entry of ETC_ENTRIES) {
    if (entry === 'resolv.conf' && layout.resolvFile !== undefined) args.push('--ro-bind', layout.resolvFile, '/etc/resolv.conf');
    else args.push('--ro-bind-try', `/etc/${entry}`, `/etc/${entry}`);
  }
  args.push('--ro-bind', layout.hostsFile, '/etc/hosts', '--ro-bind', layout.nsswitchFile, '/etc/nsswitch.conf');
  for (const mount of layout.mounts) args.push('--ro-bind', mount.source, mount.target);
  for (const directory of layout.emptyDirectories) args.push('--dir', directory);
  args.push('--proc', '/proc', '--dev', '/dev');
  if (layout.tmp.kind === 'directory') {
    args.push('--bind', layout.tmp.source, '/tmp');
  } else {
    if (bubblewrap.sizeOption) args.push('--size', String(layout.tmp.sizeBytes));
    args.push('--tmpfs', '/tmp');
  }
  args.push('--remount-ro', '/', '--chdir', command.cwd, '--');
  // bwrap sets PWD, which Lambda's runtimes do not get; env also restores the default
  // handling of the signals bubblewrap was shielded from.
  args.push('/usr/bin/env', '-u', 'PWD', ...(bubblewrap.signalOptions ? ['--default-signal'] : []), command.file, ...command.args);
  const enter = layout.enter ?? [];
  if (!bubblewrap.signalOptions) return enter.length === 0 ? { file: bubblewrap.path, args } : { file: enter[0]!, args: [...enter.slice(1), bubblewrap.path, ...args] };
  // nsenter execs bubblewrap in place, which keeps the signals ignored.
  return { file: '/usr/bin/env', args: [`--ignore-signal=${SHIELDED_SIGNALS}`, ...enter, bubblewrap.path, ...args] };
}
