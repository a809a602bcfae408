// Resident memory of cdk-local itself with warm, idle environments. Runs in a process of its
// own (the benchmark's process carries aws-cdk-lib and the SDK) on the built dist/.
// Usage: node --expose-gc idle-memory.mjs <dist/lib/index.js URL> <assembly dir> <environments> <cache dir>
// Prints one JSON line: { bareRssMb, loadedRssMb, warmRssMb, runtimesRssMb, environments }.
import { readFile } from 'node:fs/promises';

const MB = 1024 * 1024;
const [indexUrl, assembly, countText, cacheDirectory] = process.argv.slice(2);
const count = Number(countText);

function rssMb() {
  globalThis.gc?.();
  return process.memoryUsage().rss / MB;
}

async function childrenOf(pid) {
  const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return children.split(' ').filter((part) => /^\d+$/.test(part)).map(Number);
}

/** Every process below this one: runtimes, and what runs them (a sandbox's own processes). */
async function descendants() {
  const found = [];
  const queue = await childrenOf(process.pid);
  while (queue.length > 0) {
    const pid = queue.shift();
    found.push(pid);
    queue.push(...(await childrenOf(pid)));
  }
  return found;
}

async function treeRssMb(pids) {
  let bytes = 0;
  for (const pid of pids) {
    // VmRSS is in kB whatever the kernel's page size.
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
    const resident = status?.match(/^VmRSS:\s+(\d+) kB/m)?.[1];
    if (resident !== undefined) bytes += Number(resident) * 1024;
  }
  return bytes / MB;
}

const bareRssMb = rssMb();
const { LocalLambda } = await import(indexUrl);
const local = await LocalLambda.fromAssembly(assembly, { credentials: 'none', cacheDirectory });
const specs = local.functions.slice(0, count);
if (specs.length < count) throw new Error(`The app has ${local.functions.length} functions, fewer than ${count}`);
const loadedRssMb = rssMb();
// A few at a time: starting 50 runtimes at once on 2 cores would only measure contention.
for (let i = 0; i < specs.length; i += 5) {
  const results = await Promise.all(specs.slice(i, i + 5).map((spec) => local.invoke(spec, { event: { n: 1 } })));
  const failed = results.find((result) => result.error !== undefined);
  if (failed !== undefined) throw new Error(`${failed.error.errorType}: ${failed.error.errorMessage}`);
}
const environments = specs.reduce((sum, spec) => sum + local.environmentCount(spec).current, 0);
const warmRssMb = rssMb();
const runtimesRssMb = await treeRssMb(await descendants());
await local.close();
process.stdout.write(`${JSON.stringify({ bareRssMb, loadedRssMb, warmRssMb, runtimesRssMb, environments })}\n`);
