import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** How a process run went, and how long it took from spawn to exit. */
export interface ProcessRun {
  readonly durationMs: number;
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment of the processes the benchmark runs: the user's, with dummy credentials
 * so that nothing reads (or hands a function) real ones.
 */
export function benchEnvironment(): NodeJS.ProcessEnv {
  return { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDBENCH', AWS_SECRET_ACCESS_KEY: 'bench', AWS_SESSION_TOKEN: '', AWS_PROFILE: '', AWS_REGION: 'us-east-1' };
}

/** Runs `node ...args` and times it from spawn to exit (all output read). */
export function timeNodeProcess(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env ?? benchEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      resolve({ durationMs: performance.now() - startedAt, exitCode, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
  });
}

/** Throws unless the run exited 0; the error carries its stderr. */
export function expectSuccess(run: ProcessRun, what: string): ProcessRun {
  if (run.exitCode !== 0) throw new Error(`${what} exited ${run.exitCode}: ${run.stderr.trim().split('\n').slice(-5).join(' | ')}`);
  return run;
}
