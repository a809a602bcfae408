/**
 * One telemetry event, in the envelope the Telemetry API delivers it in (docs/conformance.md J.59).
 * https://docs.aws.amazon.com/lambda/latest/dg/telemetry-api.html#telemetry-api-messages
 */
export interface TelemetryEvent {
  /** When the platform produced the event: ISO 8601, UTC, millisecond precision. */
  readonly time: string;
  /** `platform.initStart`, `platform.report`, …, `function` or `extension`. */
  readonly type: string;
  /**
   * The event's data: an object for platform events; for `function` and `extension` the log
   * line as a string (text log format) or the parsed object (JSON log format).
   */
  readonly record: unknown;
}

/** The streams an extension can subscribe to. */
export type TelemetryCategory = 'platform' | 'function' | 'extension';

/** Every category, in the order the documentation lists them. */
export const TELEMETRY_CATEGORIES: readonly TelemetryCategory[] = ['platform', 'function', 'extension'];

/** The stream an event belongs to: `function`, `extension`, or `platform` for every `platform.*` type. */
export function categoryOf(type: string): TelemetryCategory {
  if (type === 'function' || type === 'extension') return type;
  return 'platform';
}
