import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentOwner, isOwnerAlive, parseMarker, parseOwner, type ProcessOwner } from './process-marker.js';
import { scanProcessesAsync } from './process-scan.js';
import { SANDBOX_DIRECTORY_PREFIX } from './sandbox/sandbox-files.js';

/** What {@link reapOrphans} ended and removed. */
export interface ReapResult {
  /** Pids of the processes it killed. */
  readonly processes: readonly number[];
  /** The directories it removed. */
  readonly directories: readonly string[];
}

/** Options of {@link reapOrphans}, for tests. */
export interface ReapOptions {
  /** Where the sandbox directories are. @default os.tmpdir() */
  readonly tmpDirectory?: string;
}

const MAX_ROUNDS = 4;

function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Gone already.
  }
}

function isOrphaned(owner: ProcessOwner, self: ProcessOwner): boolean {
  if (owner.pid === self.pid && owner.startTime === self.startTime) return false;
  return !isOwnerAlive(owner);
}

/**
 * Ends what a cdk-local killed before it could clean up (SIGKILL, which no exit handler
 * sees) left behind: every process that carries the marker of an environment whose owner
 * is no longer running (frozen ones too), and that owner's sandbox directories (which
 * hold the `/tmp` its functions shared with their extensions). Nothing else is touched:
 * not a process without our marker, not a process or directory of a cdk-local that still
 * runs, not a directory whose name does not say its owner. Linux only (it reads `/proc`).
 */
export async function reapOrphans(options: ReapOptions = {}): Promise<ReapResult> {
  if (process.platform !== 'linux') return { processes: [], directories: [] };
  const self = currentOwner();
  const stopped = new Set<number>();
  // Stopped first, round after round, so that none of them starts another meanwhile.
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const found = (await scanProcessesAsync()).filter((entry) => {
      if (entry.marker === undefined || stopped.has(entry.pid)) return false;
      const parsed = parseMarker(entry.marker);
      return parsed !== undefined && isOrphaned(parsed.owner, self);
    });
    if (found.length === 0) break;
    for (const { pid } of found) {
      sendSignal(pid, 'SIGSTOP');
      stopped.add(pid);
    }
  }
  for (const pid of stopped) sendSignal(pid, 'SIGKILL');
  for (const pid of stopped) sendSignal(pid, 'SIGCONT');

  const tmpDirectory = options.tmpDirectory ?? tmpdir();
  const directories: string[] = [];
  for (const entry of await readdir(tmpDirectory).catch(() => [] as string[])) {
    if (!entry.startsWith(SANDBOX_DIRECTORY_PREFIX)) continue;
    // `cdk-local-sandbox-<pid>-<start time>-<random>`; older names, without an owner, are left alone.
    const owner = parseOwner(entry.slice(SANDBOX_DIRECTORY_PREFIX.length).split('-').slice(0, 2).join('-'));
    if (owner === undefined || !isOrphaned(owner, self)) continue;
    const path = join(tmpDirectory, entry);
    try {
      await rm(path, { recursive: true, force: true });
      directories.push(path);
    } catch {
      // Another cdk-local may be removing it too; what is left is tried again next time.
    }
  }
  return { processes: [...stopped], directories };
}

let started: Promise<ReapResult> | undefined;

/**
 * Runs {@link reapOrphans} once in this process, in the background: the first environment
 * to start calls it, and nothing waits for it. Its failures are nobody's business but the
 * next run's.
 */
export function startOrphanReaper(): Promise<ReapResult> {
  started ??= reapOrphans().catch(() => ({ processes: [], directories: [] }));
  return started;
}
