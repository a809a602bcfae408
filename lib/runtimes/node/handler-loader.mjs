// Finds the user's handler from `_HANDLER` (`dir/module.export.nested`) the way
// Lambda's Node.js runtime does: the file is looked up relative to the task root as
// extensionless, .js (CommonJS unless the nearest package.json says "type": "module"),
// .mjs, .cjs, then through Node's own resolution (node_modules and NODE_PATH).
// https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { HANDLER_HIGH_WATER_MARK, HANDLER_STREAMING, STREAM_RESPONSE } from './awslambda-global.mjs';
import { HandlerNotFound, ImportModuleError, MalformedHandlerName, MalformedStreamingHandler, UserCodeSyntaxError } from './errors.mjs';

// User code is required from the runtime's entry file, so a missing module reads
// "Require stack:\n- .../bootstrap.mjs", as it reads "- /var/runtime/index.mjs" in Lambda.
const require = createRequire(new URL('./bootstrap.mjs', import.meta.url));

/**
 * @typedef {object} HandlerMetadata
 * @property {boolean} streaming Marked by `awslambda.streamifyResponse`.
 * @property {number | undefined} highWaterMark
 * @property {boolean} isAsync Declared `async` (its constructor is AsyncFunction).
 * @property {number} argsNum The declared parameter count (`handler.length`).
 */

/**
 * @typedef {object} LoadedHandler
 * @property {Function} handler
 * @property {HandlerMetadata} metadata
 */

/**
 * Splits `dir/sub/module.a.b` into `dir/sub/`, `module` and `a.b`.
 * @param {string} handlerString
 */
