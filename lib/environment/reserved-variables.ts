import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import type { FunctionSpec } from '../assembly/index.js';
import type { RuntimeInfo } from '../runtimes/index.js';

/** AWS credentials handed to the function as its execution role's would be. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Where an environment's processes find its pieces: this machine's paths in plain-process mode, Lambda's in a sandbox. */
export interface EnvironmentPaths {
  /** The function's code: `/var/task` in Lambda. */
  readonly taskRoot: string;
  /** The runtime client's directory: `/var/runtime` in Lambda. */
  readonly runtimeDir: string;
  /** What the runtime provides in `/var/runtime/node_modules` (the AWS SDK) when it is elsewhere (plain-process mode). */
  readonly runtimeModulesDir?: string;
  /** The Python packages the runtime provides (boto3), after the layers on PYTHONPATH. */
  readonly runtimeSitePackagesDir?: string;
  /** The merged layers: `/opt` in Lambda; undefined without layers. */
  readonly optDir?: string;
  /** The Node.js executable, whose directory stands for `/var/lang/bin`. */
  readonly nodeExecutable: string;
  /** `/var/lang/lib`, first on LD_LIBRARY_PATH, where there is one (in a sandbox). */
  readonly langLibDir?: string;
}

/** Inputs of {@link buildRuntimeVariables}. */
export interface RuntimeVariablesOptions {
  readonly spec: FunctionSpec;
  readonly runtime: RuntimeInfo;
  /** `host:port` of the environment's Runtime API. */
  readonly runtimeApi: string;
  readonly paths: EnvironmentPaths;
  /** The function's own variables after `--env-vars` overrides. */
  readonly functionVariables: Readonly<Record<string, string>>;
  readonly credentials?: AwsCredentials;
  readonly logStreamName: string;
}

/** A log stream name of the real shape: `2024/01/01/[$LATEST]<32 hex>`. */
export function makeLogStreamName(version: string, now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[${version}]${randomBytes(16).toString('hex')}`;
}

/**
 * The environment of a runtime process: the function's own variables, then the reserved
 * set of https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html, which
 * wins over the function's own (docs/conformance.md N). Nothing else of this process leaks in.
 */
export function buildRuntimeVariables(options: RuntimeVariablesOptions): Record<string, string> {
  const { spec, runtime, paths } = options;
  const opt = paths.optDir;
  const optPaths = (suffixes: string[]): string[] => (opt === undefined ? [] : suffixes.map((suffix) => `${opt}/${suffix}`));

  const reserved: Record<string, string | undefined> = {
    AWS_LAMBDA_RUNTIME_API: options.runtimeApi,
    _HANDLER: spec.handler,
    LAMBDA_TASK_ROOT: paths.taskRoot,
    LAMBDA_RUNTIME_DIR: paths.runtimeDir,
    AWS_EXECUTION_ENV: runtime.executionEnv,
    AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memorySizeMb),
    AWS_LAMBDA_FUNCTION_VERSION: spec.version,
    AWS_LAMBDA_LOG_GROUP_NAME: spec.logging.logGroup,
    AWS_LAMBDA_LOG_STREAM_NAME: options.logStreamName,
    // Lambda Managed Instances: the runtime client runs this many invocations at once (docs/conformance.md Y).
    AWS_LAMBDA_INITIALIZATION_TYPE: spec.managedInstances === undefined ? 'on-demand' : 'lambda-managed-instances',
    AWS_LAMBDA_MAX_CONCURRENCY: spec.managedInstances === undefined ? undefined : String(spec.managedInstances.perExecutionEnvironmentMaxConcurrency),
    AWS_REGION: spec.region,
    AWS_DEFAULT_REGION: spec.region,
    AWS_ACCESS_KEY_ID: options.credentials?.accessKeyId,
    AWS_SECRET_ACCESS_KEY: options.credentials?.secretAccessKey,
    AWS_SESSION_TOKEN: options.credentials?.sessionToken,
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    // /var/lang/bin is where Lambda keeps the language runtime: here, the local node's directory.
    PATH: [dirname(paths.nodeExecutable), '/usr/local/bin', '/usr/bin/', '/bin', ...optPaths(['bin'])].join(':'),
    LD_LIBRARY_PATH: [...(paths.langLibDir === undefined ? [] : [paths.langLibDir]), '/lib64', '/usr/lib64', paths.runtimeDir, `${paths.runtimeDir}/lib`, paths.taskRoot, `${paths.taskRoot}/lib`, ...optPaths(['lib'])].join(':'),
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129:2000',
    _AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129',
    _AWS_XRAY_DAEMON_PORT: '2000',
    AWS_LAMBDA_LOG_FORMAT: spec.logging.logFormat === 'JSON' ? 'JSON' : undefined,
    AWS_LAMBDA_LOG_LEVEL: spec.logging.logFormat === 'JSON' ? (spec.logging.applicationLogLevel ?? 'INFO') : undefined,
  };
  if (runtime.family === 'nodejs') {
    reserved.NODE_PATH = [
      ...optPaths([`nodejs/node${runtime.version}/node_modules`, 'nodejs/node_modules']),
      paths.runtimeModulesDir ?? `${paths.runtimeDir}/node_modules`,
      paths.runtimeDir,
      paths.taskRoot,
    ].join(':');
  }
  if (runtime.family === 'python') {
    reserved.PYTHONPATH = [
      paths.runtimeDir,
      ...optPaths([`python/lib/python${runtime.version}/site-packages`, 'python']),
      ...(paths.runtimeSitePackagesDir === undefined ? [] : [paths.runtimeSitePackagesDir]),
    ].join(':');
  }

  const variables: Record<string, string> = { ...options.functionVariables };
  for (const [name, value] of Object.entries(reserved)) {
    if (value === undefined) delete variables[name];
    else variables[name] = value;
  }
  return variables;
}
