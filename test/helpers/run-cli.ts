import { spawn } from 'node:child_process';
import { CLI_PATH, REPO_ROOT } from './example-app.js';

/** What a run of the command printed and how it ended. */
export interface CliRun {
  readonly stdout: string;
  readonly stdoutBytes: Buffer;
  readonly stderr: string;
  readonly exitCode: number | null;
  readonly pid: number;
}

/** Runs `cdk-local ...args` as a user would, and waits for it to exit. */
export function runCli(args: readonly string[], options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      const stdoutBytes = Buffer.concat(out);
      resolve({ stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr: Buffer.concat(err).toString('utf8'), exitCode, pid: child.pid ?? -1 });
    });
    child.stdin.end(options.input ?? '');
  });
}