function splitHandlerString(handlerString) {
  if (handlerString.includes('..')) {
    throw new MalformedHandlerName(
      `'${handlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const moduleAndExport = path.basename(handlerString);
  const moduleRoot = handlerString.slice(0, handlerString.length - moduleAndExport.length);
  const match = /^([^.]*)\.(.*)$/.exec(moduleAndExport);
  if (match === null) throw new MalformedHandlerName('Bad handler');
  return { moduleRoot, moduleName: /** @type {string} */ (match[1]), exportPath: /** @type {string} */ (match[2]) };
}

/**
 * Whether the package that owns `folder` declares `"type": "module"`: the nearest
 * package.json decides; a node_modules folder or the root ends the search.
 * @param {string} folder
 * @returns {boolean}
 */
function isModuleTypePackage(folder) {
  for (let dir = folder; ; dir = path.dirname(dir)) {
    if (dir.endsWith(`${path.sep}node_modules`)) return false;
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        return JSON.parse(readFileSync(manifest, 'utf8'))?.type === 'module';
      } catch (error) {
        console.warn(`${manifest} cannot be read, it will be ignored for ES module detection purposes.`, error);
        return false;
      }
    }
    if (dir === path.dirname(dir)) return false;
  }
}

/**
 * @param {string} file
 * @returns {unknown}
 */
function requireIfExists(file) {
  return existsSync(file) ? require(file) : undefined;
}

/**
 * @param {string} file
 * @returns {Promise<unknown>}
 */
async function importIfExists(file) {
  return existsSync(file) ? import(pathToFileURL(file).href) : undefined;
}

/**
 * Loads the module, trying the candidates in Lambda's order.
 * @param {string} taskRoot
 * @param {string} moduleRoot
 * @param {string} moduleName
 * @returns {Promise<unknown>}
 */
async function loadModule(taskRoot, moduleRoot, moduleName) {
  const base = path.resolve(taskRoot, moduleRoot, moduleName);
  const extensionless = requireIfExists(base);
  if (extensionless) return extensionless;

  const jsIsModule = existsSync(`${base}.js`) && isModuleTypePackage(path.dirname(`${base}.js`));
  if (!jsIsModule) {
    const commonJs = requireIfExists(`${base}.js`);
    if (commonJs) return commonJs;
  }
  const found =
    (jsIsModule && (await importIfExists(`${base}.js`))) || (await importIfExists(`${base}.mjs`)) || requireIfExists(`${base}.cjs`);
  if (found) return found;

  // Node's resolution from the task root: node_modules, NODE_PATH, .json, .node.
  return require(require.resolve(moduleName, { paths: [taskRoot, moduleRoot] }));
}

/**
 * Loads the module, turning "cannot find" and "cannot parse" into Lambda's errors.
 * Anything else the module throws while it initialises passes through as it is.
 * @param {string} taskRoot
 * @param {string} moduleRoot
 * @param {string} moduleName
 */
async function loadUserModule(taskRoot, moduleRoot, moduleName) {
  try {
    return await loadModule(taskRoot, moduleRoot, moduleName);
  } catch (error) {
    if (error instanceof SyntaxError) throw withSyntaxErrorLocation(new UserCodeSyntaxError(/** @type {any} */ (error)), error, path.resolve(taskRoot, moduleRoot, moduleName));
    // Only CommonJS's code: an ES module's ERR_MODULE_NOT_FOUND stays a plain Error, as in Lambda.
    if (/** @type {any} */ (error)?.code === 'MODULE_NOT_FOUND') throw new ImportModuleError(/** @type {any} */ (error));
    throw error;
  }
}

/** Node's header above a SyntaxError: `file:line`, the line, a caret under the fault. */
const SYNTAX_ERROR_HEADER = /^(.+:\d+)\n/;

/**
 * Names the file and line of a syntax error in the error's stack, as its first frame, as Node.js
 * prints them above an uncaught one. CommonJS's SyntaxError carries them in its stack; an ES
 * module's does not, so the candidate files are checked with `node --check` (only on this path).
 * @param {Error} wrapped the Runtime.UserCodeSyntaxError
 * @param {SyntaxError} error
 * @param {string} base the module's path without extension
 * @returns {Error}
 */
function withSyntaxErrorLocation(wrapped, error, base) {
  let location = SYNTAX_ERROR_HEADER.exec(String(error.stack))?.[1];
  for (const file of [`${base}.mjs`, `${base}.js`, `${base}.cjs`, base]) {
    if (location !== undefined) break;
    if (!existsSync(file)) continue;
    const check = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 10_000 });
    location = SYNTAX_ERROR_HEADER.exec(check.stderr ?? '')?.[1];
  }
  if (location !== undefined && typeof wrapped.stack === 'string') {
    const [first, ...frames] = wrapped.stack.split('\n');
    wrapped.stack = [first, `    at ${location}`, ...frames].join('\n');
  }
  return wrapped;
}

/**
 * @param {any} handler
 * @returns {HandlerMetadata}
 */
function describeHandler(handler) {
  const mode = handler[HANDLER_STREAMING];
  if (mode !== undefined && mode !== null && mode !== false && mode !== STREAM_RESPONSE) {
    throw new MalformedStreamingHandler('Only response streaming is supported.');
  }
  const highWaterMark = parseInt(handler[HANDLER_HIGH_WATER_MARK], 10);
  return {
    streaming: mode === STREAM_RESPONSE,
    highWaterMark: Number.isNaN(highWaterMark) ? undefined : highWaterMark,
    isAsync: handler.constructor?.name === 'AsyncFunction',
    argsNum: handler.length,
  };
}

/**
 * Loads the handler named by `handlerString` (the `_HANDLER` variable) from `taskRoot`.
 * @param {string} taskRoot
 * @param {string} handlerString
 * @returns {Promise<LoadedHandler>}
 * @throws {Error} Runtime.MalformedHandlerName, Runtime.ImportModuleError,
 *   Runtime.UserCodeSyntaxError, Runtime.HandlerNotFound, or what the module threw.
 */
export async function loadHandler(taskRoot, handlerString) {
  const { moduleRoot, moduleName, exportPath } = splitHandlerString(handlerString);
  const userModule = await loadUserModule(taskRoot, moduleRoot, moduleName);
  /** @type {any} */
  const handler = exportPath.split('.').reduce((/** @type {any} */ value, key) => value && value[key], userModule);
  if (!handler) throw new HandlerNotFound(`${handlerString} is undefined or not exported`);
  if (typeof handler !== 'function') throw new HandlerNotFound(`${handlerString} is not a function`);
  return { handler, metadata: describeHandler(handler) };
}
