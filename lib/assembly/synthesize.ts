import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Result } from 'execa';
import { CdkLocalError, ErrorCodes } from '../errors.js';
import { checkAssemblyReuse, synthFingerprint, writeSynthRecord, type StaleReason } from './assembly-freshness.js';
import { resolveAccount, resolveRegion } from './aws-defaults.js';
import { isRecord } from './cfn-template.js';

/** Options of {@link loadCloudAssembly}. */
export interface LoadCloudAssemblyOptions {
  /** The directory cdk-local runs in; cdk.json is looked for here. */
  readonly cwd: string;
  /**
   * A cloud assembly directory (one with a manifest.json), or a command that runs the
   * CDK app. @default the `app` of cdk.json
   */
  readonly app?: string;
  /** Where the app writes its assembly. @default the `output` of cdk.json, else `cdk.out` */
  readonly output?: string;
  /** Stops a running synth. */
  readonly signal?: AbortSignal;
  /** Context values on top of cdk.json and cdk.context.json (like `cdk -c key=value`). */
  readonly context?: Readonly<Record<string, string>>;
  /**
   * `CDK_DEFAULT_REGION` for the app (like `cdk synth` run with that region).
   * @default AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1
   */
  readonly region?: string;
  /** `CDK_DEFAULT_ACCOUNT` for the app. @default CDK_DEFAULT_ACCOUNT, else 123456789012 */
  readonly account?: string;
  /** Synthesize even when the assembly there could be reused. @default false */
  readonly forceSynth?: boolean;
  /** Called with the app's command and the reason just before it is run (not when an assembly is reused). */
  readonly onSynthesize?: (command: string, reason: SynthReason) => void;
  /** Called when an assembly cdk-local synthesized earlier, from the same inputs, is reused. */
  readonly onReuse?: (directory: string, synthesizedAt: Date) => void;
}

/** Why the app is synthesized: no assembly yet, or what made the one there stale, or `forced` (`--synth`). */
export type SynthReason = StaleReason | 'forced';

/** What {@link loadCloudAssembly} found. */
export interface LoadCloudAssemblyResult {
  /** Absolute path of the cloud assembly directory. */
  readonly directory: string;
  /** True when the app was run; false when an assembly was used as it was. */
  readonly synthesized: boolean;
}

// The CDK CLI runs apps with these on, so that templates carry construct paths and asset paths.
const REQUIRED_CONTEXT = {
  'aws:cdk:enable-path-metadata': true,
  'aws:cdk:enable-asset-metadata': true,
  'aws:cdk:disable-version-reporting': true,
};
const FORCE_KILL_AFTER_MS = 5000;

/**
 * Finds the cloud assembly of a CDK app the way the CDK CLI does: `app` may be an
 * assembly directory (used as is) or a command; without it, cdk.json's `app` is run.
 * An assembly cdk-local synthesized before is reused without running the app when
 * nothing that feeds the synth changed: no file of the project is newer, and the command,
 * context, region, account and environment (less volatile variables) are the same
 * (see {@link checkAssemblyReuse}). The app is run through the shell (cdk.json's `app` is a shell command) with
 * `CDK_OUTDIR`, `CDK_CONTEXT_JSON` and `CDK_DEFAULT_REGION`/`CDK_DEFAULT_ACCOUNT` set.
 * Throws {@link ErrorCodes.NO_APP} without an app and {@link ErrorCodes.SYNTH_FAILED}
 * when it fails (the error's cause carries the app's full stderr).
 */
