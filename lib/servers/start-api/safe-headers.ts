import { validateHeaderName, validateHeaderValue } from 'node:http';

/** Headers HTTP itself owns: the front end sets them, not the function. */
const HOP_BY_HOP = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade']);

/** The function's headers that HTTP can carry; hop-by-hop ones are the front end's. */
export function safeHeaders(headers: readonly (readonly [string, string])[]): [string, string][] | undefined {
  const kept: [string, string][] = [];
  for (const [name, value] of headers) {
    if (HOP_BY_HOP.has(name.toLowerCase())) continue;
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch {
      return undefined;
    }
    kept.push([name, value]);
  }
  return kept;
}

