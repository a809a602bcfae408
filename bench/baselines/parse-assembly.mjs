// The baseline of reading an assembly: parsing its manifest and every stack template and
// picking out the functions, the least any reader must do. Run as a program (the baseline
// of `cdk-local list`) it prints their logical IDs.
// Usage: node parse-assembly.mjs <assembly dir>
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Logical IDs of every AWS::Lambda::Function in the assembly's stacks.
 * @param {string} directory
 * @returns {Promise<string[]>}
 */
export async function parseAssembly(directory) {
  const manifest = JSON.parse(await readFile(join(directory, 'manifest.json'), 'utf8'));
  /** @type {string[]} */
  const names = [];
  for (const artifact of Object.values(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const template = JSON.parse(await readFile(join(directory, artifact.properties.templateFile), 'utf8'));
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      if (resource.Type === 'AWS::Lambda::Function') names.push(logicalId);
    }
  }
  return names;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const names = await parseAssembly(process.argv[2] ?? '.');
  process.stdout.write(`${names.join('\n')}\n`);
}
