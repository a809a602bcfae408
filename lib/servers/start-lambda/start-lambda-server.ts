import type { DurableService } from '../../durable/index.js';
import { CdkLocalError, ErrorCodes } from '../../errors.js';
import { buildLambdaApi, type LambdaApiOptions } from './build-lambda-api.js';

/** Options of {@link startLambdaServer}. */
export interface LambdaServerOptions extends LambdaApiOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
  /** Closes the server when aborted. */
  readonly signal?: AbortSignal;
}

/** A listening Lambda Invoke API. */
export interface LambdaServer extends AsyncDisposable {
  /** `http://host:port`: the `endpoint` of an SDK client, `--endpoint-url` of the AWS CLI. */
  readonly url: string;
  readonly port: number;
  /** The durable execution service of the app's durable functions. */
  readonly durable: DurableService;
  /**
   * Stops listening, cancels `Event` retries, and waits for the invocations under way
   * (closing the LocalLambda too ends them at once). Idempotent.
   */
  close(): Promise<void>;
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Serves the Lambda Invoke API for the functions of a {@link LambdaApiOptions.local}: what
 * `cdk-local start-lambda` runs. The caller owns the LocalLambda and closes it.
 */
export async function startLambdaServer(options: LambdaServerOptions): Promise<LambdaServer> {
  const { app, closeAsyncInvocations, markClosing, durable, closeDurable } = await buildLambdaApi(options);
  const host = options.host ?? '127.0.0.1';
  try {
    await app.listen({ host, port: options.port ?? 0 });
  } catch (cause) {
    await Promise.allSettled([closeAsyncInvocations(), closeDurable(), app.close()]);
    const code = (cause as { code?: string }).code;
    // These say all there is to say: one sentence, no cause underneath.
    if (code === 'EADDRINUSE') {
      throw new CdkLocalError(ErrorCodes.ENVIRONMENT_FAILED, `Port ${options.port ?? 0} on ${host} is in use; choose another with --port.`);
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      throw new CdkLocalError(ErrorCodes.ENVIRONMENT_FAILED, `Cannot listen on ${host}, which is not an address of this machine; choose another with --host.`);
    }
    if (code === 'EACCES') {
      throw new CdkLocalError(ErrorCodes.ENVIRONMENT_FAILED, `Not allowed to listen on port ${options.port ?? 0} of ${host}; choose a port above 1023 with --port.`);
    }
    throw new CdkLocalError(ErrorCodes.ENVIRONMENT_FAILED, `Could not start the Lambda Invoke API on ${host}:${options.port ?? 0}.`, { cause });
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 0);
  // Durable functions checkpoint here; a wildcard address is reached on loopback.
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  options.local.useLambdaEndpoint(`http://${hostForUrl(reachable)}:${port}`);

  let closing: Promise<void> | undefined;
  const onAbort = (): void => void close();
  const close = (): Promise<void> => {
    closing ??= (async () => {
      options.signal?.removeEventListener('abort', onAbort);
      markClosing();
      const results = await Promise.allSettled([closeDurable(), app.close(), closeAsyncInvocations()]);
      const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    })();
    return closing;
  };
  if (options.signal?.aborted === true) await close();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  return { url: `http://${hostForUrl(host)}:${port}`, port, durable, close, [Symbol.asyncDispose]: close };
}
