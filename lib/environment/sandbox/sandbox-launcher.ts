import { randomInt } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { ProcessSet } from '../process-set.js';
import { listExternalExtensions } from '../extensions.js';
import { buildBubblewrapArgs, type SandboxLayout, type SandboxMount } from './bubblewrap-args.js';
import type { Bubblewrap } from './detect-bubblewrap.js';
import type { RuntimeCommand } from '../runtime-command.js';
import type { Launcher, LauncherOptions } from './launcher.js';
import { sandboxFiles } from './sandbox-files.js';

/** Lambda's paths, as the processes in a sandbox see them. */
const SANDBOX_PATHS = {
  taskRoot: '/var/task',
  runtimeDir: '/var/runtime',
  optDir: '/opt',
  langDir: '/var/lang',
} as const;

const MB = 1024 * 1024;

// Where the Python packages the runtime provides (boto3) are, after the layers on PYTHONPATH.
const SITE_PACKAGES = `${SANDBOX_PATHS.runtimeDir}/site-packages`;

// Top-level directories the sandbox makes itself: a host directory under them cannot also
// be bound at its own path.
const SANDBOX_ROOTS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc', '/var', '/opt', '/tmp', '/proc', '/dev'];

function isUnder(path: string, directory: string): boolean {
  const rel = relative(directory, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** A host path as the sandbox sees it, when one of the mounts holds it. */
function toSandboxPath(path: string, mounts: readonly SandboxMount[]): string | undefined {
  let best: SandboxMount | undefined;
  for (const mount of mounts) {
    if (isUnder(path, mount.source) && (best === undefined || mount.source.length > best.source.length)) best = mount;
  }
  if (best === undefined) return undefined;
  const rel = relative(best.source, path);
  return rel === '' ? best.target : join(best.target, ...rel.split(sep));
}

/** A host name of the shape Lambda's have (`169.254.x.y`). */
function lambdaHostname(): string {
  return `169.254.${randomInt(1, 255)}.${randomInt(1, 255)}`;
}

/**
 * The Python installation behind `executable`: its prefix (`/root/.pyenv/versions/3.12.1`,
 * `/usr`) and the real executable's name, or undefined when it is not a file path.
 */
function pythonInstallation(executable: string): { prefix: string; name: string } | undefined {
  if (!isAbsolute(executable)) return undefined;
  try {
    const real = realpathSync(executable);
    return { prefix: dirname(dirname(real)), name: basename(real) };
  } catch {
    return undefined;
  }
}

/**
 * `/var/runtime`: cdk-local's runtime client, and beside it what the runtime provides
 * (`node_modules` with the AWS SDK). Each entry is bound on its own, so that the provided
 * directories, which live elsewhere on this machine, can sit inside it.
 */
async function runtimeDirectoryMounts(command: RuntimeCommand): Promise<SandboxMount[]> {
  const provided: SandboxMount[] = [];
  if (command.nodeModulesDirectory !== undefined) provided.push({ source: command.nodeModulesDirectory, target: `${SANDBOX_PATHS.runtimeDir}/node_modules` });
  for (const entry of command.pythonPackages ?? []) provided.push({ source: entry.source, target: `${SITE_PACKAGES}/${entry.name}` });
  if (provided.length === 0) return [{ source: command.runtimeDir, target: SANDBOX_PATHS.runtimeDir }];
  const taken = new Set(provided.map((mount) => mount.target.slice(SANDBOX_PATHS.runtimeDir.length + 1).split('/')[0]));
  const own = (await readdir(command.runtimeDir)).filter((name) => !taken.has(name));
  return [...own.map((name) => ({ source: join(command.runtimeDir, name), target: `${SANDBOX_PATHS.runtimeDir}/${name}` })), ...provided];
}

/**
 * Runs each process of the environment (the runtime, each extension) in a bubblewrap
 * sandbox that looks like Lambda's: the code read-only at `/var/task`, the merged layers at
 * `/opt`, cdk-local's runtime client at `/var/runtime`, the language runtime at `/var/lang`,
 * a writable `/tmp` of the function's ephemeral storage size, nothing else of this machine
 * but its system directories.
 *
 * Each process gets a sandbox of its own, all made alike. When the function has external
 * extensions, `/tmp` is a directory all of them share, as Lambda's is, which bubblewrap
 * cannot cap; PID namespaces are never shared.
 */
export async function createSandboxLauncher(options: LauncherOptions, bubblewrap: Bubblewrap): Promise<Launcher> {
  const { spec, runtime, command, codeDirectory, layersDirectory } = options;
  const files = sandboxFiles();
  // Paths that programs and their arguments are translated through (host → sandbox).
  const translated: SandboxMount[] = [{ source: codeDirectory, target: SANDBOX_PATHS.taskRoot }];
  const extra: SandboxMount[] = [];
  const emptyDirectories: string[] = [];
  if (layersDirectory === undefined) emptyDirectories.push(SANDBOX_PATHS.optDir);
  else translated.push({ source: layersDirectory, target: SANDBOX_PATHS.optDir });

  let runtimeFile: string | undefined;
  switch (runtime.family) {
    case 'nodejs':
      translated.push(...(await runtimeDirectoryMounts(command)));
      // Lambda keeps node in /var/lang/bin, first on PATH.
      extra.push({ source: dirname(command.file), target: `${SANDBOX_PATHS.langDir}/bin` });
      runtimeFile = `${SANDBOX_PATHS.langDir}/bin/${basename(command.file)}`;
      break;
    case 'python': {
      translated.push(...(await runtimeDirectoryMounts(command)));
      const python = pythonInstallation(command.file);
      if (python !== undefined) {
        // The whole installation at /var/lang, as in Lambda: Python finds its standard
        // library next to /var/lang/bin/python3.x, and a shared libpython through
        // LD_LIBRARY_PATH's /var/lang/lib. Also at its own path, for a build whose libpython
        // is linked by absolute path, where that does not collide with the sandbox's own.
        extra.push({ source: python.prefix, target: SANDBOX_PATHS.langDir });
        if (!SANDBOX_ROOTS.some((root) => isUnder(python.prefix, root)) && python.prefix !== '/') {
          extra.push({ source: python.prefix, target: python.prefix });
        }
        runtimeFile = `${SANDBOX_PATHS.langDir}/bin/${python.name}`;
      }
      break;
    }
    case 'provided':
      emptyDirectories.push(SANDBOX_PATHS.runtimeDir);
      break;
  }

  const notices: string[] = [];
  const tmpMb = spec.ephemeralStorageMb;
  let sharedTmp: string | undefined;
  if ((await listExternalExtensions(layersDirectory)).length > 0) {
    sharedTmp = await files.makeEnvironmentDirectory();
    notices.push(`its extensions share /tmp with the function through a directory that is not capped at ${tmpMb} MB, and each process has a PID namespace of its own`);
  } else if (!bubblewrap.sizeOption) {
    notices.push(`/tmp is not capped at ${tmpMb} MB: this bubblewrap is older than 0.8, which added --size`);
  }
  if (!bubblewrap.signalOptions) {
    notices.push('the runtime gets SIGKILL where Lambda sends SIGTERM first: /usr/bin/env is older than coreutils 8.31, which added --ignore-signal');
  }

  const layout: SandboxLayout = {
    bubblewrap,
    hostname: lambdaHostname(),
    hostsFile: options.network === undefined ? files.hosts : files.namespaceHosts,
    ...(options.network === undefined ? {} : { resolvFile: files.namespaceResolv, enter: options.network.enter }),
    nsswitchFile: files.nsswitch,
    // Parents before children: bubblewrap makes each mount point inside the ones before.
    mounts: [...translated, ...extra].sort((a, b) => a.target.split('/').length - b.target.split('/').length),
    emptyDirectories,
    tmp: sharedTmp === undefined ? { kind: 'tmpfs', sizeBytes: tmpMb * MB } : { kind: 'directory', source: sharedTmp },
  };

  const processes = new ProcessSet();
  const inSandbox = (path: string): string => (isAbsolute(path) ? (toSandboxPath(path, translated) ?? path) : path);
  let disposed: Promise<void> | undefined;
  return {
    mode: 'sandbox',
    ownNetwork: options.network !== undefined,
    paths: {
      taskRoot: SANDBOX_PATHS.taskRoot,
      runtimeDir: SANDBOX_PATHS.runtimeDir,
      optDir: SANDBOX_PATHS.optDir,
      nodeExecutable: `${SANDBOX_PATHS.langDir}/bin/node`,
      runtimeModulesDir: `${SANDBOX_PATHS.runtimeDir}/node_modules`,
      ...(command.pythonPackages === undefined ? {} : { runtimeSitePackagesDir: SITE_PACKAGES }),
      langLibDir: `${SANDBOX_PATHS.langDir}/lib`,
    },
    ...(notices.length === 0 ? {} : { notice: `${spec.constructPath} runs in a sandbox, but ${notices.join('; ')}.` }),
    processes,
    launch: (launchCommand) => {
      const file = launchCommand.file === command.file && runtimeFile !== undefined ? runtimeFile : inSandbox(launchCommand.file);
      const cwd = (isAbsolute(launchCommand.cwd) ? toSandboxPath(launchCommand.cwd, translated) : undefined) ?? SANDBOX_PATHS.taskRoot;
      const sandboxed = buildBubblewrapArgs(layout, { file, args: launchCommand.args.map(inSandbox), cwd });
      return { file: sandboxed.file, args: sandboxed.args, cwd: launchCommand.cwd, signalsAsExitStatus: true, variables: processes.variables };
    },
    dispose: () => {
      disposed ??= sharedTmp === undefined ? Promise.resolve() : rm(sharedTmp, { recursive: true, force: true });
      return disposed;
    },
  };
}
