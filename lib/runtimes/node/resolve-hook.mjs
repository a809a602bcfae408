// A module resolution hook, registered by bootstrap.mjs with module.register(), that gives ES
// modules what NODE_PATH gives CommonJS in Lambda's Node.js runtimes (18 and later): a bare
// specifier the function's own node_modules do not have is looked up in the layers'
// (/opt/nodejs/node_modules) and the runtime's (/var/runtime/node_modules, the AWS SDK).
// https://nodejs.org/api/module.html#customization-hooks
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** @type {string[]} A module URL inside each fallback directory's parent, in NODE_PATH's order. */
let fallbackParents = [];

/** @param {{ directories: string[] }} data The NODE_PATH entries that are node_modules directories. */
export function initialize(data) {
  fallbackParents = data.directories.map((directory) => pathToFileURL(join(dirname(directory), '__cdk_local_resolve__.mjs')).href);
}

/** @param {string} specifier */
function isBare(specifier) {
  return !/^(?:[./]|[a-z][a-z0-9+.-]*:)/i.test(specifier);
}

/**
 * @param {string} specifier
 * @param {{ parentURL?: string, conditions: string[], importAttributes: object }} context
 * @param {(specifier: string, context?: object) => Promise<{ url: string }>} nextResolve
 */
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (!isBare(specifier) || /** @type {{ code?: string }} */ (error).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    for (const parentURL of fallbackParents) {
      try {
        return await nextResolve(specifier, { ...context, parentURL });
      } catch {
        // Not there either: try the next directory.
      }
    }
    throw error;
  }
}
