import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { ScenarioResult } from '../scenario.js';

/** Where each run's JSON goes (gitignored). */
export const RESULTS_DIRECTORY = 'bench-results';

/** The machine a run measured on: figures from different machines do not compare. */
export interface MachineInfo {
  readonly node: string;
  readonly platform: string;
  readonly cpus: number;
  readonly cpuModel: string;
  /** The 1-minute load average when the run started and ended: others' work skews figures. */
  readonly loadAverageBefore: number;
  readonly loadAverageAfter: number;
  /** How environments run by default here: `bubblewrap sandbox`, or `plain processes (why)`. */
  readonly sandbox: string;
}

/** Everything one run measured: printed as a table, written as JSON. */
export interface BenchReport {
  /** ISO time the run started. */
  readonly startedAt: string;
  readonly durationMs: number;
  readonly quick: boolean;
  /** `git describe --always --dirty` of the tree measured. */
  readonly commit: string;
  readonly machine: MachineInfo;
  readonly results: readonly ScenarioResult[];
}

/** The 1-minute load average. */
export function currentLoadAverage(): number {
  return loadavg()[0] ?? 0;
}

/** What the run knows of the machine, with the load it saw. */
export function describeMachine(loadAverageBefore: number, sandbox: string): MachineInfo {
  const processors = cpus();
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: processors.length,
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    loadAverageBefore,
    loadAverageAfter: currentLoadAverage(),
    sandbox,
  };
}

/** The commit measured, `-dirty` when the tree has changes; `unknown` outside git. */
export function describeCommit(root: string): string {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

/** Writes the report as `bench-results/<timestamp>.json`; returns the path. */
export async function writeReport(root: string, report: BenchReport): Promise<string> {
  const directory = join(root, RESULTS_DIRECTORY);
  await mkdir(directory, { recursive: true });
  const path = join(directory, `${report.startedAt.replaceAll(':', '-')}.json`);
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}
