import { readdir, readFile, readlink } from 'node:fs/promises';
import type { Socket } from 'node:net';

/** The slirp4netns processes of this process's environments: a sandbox's connections to this machine come from them. */
const stackPids = new Set<number>();

/** Remembers a network stack's process while it runs. */
export function trackNetworkStack(pid: number): void {
  stackPids.add(pid);
}

/** Forgets a network stack's process that has exited. */
export function untrackNetworkStack(pid: number): void {
  stackPids.delete(pid);
}

/** The socket inodes of `/proc/net/tcp{,6}` lines whose local port is `localPort` and remote port `remotePort`. */
async function findInodes(localPort: number, remotePort: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1]?.split(':')[1];
      const remote = fields[2]?.split(':')[1];
      if (local === undefined || remote === undefined) continue;
      if (parseInt(local, 16) === localPort && parseInt(remote, 16) === remotePort && fields[9] !== undefined) inodes.add(fields[9]);
    }
  }
  return inodes;
}

/**
 * Whether a connection to one of our servers comes from inside a sandbox: its other end
 * belongs to the network stack of one of this process's environments, which is how a
 * function in a network namespace of its own reaches this machine's loopback. Linux only;
 * false wherever it cannot tell (no namespaces, no `/proc`).
 */
export async function isSandboxConnection(socket: Socket): Promise<boolean> {
  if (stackPids.size === 0 || socket.remotePort === undefined || socket.localPort === undefined) return false;
  const inodes = await findInodes(socket.remotePort, socket.localPort);
  if (inodes.size === 0) return false;
  for (const pid of stackPids) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const match = /^socket:\[(\d+)\]$/.exec(target);
      if (match !== null && inodes.has(match[1]!)) return true;
    }
  }
  return false;
}
