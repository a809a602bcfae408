import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { FunctionSpec } from '../assembly/index.js';
import type { RuntimeInfo } from '../runtimes/index.js';

/** The status Lambda reports for an init phase or an invocation. */
export type PlatformStatus = 'success' | 'error' | 'timeout' | 'failure';

/** The figures of one invocation's REPORT. */
export interface ReportMetrics {
  readonly durationMs: number;
  readonly billedDurationMs: number;
  readonly memorySizeMb: number;
  readonly maxMemoryUsedMb: number;
  readonly initDurationMs?: number;
}

/** A platform line in both of Lambda's log formats. */
export interface PlatformLine {
  /** `platform.start`, `platform.report`, … */
  readonly type: string;
  readonly record: Readonly<Record<string, unknown>>;
  /** The text-format line, or undefined when the text format has no such line. */
  readonly text?: string;
}

const ms = (value: number): string => value.toFixed(2);

const TELEMETRY_ERROR_TYPE = /^(Runtime|Function|Sandbox|Extension)\.[A-Z][a-zA-Z]+$/;

/**
 * The error type a telemetry record may carry: the service only passes on types shaped
 * like `Function.Name` or `Runtime.Name` and reports the rest as `Function.Unknown`.
 */
function telemetryErrorType(errorType: string | undefined): string | undefined {
  if (errorType === undefined) return undefined;
  return TELEMETRY_ERROR_TYPE.test(errorType) ? errorType : 'Function.Unknown';
}

function errorTypeField(errorType: string | undefined): { errorType?: string } {
  const type = telemetryErrorType(errorType);
  return type === undefined ? {} : { errorType: type };
}

function statusSuffix(status: PlatformStatus, errorType: string | undefined): string {
  if (status === 'success') return '';
  return errorType === undefined ? `\tStatus: ${status}` : `\tStatus: ${status}\tError Type: ${errorType}`;
}

/** A stable, realistic runtime version ARN for a runtime. */
function runtimeVersionArn(spec: FunctionSpec, runtime: RuntimeInfo): string {
  const digest = createHash('sha256').update(runtime.runtimeVersion).digest('hex');
  return `arn:aws:lambda:${spec.region}::runtime:${digest}`;
}

/** `INIT_START Runtime Version: …` */
export function initStartLine(spec: FunctionSpec, runtime: RuntimeInfo, phase: 'init' | 'invoke'): PlatformLine {
  const arn = runtimeVersionArn(spec, runtime);
  return {
    type: 'platform.initStart',
    record: {
      initializationType: spec.managedInstances === undefined ? 'on-demand' : 'lambda-managed-instances',
      phase,
      runtimeVersion: runtime.runtimeVersion,
      runtimeVersionArn: arn,
      functionName: spec.functionName,
      functionVersion: spec.version,
      instanceMaxMemory: spec.memorySizeMb * 1024 * 1024,
    },
    text: `INIT_START Runtime Version: ${runtime.runtimeVersion}\tRuntime Version ARN: ${arn}`,
  };
}

/** `INIT_REPORT …`: Lambda prints it in text only when init did not succeed. */
export function initReportLine(
  phase: 'init' | 'invoke',
  durationMs: number,
  status: PlatformStatus,
  errorType?: string,
): PlatformLine {
  return {
    type: 'platform.initReport',
    record: { initializationType: 'on-demand', phase, status, ...errorTypeField(errorType), metrics: { durationMs: Math.round(durationMs * 1000) / 1000 } },
    text:
      status === 'success'
        ? undefined
        : `INIT_REPORT Init Duration: ${ms(durationMs)} ms\tPhase: ${phase}${statusSuffix(status, errorType)}`,
  };
}

/** `START RequestId: … Version: $LATEST` */
export function startLine(requestId: string, version: string, tenantId?: string): PlatformLine {
  // A tenant-isolated function's platform.start names the tenant.
  return { type: 'platform.start', record: { requestId, version, ...(tenantId === undefined ? {} : { tenantId }) }, text: `START RequestId: ${requestId} Version: ${version}` };
}

/** `<time> <requestId> Task timed out after 3.00 seconds` */
export function timeoutLine(time: Date, requestId: string, timeoutSeconds: number): string {
  return `${time.toISOString()} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
}

/** `platform.initRuntimeDone`: the runtime finished (or failed) its init. No text line. */
export function initRuntimeDoneRecord(phase: 'init' | 'invoke', status: PlatformStatus, errorType?: string): PlatformLine {
  return {
    type: 'platform.initRuntimeDone',
    record: { initializationType: 'on-demand', phase, status, ...errorTypeField(errorType) },
  };
}

/** Timings of one invocation, in `performance.now()` milliseconds. */
export interface RuntimeDoneTimings {
  readonly durationMs: number;
  readonly producedBytes: number;
  readonly startedAt: number;
  readonly respondedAt: number;
  readonly doneAt: number;
}

function span(name: string, startMs: number, durationMs: number): Record<string, unknown> {
  return { name, start: new Date(performance.timeOrigin + startMs).toISOString(), durationMs: Math.round(durationMs * 1000) / 1000 };
}

/** `platform.runtimeDone`: the runtime called /next after answering. No text line. */
export function runtimeDoneLine(requestId: string, status: PlatformStatus, errorType: string | undefined, timings: RuntimeDoneTimings): PlatformLine {
  return {
    type: 'platform.runtimeDone',
    record: {
      requestId,
      status,
      ...errorTypeField(errorType),
      metrics: { durationMs: Math.round(timings.durationMs * 1000) / 1000, producedBytes: timings.producedBytes },
      spans: [
        span('responseLatency', timings.startedAt, timings.respondedAt - timings.startedAt),
        span('responseDuration', timings.respondedAt, 0),
        span('runtimeOverhead', timings.respondedAt, timings.doneAt - timings.respondedAt),
      ],
    },
  };
}

/** `REPORT RequestId: …` with Lambda's field order and trailing tabs. */
export function reportLine(requestId: string, metrics: ReportMetrics, status: PlatformStatus, errorType?: string): PlatformLine {
  const fields = [
    `REPORT RequestId: ${requestId}`,
    `Duration: ${ms(metrics.durationMs)} ms`,
    `Billed Duration: ${metrics.billedDurationMs} ms`,
    `Memory Size: ${metrics.memorySizeMb} MB`,
    `Max Memory Used: ${metrics.maxMemoryUsedMb} MB`,
  ];
  if (metrics.initDurationMs !== undefined) fields.push(`Init Duration: ${ms(metrics.initDurationMs)} ms`);
  let text = `${fields.join('\t')}\t`;
  // An error the handler raised is the function's business: Lambda's text REPORT shows a
  // status only for what the platform saw (timeouts, crashes, failed inits).
  const platformError = status === 'timeout' || status === 'failure' || /^(Runtime|Sandbox|Extension)\./.test(errorType ?? '');
  if (status !== 'success' && platformError) text += statusSuffix(status, errorType).slice(1);
  return {
    type: 'platform.report',
    record: {
      requestId,
      status,
      ...errorTypeField(errorType),
      metrics: {
        durationMs: metrics.durationMs,
        billedDurationMs: metrics.billedDurationMs,
        memorySizeMB: metrics.memorySizeMb,
        maxMemoryUsedMB: metrics.maxMemoryUsedMb,
        ...(metrics.initDurationMs === undefined ? {} : { initDurationMs: metrics.initDurationMs }),
      },
    },
    text,
  };
}
