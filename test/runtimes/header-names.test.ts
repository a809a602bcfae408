// The Runtime API's header names live in lib/runtime-api/headers.ts. The runtime clients
// cannot import TypeScript, so they repeat them; this keeps every copy equal to the source.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { RuntimeHeaders } from '../../lib/runtime-api/headers.js';

const ROOT = new URL('../../', import.meta.url);

describe('Runtime API header names', () => {
  it('the Node.js client uses the names of lib/runtime-api/headers.ts', async () => {
    const { Headers } = (await import(new URL('lib/runtimes/node/runtime-client.mjs', ROOT).href)) as { Headers: Record<string, string> };
    assert.deepEqual({ ...Headers }, { ...RuntimeHeaders });
  });

  it('the Python client uses the names of lib/runtime-api/headers.ts', async () => {
    const source = await readFile(new URL('lib/runtimes/python/cdk_local_ric/runtime_api.py', ROOT), 'utf8');
    const names = [...source.matchAll(/^[A-Z_]+_HEADER = "([^"]+)"$/gm)].map((match) => match[1]);
    assert.ok(names.length > 0);
    const known = new Set<string>(Object.values(RuntimeHeaders));
    for (const name of names) assert.ok(known.has(name!), `${name} is not in RuntimeHeaders`);
  });
});
