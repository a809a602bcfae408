import type { FunctionSpec } from '../../assembly/index.js';
import type { DurableService } from '../../durable/index.js';
import type { LocalLambda } from '../../host/index.js';
import type { AsyncInvoker } from './async-invoker.js';
import type { ArnDefaults } from './find-served-function.js';
import type { InvocationListener } from './invocation-summary.js';

/** An accepted `Event` invocation, waiting for its (next) attempt. */
export interface AsyncJob {
  readonly spec: FunctionSpec;
  readonly requestId: string;
  readonly payload: Buffer;
  readonly clientContext?: string;
  readonly invokedFunctionArn: string;
  /** The version or alias the caller named. */
  readonly qualifier?: string;
  readonly tenantId?: string;
}

/** What the routes of the Invoke API share. */
export interface LambdaApiContext {
  readonly local: LocalLambda;
  /** The functions served. */
  readonly functions: readonly FunctionSpec[];
  readonly arnDefaults: ArnDefaults;
  /** `LastModified` of every function: when the app was read. */
  readonly lastModified: Date;
  readonly maxAsyncPayloadBytes: number;
  /** How long a request body may take to arrive. */
  readonly requestBodyTimeoutMs: number;
  readonly asyncInvoker: AsyncInvoker<AsyncJob>;
  readonly onInvocation: InvocationListener;
  /** The durable execution service of the app's durable functions. */
  readonly durable: DurableService;
}
