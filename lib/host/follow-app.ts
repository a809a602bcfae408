import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import picomatch from 'picomatch';
import { loadCloudAssembly, type FunctionSpec } from '../assembly/index.js';
import { LocalLambda, type FromAppOptions } from './local-lambda.js';

/** What one reload did, for its one line. */
export interface Reload {
  /** Project files that changed, relative to the project. */
  readonly files: readonly string[];
  /** Construct paths whose spec or code changed, that were added or removed. */
  readonly changed: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** False when the app was not synthesized: only the code of unstaged source directories changed. */
  readonly synthesized: boolean;
  readonly durationMs: number;
}

/** The quiet time before a reload that needs no synth. */
const SOURCE_DEBOUNCE_MS = 30;

/** CDK's context key that leaves asset directories where they are instead of copying them into the cloud assembly. */
const DISABLE_ASSET_STAGING = 'aws:cdk:disable-asset-staging';

/**
 * The options to read an app that is followed with: asset directories are not staged (as
 * `sam local` has CDK do), so each unbundled function's code is served from its source
 * directory and an edit of it needs no synth. A `-c` of the user's own wins.
 */
export function withUnstagedAssets<T extends { readonly context?: Readonly<Record<string, string>> }>(options: T): T {
  return { ...options, context: { [DISABLE_ASSET_STAGING]: 'true', ...options.context } };
}

/**
 * The functions whose code is all of `files` would change, when each file lies in the source
 * directory (outside the cloud assembly and not holding the project) that a function or one of its
 * layers runs from as it is; undefined when some file lies in none, so the app must be synthesized.
 */
