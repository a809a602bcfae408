import type { FunctionSpec } from '../../assembly/index.js';
import type { InvocationReport, PlatformStatus } from '../../environment/index.js';
import type { InvocationType } from './lambda-headers.js';

/** One invocation the server ran (or refused), for a per-invocation log line. */
export interface InvocationSummary {
  readonly spec: FunctionSpec;
  readonly requestId: string;
  /** `Invoke` or `InvokeWithResponseStream`. */
  readonly operation: 'Invoke' | 'InvokeWithResponseStream';
  readonly invocationType: InvocationType;
  /** 1 for the first attempt; 2 and 3 for the retries of an `Event` invocation. */
  readonly attempt: number;
  /**
   * How it ended: the report's status (`success`, `error`, `failure`, `timeout`),
   * `throttled` when the function's concurrency was full, `rejected` when cdk-local could
   * not run it at all (unsupported runtime, say).
   */
  readonly status: PlatformStatus | 'throttled' | 'rejected';
  /** The function's error type, or the reason it was refused. */
  readonly errorType?: string;
  /** The invocation's report (durations, memory, logs); absent when it did not run. */
  readonly report?: InvocationReport;
  /** The version that ran, once it ran (`$LATEST`, or a version number an alias resolved to). */
  readonly executedVersion?: string;
  /** The tenant of a tenant-isolated function. */
  readonly tenantId?: string;
}

/** Receives an {@link InvocationSummary} when an invocation ends. */
export type InvocationListener = (summary: InvocationSummary) => void;
