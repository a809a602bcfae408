import { readFileSync } from 'node:fs';

/**
 * The variable every process of an execution environment carries: it names the cdk-local
 * process that owns the environment (its pid and its start time, so that a recycled pid is
 * not taken for it) and the environment itself. Children inherit it, so whatever a function
 * starts, however it detaches (`setsid`, a double fork), is found by it in `/proc`; only a
 * process that starts another with a cleared environment loses it. It starts with `_`, as
 * the variables Lambda's own machinery sets do (`_HANDLER`, `_X_AMZN_TRACE_ID`).
 */
export const ENVIRONMENT_MARKER_VARIABLE = '_CDK_LOCAL_ENVIRONMENT';

/** A cdk-local process, told apart from a later process with the same pid by its start time. */
export interface ProcessOwner {
  readonly pid: number;
  /** Field 22 of `/proc/<pid>/stat`: clock ticks since boot; '0' where there is no `/proc`. */
  readonly startTime: string;
}

/** What a marker says: who owns the process, and which of its environments it belongs to. */
export interface ParsedMarker {
  readonly owner: ProcessOwner;
  readonly environment: string;
}

const MARKER_PATTERN = /^(\d+)-(\d+)-(\d+)$/;

/** The start time of a live process (clock ticks since boot), undefined when it is not there. */
export function readStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // `pid (name) state ...`: the name may hold spaces and parentheses; starttime is the 22nd field.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

let self: ProcessOwner | undefined;

/** This process as the owner of the environments it starts. */
export function currentOwner(): ProcessOwner {
  self ??= { pid: process.pid, startTime: readStartTime(process.pid) ?? '0' };
  return self;
}

/** Whether `owner` still runs: its pid is live and started when it says. */
export function isOwnerAlive(owner: ProcessOwner): boolean {
  const startTime = readStartTime(owner.pid);
  return startTime !== undefined && startTime === owner.startTime;
}

/** `<pid>-<start time>`: how an owner is written in markers and directory names. */
export function formatOwner(owner: ProcessOwner): string {
  return `${owner.pid}-${owner.startTime}`;
}

/** Reads `<pid>-<start time>` back; undefined when it is not one. */
export function parseOwner(text: string): ProcessOwner | undefined {
  const match = /^(\d+)-(\d+)$/.exec(text);
  return match === null ? undefined : { pid: Number(match[1]), startTime: match[2]! };
}

let serial = 0;

/** A new marker value, for one environment of this process. */
export function newEnvironmentMarker(): string {
  serial += 1;
  return `${formatOwner(currentOwner())}-${serial}`;
}

/** Reads a marker value; undefined when it is not one of ours. */
export function parseMarker(value: string): ParsedMarker | undefined {
  const match = MARKER_PATTERN.exec(value);
  if (match === null) return undefined;
  return { owner: { pid: Number(match[1]), startTime: match[2]! }, environment: match[3]! };
}

/** The marker value in a process's initial environment (`/proc/<pid>/environ`, NUL-separated), if it has one. */
export function findMarker(environ: string): string | undefined {
  const prefix = `${ENVIRONMENT_MARKER_VARIABLE}=`;
  const start = environ.startsWith(prefix) ? 0 : environ.indexOf(`\0${prefix}`);
  if (start === -1) return undefined;
  const valueStart = start === 0 ? prefix.length : start + 1 + prefix.length;
  const end = environ.indexOf('\0', valueStart);
  return environ.slice(valueStart, end === -1 ? undefined : end);
}