export function functionsOfSourceFiles(functions: readonly FunctionSpec[], files: readonly string[], project: string, assemblyDirectory: string): string[] | undefined {
  const inside = (directory: string, path: string): boolean => {
    const rel = relative(directory, path);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  // A directory that holds the project or sits in the cloud assembly is not a source directory of its own.
  const sourceDirectory = (location: FunctionSpec['code'] | undefined): string | undefined =>
    location?.kind === 'directory' && !inside(location.path, project) && !inside(assemblyDirectory, location.path) ? location.path : undefined;
  const affected = new Set<string>();
  for (const file of files) {
    const path = resolve(project, file);
    let found = false;
    for (const spec of functions) {
      const directories = [spec.code, ...spec.layers.map((layer) => layer.code)].map(sourceDirectory);
      if (directories.some((directory) => directory !== undefined && inside(directory, path))) {
        affected.add(spec.constructPath);
        found = true;
      }
    }
    if (!found) return undefined;
  }
  return [...affected];
}

/** Options of {@link followApp}. */
export interface FollowAppOptions {
  /** The LocalLambda to keep up to date; it was made by {@link LocalLambda.fromApp} with `options`. */
  readonly local: LocalLambda;
  readonly options: FromAppOptions;
  /** After each reload. */
  readonly onReload: (reload: Reload) => void;
  /** When a new version of the app fails (its synth): the last good one keeps serving. */
  readonly onError: (error: unknown, files: readonly string[]) => void;
  /** Quiet time after the last change before the app is synthesized again (30 ms at most when no synth is needed). @default 300 */
  readonly debounceMs?: number;
}

/** A followed app: {@link close} stops watching. */
export interface FollowedApp {
  /** Settles when the reload under way (if any) is done. */
  readonly idle: () => Promise<void>;
  close(): Promise<void>;
}

/** `watch.include` / `watch.exclude` of cdk.json, as `cdk watch` reads them; include defaults to everything. */
async function readWatchSettings(cwd: string): Promise<{ include: string[]; exclude: string[]; output: string }> {
  let cdkJson: { watch?: { include?: unknown; exclude?: unknown }; output?: unknown } = {};
  try {
    cdkJson = JSON.parse(await readFile(resolve(cwd, 'cdk.json'), 'utf8')) as typeof cdkJson;
  } catch {
    // No cdk.json (an --app command): everything in the directory is watched.
  }
  const list = (value: unknown): string[] | undefined => (typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined);
  return {
    include: list(cdkJson.watch?.include) ?? ['**'],
    exclude: list(cdkJson.watch?.exclude) ?? [],
    output: typeof cdkJson.output === 'string' ? cdkJson.output : 'cdk.out',
  };
}

/**
 * Follows a CDK app as `cdk watch` does: on a change to the files cdk.json's `watch` names
 * (never the cloud assembly, node_modules or dot files), after a quiet moment, the app is synthesized
 * again and `local` takes its new functions function by function ({@link LocalLambda.adopt}).
 * Invocations that arrive meanwhile wait for it; a synth that fails leaves the last good app.
 */
export async function followApp(follow: FollowAppOptions): Promise<FollowedApp> {
  const { local, options } = follow;
  const cwd = resolve(options.cwd ?? process.cwd());
  const settings = await readWatchSettings(cwd);
  // As cdk watch: the cloud assembly, node_modules and dot files are never watched; nor is the
  // bytecode Python writes beside a handler it imports, which would reload it again.
  const output = relative(cwd, resolve(cwd, settings.output));
  const alwaysExcluded = (part: string): boolean => part === 'node_modules' || part === '__pycache__' || part.startsWith('.');
  const isIncluded = picomatch(settings.include, { dot: true });
  const isExcluded = picomatch(settings.exclude, { dot: true });
  const ignored = (path: string): boolean => {
    const rel = relative(cwd, path);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return false;
    const parts = rel.split(sep);
    if (rel === output || rel.startsWith(`${output}${sep}`) || parts.some(alwaysExcluded)) return true;
    return isExcluded(parts.join('/'));
  };
  const watcher: FSWatcher = watch(cwd, { ignored, ignoreInitial: true, persistent: true });
  await new Promise<void>((ready, failed) => {
    watcher.once('ready', ready);
    watcher.once('error', failed);
  });

  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let closed = false;

  const reload = async (files: string[]): Promise<void> => {
    if (closed) return;
    const startedAt = performance.now();
    const resume = local.pause();
    try {
      const renew = functionsOfSourceFiles(local.functions, files, cwd, local.assemblyDirectory);
      if (renew !== undefined) {
        // Only code that runs from where it is changed: its functions start again on it, no synth.
        const { changed, added, removed } = local.adopt(local.functions, undefined, { renew });
        follow.onReload({ files, changed, added, removed, synthesized: false, durationMs: performance.now() - startedAt });
        return;
      }
      const { directory } = await loadCloudAssembly({
        cwd,
        ...(options.app === undefined ? {} : { app: options.app }),
        ...(options.context === undefined ? {} : { context: options.context }),
        ...(options.region === undefined ? {} : { region: options.region }),
        ...(options.account === undefined ? {} : { account: options.account }),
        ...(options.onSynthesize === undefined ? {} : { onSynthesize: options.onSynthesize }),
      });
      const next = await LocalLambda.fromAssembly(directory, { ...options, credentials: 'none' });
      await next.close();
      if (closed) return;
      const { changed, added, removed } = local.adopt(next.functions, next.apis);
      follow.onReload({ files, changed, added, removed, synthesized: true, durationMs: performance.now() - startedAt });
    } catch (error) {
      follow.onError(error, files);
    } finally {
      resume();
    }
  };

  watcher.on('all', (event, path) => {
    // A directory made or removed changes nothing by itself: the files in it do.
    if (event === 'addDir' || event === 'unlinkDir') return;
    const rel = relative(cwd, path).split(sep).join('/');
    if (!isIncluded(rel)) return;
    pending.add(rel);
    clearTimeout(timer);
    // Code that needs no synth is reloaded after a short quiet time (an editor's save is one burst);
    // a change that needs a synth waits longer, as cdk watch does, for the rest of the edit.
    const debounceMs = follow.debounceMs ?? 300;
    const quietMs = functionsOfSourceFiles(local.functions, [...pending], cwd, local.assemblyDirectory) === undefined ? debounceMs : Math.min(SOURCE_DEBOUNCE_MS, debounceMs);
    timer = setTimeout(() => {
      const files = [...pending].sort();
      pending.clear();
      // One reload at a time: a change during one is picked up by the next.
      running = running.then(() => reload(files));
    }, quietMs);
  });

  return {
    idle: () => running,
    close: async () => {
      closed = true;
      clearTimeout(timer);
      await watcher.close();
      await running;
    },
  };
}
