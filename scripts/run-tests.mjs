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
// A hang must fail the run, not stall it. Node 20's runner applies --test-timeout to each test
// file as a whole (a test's own `timeout` bounds it alone): generous enough for the longest file
// on a loaded 2-core machine, plus the reliability suite's time per invocation when it is longer.
const stressInvocations = Number(process.env.STRESS_INVOCATIONS ?? 0) || 0;
const fileTimeoutMs = 600_000 + stressInvocations * 150;

// TAP when the output is not a terminal (CI), as Node picks by default: it ends with the
// `# pass N` and `# fail N` lines. A file that overruns its time counts as `# cancelled`; either
// way the run exits non-zero.
const reporter = process.stdout.isTTY ? [] : ['--test-reporter=tap'];
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', `--test-timeout=${fileTimeoutMs}`, ...reporter, ...files],
  // What runtimes provide (the AWS SDK, Node.js builds) is fetched once into a cache the
  // test runs share, not into the user's own.
  { stdio: 'inherit', cwd: root, env: { CDK_LOCAL_CACHE_DIR: join(tmpdir(), 'cdk-local-test-cache'), ...process.env } },
);
process.exitCode = result.status ?? 1;
