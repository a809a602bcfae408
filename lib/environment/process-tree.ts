import { readFileSync } from 'node:fs';

async function readText(path: string): Promise<string | undefined> {
  try {
    // Read synchronously: /proc files are made in memory and never wait on a disk, while
    // fs.promises.readFile costs four thread-pool round trips each. Memory is sampled at
    // every invocation's start and end, and this halved a warm invoke (npm run bench).
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

async function childrenOf(pid: number): Promise<number[]> {
  // /proc/<pid>/task/<tid>/children lists the children each thread started; the main
  // thread's list is the usual place, but threads (Node's workers) can fork too.
  const tasks = await readText(`/proc/${pid}/task/${pid}/children`);
  if (tasks === undefined) return [];
  return tasks
    .split(' ')
    .filter((part) => part !== '' && part !== '\n')
    .map(Number);
}

/** The pids of `rootPid` and all its descendants (Linux; only `rootPid` elsewhere). */
export async function listProcessTree(rootPid: number): Promise<number[]> {
  const found: number[] = [];
  const queue = [rootPid];
  while (queue.length > 0 && found.length < 4096) {
    const pid = queue.shift()!;
    found.push(pid);
    queue.push(...(await childrenOf(pid)));
  }
  return found;
}

// A sandbox's own processes (bubblewrap's monitor and its PID namespace's init) stand
// between cdk-local and the runtime; their memory is not the function's.
const SANDBOX_PROCESS_NAME = 'bwrap';

/** Resident memory of a process tree in bytes, bubblewrap's own processes left out; 0 where /proc is not available. */
export async function measureTreeRssBytes(rootPid: number): Promise<number> {
  const pids = await listProcessTree(rootPid);
  // VmRSS is in kB whatever the page size (4 KiB on x86-64; 16 or 64 KiB on some arm64
  // kernels), where /proc/<pid>/stat counts pages.
  const statuses = await Promise.all(pids.map((pid) => readText(`/proc/${pid}/status`)));
  let total = 0;
  for (const status of statuses) {
    if (status === undefined || status.match(/^Name:\s+(.*)$/m)?.[1] === SANDBOX_PROCESS_NAME) continue;
    const resident = status.match(/^VmRSS:\s+(\d+) kB/m)?.[1];
    if (resident !== undefined) total += Number(resident) * 1024;
  }
  return total;
}

/** The peak resident memory (VmHWM) of one process in bytes, or of the first processes below bubblewrap's; 0 when unknown. */
export async function readPeakRssBytes(pid: number): Promise<number> {
  const status = await readText(`/proc/${pid}/status`);
  if (status?.match(/^Name:\s+(.*)$/m)?.[1] === SANDBOX_PROCESS_NAME) {
    const peaks = await Promise.all((await childrenOf(pid)).map((child) => readPeakRssBytes(child)));
    return Math.max(0, ...peaks);
  }
  const match = status?.match(/^VmHWM:\s+(\d+) kB/m);
  return match?.[1] === undefined ? 0 : Number(match[1]) * 1024;
}

/**
 * The first process below a sandbox's own (bubblewrap's monitor and its PID namespace's init):
 * the runtime itself; `pid` when it is not a sandbox.
 */
export function findSandboxedProcess(pid: number): number {
  let current = pid;
  for (let depth = 0; depth < 4; depth++) {
    let name: string | undefined;
    try {
      name = readFileSync(`/proc/${current}/comm`, 'utf8').trim();
    } catch {
      return current;
    }
    if (name !== SANDBOX_PROCESS_NAME) return current;
    const [child] = childrenOfSync(current);
    if (child === undefined) return current;
    current = child;
  }
  return current;
}

/** Same as {@link listProcessTree}, read synchronously (for signals that must not wait). */
export function listProcessTreeSync(rootPid: number): number[] {
  const found: number[] = [];
  const queue = [rootPid];
  while (queue.length > 0 && found.length < 4096) {
    const pid = queue.shift()!;
    found.push(pid);
    queue.push(...childrenOfSync(pid));
  }
  return found;
}

/** Sends `signal` to a whole process group; true when the group existed. */
export function signalProcessGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

function childrenOfSync(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(' ')
      .filter((part) => part !== '' && part !== '\n')
      .map(Number);
  } catch {
    return [];
  }
}

function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Gone already.
  }
}

/**
 * Kills a process, its process group, and every descendant, even those that left the group
 * (`setsid`): the tree is stopped first, round by round, so nothing forks while it is
 * collected, then everything in it is killed. Linux only; elsewhere just the group.
 */
export function killProcessTree(rootPid: number): void {
  const seen = new Set<number>();
  const queue = [rootPid];
  while (queue.length > 0 && seen.size < 4096) {
    const pid = queue.shift()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    sendSignal(pid, 'SIGSTOP');
    queue.push(...childrenOfSync(pid));
  }
  signalProcessGroup(rootPid, 'SIGKILL');
  for (const pid of seen) sendSignal(pid, 'SIGKILL');
}
