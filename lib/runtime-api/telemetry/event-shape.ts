import type { SubscriptionApi } from './subscription-request.js';
import type { TelemetryEvent } from './telemetry-event.js';

/** Platform events only the Telemetry API knows; the Logs API has no such types. */
const TELEMETRY_ONLY_TYPES = new Set([
  'platform.initStart',
  'platform.initRuntimeDone',
  'platform.initReport',
  'platform.restoreStart',
  'platform.restoreRuntimeDone',
  'platform.restoreReport',
  'platform.telemetrySubscription',
]);

/** Platform events only the Logs API knows. `platform.end` is derived from `platform.report`. */
const LOGS_ONLY_TYPES = new Set(['platform.logsSubscription', 'platform.fault', 'platform.end']);

function asObject(record: unknown): Record<string, unknown> {
  return typeof record === 'object' && record !== null ? (record as Record<string, unknown>) : {};
}

/** Copies the named fields that are present. */
function pick(record: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const key of keys) if (record[key] !== undefined) picked[key] = record[key];
  return picked;
}

/**
 * The Logs API's form of an event (2020-08-15, 2021-03-18): function and extension records
 * are strings, `platform.start` and `platform.end` carry the request id, `platform.report`
 * its metrics, and `platform.runtimeDone` exists only from 2021-03-18 on.
 * https://docs.aws.amazon.com/lambda/latest/dg/runtimes-logs-api.html#runtimes-logs-api-msg
 */
function toLogsApi(event: TelemetryEvent, schemaVersion: string): TelemetryEvent[] {
  const { time, type, record } = event;
  if (type === 'function' || type === 'extension') {
    return [{ time, type, record: typeof record === 'string' ? record : JSON.stringify(record) }];
  }
  if (TELEMETRY_ONLY_TYPES.has(type)) return [];
  const fields = asObject(record);
  switch (type) {
    case 'platform.start':
      return [{ time, type, record: pick(fields, ['requestId', 'version']) }];
    case 'platform.runtimeDone':
      return schemaVersion === '2021-03-18' ? [{ time, type, record: pick(fields, ['requestId', 'status']) }] : [];
    case 'platform.report': {
      const metrics = pick(asObject(fields.metrics), ['durationMs', 'billedDurationMs', 'memorySizeMB', 'maxMemoryUsedMB', 'initDurationMs']);
      return [
        { time, type: 'platform.end', record: pick(fields, ['requestId']) },
        { time, type, record: { ...pick(fields, ['requestId']), metrics, ...pick(fields, ['tracing']) } },
      ];
    }
    default:
      return [event];
  }
}

/**
 * What a subscriber of `api` receives for one published event: nothing, the event as it is,
 * or (Logs API) its older form. Type filtering is the subscriber's; this only translates.
 */
export function shapeEvent(api: SubscriptionApi, schemaVersion: string, event: TelemetryEvent): TelemetryEvent[] {
  if (api === 'logs') return toLogsApi(event, schemaVersion);
  return LOGS_ONLY_TYPES.has(event.type) ? [] : [event];
}
