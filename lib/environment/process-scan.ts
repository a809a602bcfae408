import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { findMarker } from './process-marker.js';

/** A live process as `/proc` shows it, with the environment marker it started with. */
export interface ScannedProcess {
  readonly pid: number;
  /** The value of its environment marker, if it has one. */
  readonly marker: string | undefined;
}

function listPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .map(Number);
  } catch {
    return [];
  }
}

function readMarker(pid: number): string | undefined {
  try {
    return findMarker(readFileSync(`/proc/${pid}/environ`, 'latin1'));
  } catch {
    return undefined;
  }
}

/**
 * Every live process and its marker, read afresh (Linux; nothing elsewhere). Processes of
 * other users cannot be read and come without a marker.
 */
export function scanProcesses(): ScannedProcess[] {
  return listPids().map((pid) => ({ pid, marker: readMarker(pid) }));
}

/** Same as {@link scanProcesses}, without blocking the event loop. */
export async function scanProcessesAsync(): Promise<ScannedProcess[]> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const found: ScannedProcess[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'latin1').catch(() => '');
    found.push({ pid: Number(entry), marker: findMarker(environ) });
  }
  return found;
}

// A process's initial environment only changes when it execs, and a process without a
// marker cannot come by one of ours (only our processes' descendants inherit it): what
// was read once of an unmarked pid is kept while that pid is listed, so a freeze after
// every invocation, or a reset, reads only the processes that are new since the last one
// (a full read takes tens of milliseconds on a busy machine). A marked pid is always read
// again, so a recycled pid is never taken for ours. The one miss: an unmarked process that
// ends, and whose pid goes to one of ours before the next look (the pids have wrapped
// around meanwhile); the exit of cdk-local reads everything afresh.
const unmarked = new Set<number>();

/**
 * The live processes that carry a marker, reading only what is new since the last call
 * (see above); for the freeze that follows every invocation and the reset of an environment.
 */
export function scanMarkedProcesses(): ScannedProcess[] {
  const pids = listPids();
  const listed = new Set(pids);
  for (const pid of unmarked) if (!listed.has(pid)) unmarked.delete(pid);
  const found: ScannedProcess[] = [];
  for (const pid of pids) {
    if (unmarked.has(pid)) continue;
    const marker = readMarker(pid);
    if (marker === undefined) unmarked.add(pid);
    else found.push({ pid, marker });
  }
  return found;
}
