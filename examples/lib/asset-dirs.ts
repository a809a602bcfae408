import { fileURLToPath } from 'node:url';

/** The directory of one function's code, `examples/functions/<name>`. */
export function functionDir(name: string): string {
  return fileURLToPath(new URL(`../functions/${name}`, import.meta.url));
}

/** The directory of one layer's content, `examples/layers/<name>` (it holds `nodejs/node_modules/...`). */
export function layerDir(name: string): string {
  return fileURLToPath(new URL(`../layers/${name}`, import.meta.url));
}