export async function loadCloudAssembly(options: LoadCloudAssemblyOptions): Promise<LoadCloudAssemblyResult> {
  const cwd = resolve(options.cwd);
  if (options.app !== undefined) {
    const candidate = resolve(cwd, options.app);
    if (await isFile(join(candidate, 'manifest.json'))) {
      if (options.forceSynth === true) {
        throw new CdkLocalError(
          ErrorCodes.USAGE,
          `--synth needs an app to run, and ${candidate} is a cloud assembly: drop --synth, or pass the command that runs your app as --app.`,
        );
      }
      return { directory: candidate, synthesized: false };
    }
    if (await isDirectory(candidate)) {
      throw new CdkLocalError(
        ErrorCodes.ASSEMBLY_INVALID,
        `${candidate} is not a cloud assembly (it has no manifest.json): run 'cdk synth' first or pass the command that runs your app as --app.`,
      );
    }
  }
  const cdkJson = await readJsonObject(join(cwd, 'cdk.json'));
  const app = options.app ?? (typeof cdkJson?.['app'] === 'string' ? cdkJson['app'] : undefined);
  if (app === undefined) {
    throw new CdkLocalError(
      ErrorCodes.NO_APP,
      cdkJson === undefined
        ? `No cdk.json in ${cwd} and no --app: run cdk-local from your CDK app's directory or pass --app <cdk.out or command>.`
        : `The cdk.json in ${cwd} has no "app" and no --app was given: add the command that runs your app or pass --app <cdk.out or command>.`,
    );
  }
  const configuredOutput = typeof cdkJson?.['output'] === 'string' ? cdkJson['output'] : undefined;
  const output = resolve(cwd, options.output ?? configuredOutput ?? 'cdk.out');
  const context = {
    ...(isRecord(cdkJson?.['context']) ? cdkJson['context'] : {}),
    ...((await readJsonObject(join(cwd, 'cdk.context.json'))) ?? {}),
    ...options.context,
    ...REQUIRED_CONTEXT,
  };
  const region = resolveRegion(options.region);
  const account = resolveAccount(options.account);
  // The rule for reusing an assembly: cdk-local made it, from the same command, context,
  // region, account and environment, and no file of the project changed since.
  const fingerprint = synthFingerprint({ app, output, context, region, account, env: process.env });
  let reason: SynthReason = 'forced';
  if (options.forceSynth !== true) {
    const reuse = await checkAssemblyReuse(output, cwd, fingerprint);
    if (reuse.stale === undefined) {
      options.onReuse?.(output, reuse.synthesizedAt);
      return { directory: output, synthesized: false };
    }
    reason = reuse.stale;
  }

  options.onSynthesize?.(app, reason);
  const result = await runApp(app, {
    cwd,
    env: {
      CDK_OUTDIR: output,
      CDK_CONTEXT_JSON: JSON.stringify(context),
      CDK_DEFAULT_REGION: region,
      CDK_DEFAULT_ACCOUNT: account,
    },
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (result.isCanceled) throw options.signal?.reason ?? new Error('The synth was cancelled.');
  if (result.failed) {
    const how = result.exitCode === undefined ? `killed by ${result.signal ?? 'a signal'}` : `exit code ${result.exitCode}`;
    throw new CdkLocalError(
      ErrorCodes.SYNTH_FAILED,
      `The CDK app failed to synthesize (${how}): ${lastMeaningfulLine(result.stderr) ?? lastMeaningfulLine(result.stdout) ?? 'it printed nothing'}`,
      { cause: new Error(result.stderr === '' ? result.stdout : result.stderr) },
    );
  }
  if (!(await isFile(join(output, 'manifest.json')))) {
    throw new CdkLocalError(
      ErrorCodes.SYNTH_FAILED,
      `The CDK app ran but wrote no cloud assembly to ${output}: make sure it creates an App and calls app.synth().`,
      { cause: new Error(result.stderr) },
    );
  }
  await writeSynthRecord(output, fingerprint);
  return { directory: output, synthesized: true };
}

/**
 * Runs the app's command through the shell, as the CDK CLI does (cdk.json's `app` is a
 * shell command line). The shell does not always exec the app (dash keeps itself as the
 * parent), so the app gets a process group of its own, and the whole group is killed
 * when the run is cancelled, when it ends, and when this process exits: nothing the app
 * started outlives it.
 */
async function runApp(
  command: string,
  options: { cwd: string; env: Record<string, string>; signal?: AbortSignal },
): Promise<Result<{ reject: false }>> {
  const ownGroup = process.platform !== 'win32';
  // Loaded here: most runs reuse a fresh assembly and never start the app.
  const { execa } = await import('execa');
  const subprocess = execa(command, {
    shell: true,
    cwd: options.cwd,
    env: options.env,
    stdin: 'ignore',
    reject: false,
    detached: ownGroup,
    cleanup: true,
    forceKillAfterDelay: FORCE_KILL_AFTER_MS,
    ...(options.signal === undefined ? {} : { cancelSignal: options.signal }),
  });
  const killGroup = (signal: NodeJS.Signals): void => {
    if (!ownGroup || subprocess.pid === undefined) return;
    try {
      process.kill(-subprocess.pid, signal);
    } catch {
      // The group is gone already.
    }
  };
  const onAbort = (): void => killGroup('SIGTERM');
  const onExit = (): void => killGroup('SIGKILL');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  process.on('exit', onExit);
  try {
    return await subprocess;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    process.off('exit', onExit);
    killGroup('SIGKILL');
  }
}

/**
 * The line of an app's error output that says what went wrong: the last one that is not
 * blank, a stack frame, Node's version banner, or the source excerpt Node prints above
 * an uncaught error.
 */
function lastMeaningfulLine(output: string): string | undefined {
  const lines = output
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(
      (line) =>
        line !== '' &&
        !line.startsWith('at ') &&
        !/^\^+$/.test(line) &&
        !/^Node\.js v\d/.test(line) &&
        !/^\.\.\.|^\{$|^\}$/.test(line) &&
        !/^[^\s]+:\d+$/.test(line),
    );
  // An uncaught error's own line ("Error: ...", "ValidationError: ...", or the CDK's
  // "«ValidationError» ...") beats what Node prints after it (the construct tree, the trace).
  return (
    lines.findLast((line) => /^[\w.$]*(Error|Exception)\b[^:]*:/.test(line)) ??
    lines.findLast((line) => /^«\w+»/.test(line)) ??
    lines.at(-1)
  );
}

async function readJsonObject(path: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const json: unknown = JSON.parse(text);
    if (isRecord(json)) return json;
  } catch (error) {
    throw new CdkLocalError(ErrorCodes.NO_APP, `${path} is not valid JSON (${(error as Error).message}): fix it or pass --app.`, {
      cause: error,
    });
  }
  throw new CdkLocalError(ErrorCodes.NO_APP, `${path} must hold a JSON object: fix it or pass --app.`);
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() === true;
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() === true;
}
