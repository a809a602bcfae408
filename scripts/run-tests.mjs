// Runs every test file under test/ and examples/ with Node's test runner, TypeScript through tsx.
// Node 20's runner does not look for .ts files itself, so the list is made here.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filter = process.argv.slice(2);

function findTests(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'cdk.out' || entry.name === 'fixtures') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTests(path));
    else if (entry.name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const files = [...findTests(join(root, 'test')), ...findTests(join(root, 'examples'))]
  .filter((file) => filter.length === 0 || filter.some((f) => file.includes(f)))
  .sort();
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', ...files],
  // What runtimes provide (the AWS SDK, Node.js builds) is fetched once into a cache the
  // test runs share, not into the user's own.
  { stdio: 'inherit', cwd: root, env: { CDK_LOCAL_CACHE_DIR: join(tmpdir(), 'cdk-local-test-cache'), ...process.env } },
);
process.exitCode = result.status ?? 1;
