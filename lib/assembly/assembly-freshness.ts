import { createHash } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';

/** Options of {@link isAssemblyFresh}. */
export interface AssemblyFreshnessOptions {
  /** Directories not to look into, besides node_modules, cdk.out, dist, .git and dot-directories. */
  readonly exclude?: readonly string[];
  /** How deep to look below the project directory. @default 8 */
  readonly maxDepth?: number;
  /** More files than this and the assembly counts as stale: it cannot be told quickly. @default 20000 */
  readonly maxFiles?: number;
}

const SKIPPED_NAMES = new Set(['node_modules', 'cdk.out', 'dist']);

/**
 * True when `<assemblyDirectory>/manifest.json` exists and is newer than every file of
 * the project (stat only; stops at the first newer file), so synthesizing again would
 * produce the same assembly.
 */
export async function isAssemblyFresh(
  assemblyDirectory: string,
  projectDirectory: string,
  options: AssemblyFreshnessOptions = {},
): Promise<boolean> {
  let manifestTime: number;
  try {
    manifestTime = (await stat(join(assemblyDirectory, 'manifest.json'))).mtimeMs;
  } catch {
    return false;
  }
  const excluded = new Set([resolve(assemblyDirectory), ...(options.exclude ?? []).map((path) => resolve(path))]);
  const maxDepth = options.maxDepth ?? 8;
  const maxFiles = options.maxFiles ?? 20_000;
  let files = 0;
  let level = [resolve(projectDirectory)];
  for (let depth = 0; depth <= maxDepth && level.length > 0; depth++) {
    const next: string[] = [];
    const stale = await Promise.all(
      level.map(async (directory) => {
        const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
        const times = await Promise.all(
          entries.map(async (entry) => {
            const path = join(directory, entry.name);
            if (entry.isDirectory()) {
              if (!entry.name.startsWith('.') && !SKIPPED_NAMES.has(entry.name) && !excluded.has(path)) next.push(path);
              return 0;
            }
            files++;
            return (await stat(path).catch(() => undefined))?.mtimeMs ?? 0;
          }),
        );
        return times.some((time) => time > manifestTime);
      }),
    );
    if (stale.includes(true) || files > maxFiles) return false;
    level = next;
  }
  return true;
}

/**
 * Variables that change from one shell, terminal or npm script to the next without
 * changing what an app synthesizes; every other variable counts (see {@link synthFingerprint}).
 */
const VOLATILE_VARIABLES = new Set([
  '_',
  'OLDPWD',
  'PWD',
  'SHLVL',
  'PS1',
  'PS2',
  'PROMPT_COMMAND',
  'COLUMNS',
  'LINES',
  'TERM_SESSION_ID',
  'WINDOWID',
  'TMUX_PANE',
  'SSH_CLIENT',
  'SSH_CONNECTION',
  'SSH_TTY',
  'NODE_TEST_CONTEXT',
  // npm and npx set these for whatever they run.
  'INIT_CWD',
  'NODE',
  'COLOR',
  'EDITOR',
  // The command line sets it for its own AWS SDK (bin/cdk-local.ts); the library does not.
  'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
]);
/** npm and npx set `npm_*` (`npm_config_*`, `npm_lifecycle_*`, ...) for whatever they run. */
const VOLATILE_PREFIXES = ['npm_'];

/** npm and npx put `node_modules/.bin` folders (and their own helpers) in front of `PATH`. */
function withoutNpmPaths(path: string): string {
  return path
    .split(delimiter)
    .filter((entry) => !/[\\/]node_modules[\\/]\.bin$|[\\/]node-gyp-bin$/.test(entry))
    .join(delimiter);
}

/** True for an environment variable that does not count in {@link synthFingerprint}. */
export function isVolatileVariable(name: string): boolean {
  return VOLATILE_VARIABLES.has(name) || VOLATILE_PREFIXES.some((prefix) => name.toLowerCase().startsWith(prefix));
}

