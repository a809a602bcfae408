// cdk-local's Node.js runtime interface client: what the emulator starts, as
// `node bootstrap.mjs` in the function's code directory, for every nodejsNN.x function.
// It behaves like AWS's client (aws/aws-lambda-nodejs-runtime-interface-client): it
// patches console, loads the handler named by _HANDLER, reports an init failure, then
// serves invocations from the Runtime API at AWS_LAMBDA_RUNTIME_API until killed.
//
// Exit codes: 129 after an uncaught exception (at init too, so after any init error),
// 128 after an unhandled rejection, 1 without AWS_LAMBDA_RUNTIME_API or when the emulator
// is gone (its Runtime API refuses or cuts the connection, stdout or stderr is a broken
// pipe), so that a runtime never outlives a killed cdk-local for long. The process also
// ends (code 0) when a Node.js 24+ handler leaves nothing running and never answers.
import { existsSync } from 'node:fs';
import * as nodeModule from 'node:module';
import inspector from 'node:inspector';
import { installAwsLambdaGlobal } from './awslambda-global.mjs';
import { installBeforeExit } from './before-exit.mjs';
import { logError, patchConsole, writeOutputSynchronously } from './console-patch.mjs';
import { CallbackHandlerDeprecated, UnhandledPromiseRejection, toRapidResponse } from './errors.mjs';
import { loadHandler } from './handler-loader.mjs';
import { RuntimeClient } from './runtime-client.mjs';
import { EXIT_UNCAUGHT_EXCEPTION, EXIT_UNHANDLED_REJECTION, Runtime, exitAfter, exitEmulatorGone } from './runtime.mjs';

const env = process.env;

const CALLBACK_WARNING =
  'AWS Lambda plans to remove support for callback-based function handlers starting with Node.js 24. You will need to update this function to use an async handler to use Node.js 24 or later. For more information and to provide feedback on this change, see https://github.com/aws/aws-lambda-nodejs-runtime-interface-client/issues/137. To disable this warning, set the AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING environment variable.';
const CALLBACK_REMOVED =
  'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.';

/**
 * `cdk-local --debug-port`: opens the inspector on `_CDK_LOCAL_INSPECT` (`host:port`) and
 * waits until a debugger says run (`Runtime.runIfWaitingForDebugger`), before the handler's
 * module loads, so breakpoints set on attach hold at module level too. The variable is
 * removed first: the function's code never sees it. Source maps then serve stack traces.
 */
function waitForDebugger() {
  const address = env._CDK_LOCAL_INSPECT;
  if (address === undefined) return;
  delete env._CDK_LOCAL_INSPECT;
  const separator = address.lastIndexOf(':');
  process.setSourceMapsEnabled(true);
  inspector.open(Number(address.slice(separator + 1)), address.slice(0, separator), true);
}

/**
 * The Node.js major version Lambda would run, from `AWS_EXECUTION_ENV`
 * (`AWS_Lambda_nodejs22.x` → 22); undefined when it is not a Node.js runtime.
 * @param {string | undefined} executionEnv
 */
function lambdaNodeMajor(executionEnv) {
  const match = /^AWS_Lambda_nodejs(\d+)/.exec(executionEnv ?? '');
  return match === null ? undefined : Number(match[1]);
}

/**
 * Lets ES modules find packages in NODE_PATH's node_modules directories (the layers', the
 * runtime's AWS SDK) as Lambda's runtimes do; CommonJS finds them through NODE_PATH itself.
 * Only where such a directory exists: the hook runs on a thread of its own.
 */
function registerResolveHook() {
  const directories = (env.NODE_PATH ?? '').split(':').filter((entry) => entry.endsWith('/node_modules') && existsSync(entry));
  if (directories.length === 0 || typeof nodeModule.register !== 'function') return;
  nodeModule.register('./resolve-hook.mjs', import.meta.url, { data: { directories } });
}

async function main() {
  const runtimeApi = env.AWS_LAMBDA_RUNTIME_API;
  if (runtimeApi === undefined || runtimeApi === '') {
    process.stderr.write('cdk-local Node.js runtime: AWS_LAMBDA_RUNTIME_API is not set\n');
    process.exit(1);
  }
  writeOutputSynchronously();
  // The emulator reads both pipes for as long as it runs: one that breaks (EPIPE) means it
  // is gone. Left unhandled, each failed write would raise another uncaught error to log.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error) => exitEmulatorGone(`cannot write its output (${/** @type {any} */ (error).code ?? error.message})`));
  }
  patchConsole(env);
  // Lambda Managed Instances: several invocations at once in this process.
  const concurrent = env.AWS_LAMBDA_MAX_CONCURRENCY !== undefined;
  const client = new RuntimeClient(runtimeApi, { concurrent });

  // Until the first invocation, a fatal error is an init error.
  /** @type {import('./runtime.mjs').ErrorCallbacks} */
  const errorCallbacks = {
    uncaughtException: (error) => exitAfter(client.postInitError(toRapidResponse(error), { ownConnection: true }), EXIT_UNCAUGHT_EXCEPTION),
    unhandledRejection: (error) => exitAfter(client.postInitError(toRapidResponse(error), { ownConnection: true }), EXIT_UNHANDLED_REJECTION),
  };
  process.on('uncaughtException', (error) => {
    logError('Uncaught Exception', error);
    errorCallbacks.uncaughtException(error);
  });
  process.on('unhandledRejection', (reason, promise) => {
    const error = new UnhandledPromiseRejection(reason, promise);
    logError('Unhandled Promise Rejection', error);
    errorCallbacks.unhandledRejection(error);
  });
  installBeforeExit();
  installAwsLambdaGlobal(env);
  registerResolveHook();

  const callbacksRemoved = (lambdaNodeMajor(env.AWS_EXECUTION_ENV) ?? 0) >= 24;
  /** @type {import('./handler-loader.mjs').LoadedHandler} */
  let loaded;
  waitForDebugger();
  try {
    loaded = await loadHandler(env.LAMBDA_TASK_ROOT || process.cwd(), env._HANDLER ?? '');
    if (callbacksRemoved && loaded.metadata.argsNum >= 3 && !loaded.metadata.streaming) {
      throw new CallbackHandlerDeprecated(CALLBACK_REMOVED);
    }
  } catch (error) {
    // Node.js 24's client logs any init failure as "Init Error"; the older one lets it
    // surface as an uncaught exception.
    logError(callbacksRemoved ? 'Init Error' : 'Uncaught Exception', error);
    errorCallbacks.uncaughtException(error);
    return;
  }

  const { handler, metadata } = loaded;
  if (!callbacksRemoved && metadata.argsNum === 3 && !metadata.isAsync && !metadata.streaming) {
    if (env.AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING === undefined) console.warn(CALLBACK_WARNING);
  }
  const streaming = metadata.streaming ? await import('./streaming.mjs') : undefined;
  if (concurrent) {
    const { ConcurrentRuntime } = await import('./concurrent-runtime.mjs');
    await new ConcurrentRuntime({ client, handler, metadata, errorCallbacks, streaming, env }).start();
    return;
  }
  new Runtime({ client, handler, metadata, errorCallbacks, callbacksRemoved, streaming, env }).scheduleIteration();
}

await main();
