// A CDK app synthesized in-process into a temp directory whose functions all carry a marker
// variable unique to one run, so a test can find every process the run started.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalLambda, type LocalLambdaOptions } from '../../lib/host/index.js';

/** A synthesized app and the marker its functions carry. */
export interface MarkedApp {
  /** The cloud assembly directory. */
  readonly assembly: string;
  readonly marker: string;
  /** An `--env-vars` file that sets the marker, for the command line. */
  readonly envVarsFile: string;
  /** A LocalLambda on the app whose functions carry the marker. */
  open(options?: LocalLambdaOptions): Promise<LocalLambda>;
  remove(): Promise<void>;
}

/** Options of {@link createMarkedApp}. */
export interface MarkedAppOptions {
  /** Prefix of the temp directory. */
  readonly prefix: string;
  /** Writes the app's cloud assembly to `outdir`. */
  readonly synthesize: (outdir: string) => void;
  /** The variable that carries the marker. */
  readonly markerVariable: string;
  /** Options every `open()` starts from. */
  readonly defaults?: LocalLambdaOptions;
}

/** Synthesizes an app into a fresh temp directory, with a marker for its processes. */
export async function createMarkedApp(options: MarkedAppOptions): Promise<MarkedApp> {
  const root = await mkdtemp(join(tmpdir(), options.prefix));
  const assembly = join(root, 'cdk.out');
  options.synthesize(assembly);
  const marker = randomUUID();
  const envVars = { Parameters: { [options.markerVariable]: marker } };
  const envVarsFile = join(root, 'env-vars.json');
  await writeFile(envVarsFile, JSON.stringify(envVars));
  return {
    assembly,
    marker,
    envVarsFile,
    open: (overrides = {}) =>
      LocalLambda.fromAssembly(assembly, { cacheDirectory: join(root, 'cache'), envVars, ...options.defaults, ...overrides }),
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/**
 * Live processes started for a function of a marked app: their environment has the Runtime
 * API address every environment's processes get, and the run's marker. Children of a runtime
 * inherit both, so whatever a function started is found too.
 */
export async function processesWithMarker(markerVariable: string, marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    const variables = environ.split('\0');
    if (variables.includes(`${markerVariable}=${marker}`) && variables.some((variable) => variable.startsWith('AWS_LAMBDA_RUNTIME_API='))) {
      found.push(Number(entry));
    }
  }
  return found;
}
