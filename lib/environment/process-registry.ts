import { currentOwner, formatOwner } from './process-marker.js';
import { scanProcesses } from './process-scan.js';
import { signalProcessGroup } from './process-tree.js';

// Runtimes run in process groups of their own (so Ctrl-C in a terminal reaches cdk-local,
// which then shuts them down in order). That also means nothing else kills them if
// cdk-local exits abruptly: every live group is killed here when this process exits,
// and every process that carries the marker of one of its environments (daemons that
// left their group). Only SIGKILL escapes this; the next cdk-local reaps what it leaves.
const liveGroups = new Set<number>();
let hooked = false;

function killAll(): void {
  for (const pgid of liveGroups) signalProcessGroup(pgid, 'SIGKILL');
  liveGroups.clear();
  const prefix = `${formatOwner(currentOwner())}-`;
  for (const entry of scanProcesses()) {
    if (entry.marker?.startsWith(prefix) !== true || entry.pid === process.pid) continue;
    try {
      process.kill(entry.pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}

/** Remembers a process group to kill if this process exits before it is stopped. */
export function trackProcessGroup(pgid: number): void {
  if (!hooked) {
    hooked = true;
    process.once('exit', killAll);
  }
  liveGroups.add(pgid);
}

/** Forgets a process group that has been stopped. */
export function untrackProcessGroup(pgid: number): void {
  liveGroups.delete(pgid);
}
