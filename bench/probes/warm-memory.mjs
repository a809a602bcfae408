// cdk-local's own memory across warm invocations of a function that answers about 1 MB. Runs
// in a process of its own (the benchmark's process carries aws-cdk-lib and the SDK) on the
// built dist/, with --expose-gc so that each measurement follows a full collection.
// Usage: node --expose-gc warm-memory.mjs <dist/lib/index.js URL> <assembly dir> <function> <invocations> <cache dir>
// Prints one JSON line: { beforeMb, afterMb, beforeRssMb, afterRssMb, answerBytes, invocations }.
const MB = 1024 * 1024;
const WARM_UP_INVOCATIONS = 10;
const [indexUrl, assembly, functionName, countText, cacheDirectory] = process.argv.slice(2);
const invocations = Number(countText);

/** V8's heap plus the memory outside it (Buffers), after full collections: where kept answers would be. */
async function measure() {
  // A second collection after a turn of the event loop frees what the first one left to finalize.
  globalThis.gc();
  await new Promise((resolve) => setImmediate(resolve));
  globalThis.gc();
  const usage = process.memoryUsage();
  return { usedMb: (usage.heapUsed + usage.external) / MB, rssMb: usage.rss / MB };
}

const { LocalLambda } = await import(indexUrl);
const local = await LocalLambda.fromAssembly(assembly, { credentials: 'none', cacheDirectory });
let answerBytes = 0;
async function invokeOnce(n) {
  const result = await local.invoke(functionName, { event: { n } });
  if (result.error !== undefined) throw new Error(`${result.error.errorType}: ${result.error.errorMessage}`);
  answerBytes = result.rawPayload.length;
}
try {
  for (let n = 0; n < WARM_UP_INVOCATIONS; n++) await invokeOnce(n);
  const before = await measure();
  for (let n = 0; n < invocations; n++) await invokeOnce(n);
  const after = await measure();
  process.stdout.write(
    `${JSON.stringify({ beforeMb: before.usedMb, afterMb: after.usedMb, beforeRssMb: before.rssMb, afterRssMb: after.rssMb, answerBytes, invocations })}\n`,
  );
} finally {
  await local.close();
}