/** Everything besides the project's files that feeds a synth. */
export interface SynthInputs {
  /** The command that runs the app. */
  readonly app: string;
  /** Absolute path of the assembly directory it writes. */
  readonly output: string;
  /** The exact context the app is given (cdk.json, cdk.context.json, -c, cdk-local's own). */
  readonly context: Readonly<Record<string, unknown>>;
  /** `CDK_DEFAULT_REGION` and `CDK_DEFAULT_ACCOUNT` as the app gets them. */
  readonly region: string;
  readonly account: string;
  /** The environment the app runs in; volatile variables are left out. */
  readonly env: NodeJS.ProcessEnv;
}

/**
 * A digest of the inputs of a synth other than the project's files. Which environment
 * variables an app reads cannot be known, so all of them count except the volatile ones
 * ({@link isVolatileVariable}): `STAGE=prod` after a run without it is a different synth.
 */
export function synthFingerprint(inputs: SynthInputs): string {
  const env = Object.entries(inputs.env)
    .filter(([name, value]) => value !== undefined && !isVolatileVariable(name))
    .map(([name, value]): [string, string] => [name, name === 'PATH' ? withoutNpmPaths(value ?? '') : (value ?? '')])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const context = Object.entries(inputs.context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256')
    .update(JSON.stringify({ app: inputs.app, output: inputs.output, context, region: inputs.region, account: inputs.account, env }))
    .digest('hex');
}

/** The file beside the assembly's manifest where cdk-local records what a synth was made from. */
export const SYNTH_RECORD_FILE = 'cdk-local-synth.json';

interface SynthRecord {
  readonly fingerprint: string;
  /** The manifest's mtime when cdk-local wrote it: another tool's synth changes it. */
  readonly manifestMtimeMs: number;
}

/** Records, beside a manifest cdk-local's synth just wrote, what it was made from. */
export async function writeSynthRecord(assemblyDirectory: string, fingerprint: string): Promise<void> {
  const manifestMtimeMs = (await stat(join(assemblyDirectory, 'manifest.json'))).mtimeMs;
  const record: SynthRecord = { fingerprint, manifestMtimeMs };
  await writeFile(join(assemblyDirectory, SYNTH_RECORD_FILE), `${JSON.stringify(record)}\n`);
}

/** Why an assembly cannot be reused, or `undefined` when it is what a synth would produce now. */
export type StaleReason = 'missing' | 'files-changed' | 'not-ours' | 'inputs-changed';

/**
 * Whether the assembly in `assemblyDirectory` is certainly what synthesizing again would
 * produce: cdk-local synthesized it (its record is there and the manifest is the one it
 * wrote), from the same inputs (`fingerprint`), and no file of the project is newer.
 * Returns why not, or `undefined` and the time of that synth.
 */
export async function checkAssemblyReuse(
  assemblyDirectory: string,
  projectDirectory: string,
  fingerprint: string,
): Promise<{ readonly stale: StaleReason } | { readonly stale: undefined; readonly synthesizedAt: Date }> {
  const manifest = await stat(join(assemblyDirectory, 'manifest.json')).catch(() => undefined);
  if (manifest === undefined) return { stale: 'missing' };
  let record: Partial<SynthRecord> | undefined;
  try {
    record = JSON.parse(await readFile(join(assemblyDirectory, SYNTH_RECORD_FILE), 'utf8')) as Partial<SynthRecord>;
  } catch {
    record = undefined;
  }
  if (record?.manifestMtimeMs !== manifest.mtimeMs) return { stale: 'not-ours' };
  if (record.fingerprint !== fingerprint) return { stale: 'inputs-changed' };
  if (!(await isAssemblyFresh(assemblyDirectory, projectDirectory))) return { stale: 'files-changed' };
  return { stale: undefined, synthesizedAt: manifest.mtime };
}
