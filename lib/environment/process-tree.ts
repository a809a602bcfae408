import { readFileSync } from 'node:fs';

const PAGE_SIZE_BYTES = 4096;

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

/** Resident memory of a process tree in bytes; 0 where /proc is not available. */
export async function measureTreeRssBytes(rootPid: number): Promise<number> {
  const pids = await listProcessTree(rootPid);
  const sizes = await Promise.all(pids.map((pid) => readText(`/proc/${pid}/statm`)));
  let total = 0;
  for (const statm of sizes) {
    const resident = statm?.split(' ')[1];
    if (resident !== undefined) total += Number(resident) * PAGE_SIZE_BYTES;
  }
  return total;
}

/** The peak resident memory (VmHWM) of one process in bytes; 0 when unknown. */
export async function readPeakRssBytes(pid: number): Promise<number> {
  const status = await readText(`/proc/${pid}/status`);
  const match = status?.match(/^VmHWM:\s+(\d+) kB/m);
  return match?.[1] === undefined ? 0 : Number(match[1]) * 1024;
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
