import type { FunctionSpec } from '../assembly/index.js';
import type { TelemetryEvent, TelemetryHub } from '../runtime-api/index.js';
import type { LogRecord, LogSink } from './log-record.js';
import type { PlatformLine } from './platform-lines.js';

/** What an invocation collects for its report. */
export interface Collected {
  readonly logs: LogRecord[];
  readonly telemetry: TelemetryEvent[];
}

/** Options of {@link EnvironmentOutput}. */
export interface EnvironmentOutputOptions {
  readonly spec: FunctionSpec;
  /** Where telemetry events go to the subscribed extensions. */
  readonly telemetry: TelemetryHub;
  readonly onLog?: LogSink;
  readonly onTelemetry?: (event: TelemetryEvent) => void;
}

/**
 * Everything an environment writes: the function's and extensions' lines, the platform's
 * lines (START, END, REPORT, ...) in the function's log format, and telemetry events. Each
 * goes to the caller's sinks, to the telemetry subscribers, and to the current invocation's
 * report.
 */
export class EnvironmentOutput {
  readonly #options: EnvironmentOutputOptions;
  #collector: Collected | undefined;
  #requestId: string | undefined;
  /** Lambda Managed Instances: a collection per invocation under way, by request id. */
  readonly #byRequestId = new Map<string, Collected>();

  constructor(options: EnvironmentOutputOptions) {
    this.#options = options;
  }

  /** Starts collecting for a report; what is collected goes to the returned lists until {@link stopCollecting}. */
  collect(): Collected {
    const collected: Collected = { logs: [], telemetry: [] };
    this.#collector = collected;
    return collected;
  }

  /** Ends the current invocation's collection and its request id. */
  stopCollecting(): void {
    this.#requestId = undefined;
    this.#collector = undefined;
  }

  /**
   * Starts collecting for one of several invocations under way at once (Lambda Managed
   * Instances): what names its request id goes to the returned lists, until
   * {@link stopCollectingFor}. A function line is theirs when its text holds the request id,
   * as the runtimes' log formats write it.
   */
  collectFor(requestId: string): Collected {
    const collected: Collected = { logs: [], telemetry: [] };
    this.#byRequestId.set(requestId, collected);
    return collected;
  }

  /** Ends the collection of {@link collectFor}. */
  stopCollectingFor(requestId: string): void {
    this.#byRequestId.delete(requestId);
  }

  /** The request id that log lines are tagged with from now on. */
  set requestId(requestId: string | undefined) {
    this.#requestId = requestId;
  }

  /** A line of the runtime's output. */
  functionLine(line: string): void {
    const time = new Date();
    this.emit({ time, type: 'function', text: line, ...this.#requestIdField(this.#requestIdIn(line)) });
    this.publish({ time: time.toISOString(), type: 'function', record: this.#functionRecord(line) });
  }

  /** A line of an extension's output. */
  extensionLine(name: string, line: string): void {
    const time = new Date();
    this.emit({ time, type: 'extension', text: line, source: name, ...this.#requestIdField() });
    this.publish({ time: time.toISOString(), type: 'extension', record: line });
  }

  /** A platform event: its log line in the function's log format, and its telemetry event. */
  platform(line: PlatformLine, options: { telemetry?: boolean; requestId?: string } = {}): void {
    const time = new Date();
    const { logging } = this.#options.spec;
    if (logging.logFormat === 'JSON') {
      // CloudWatch gets the events that have a text line; the rest only at system log level DEBUG.
      const logged = line.type !== 'platform.end' && (line.text !== undefined || logging.systemLogLevel === 'DEBUG');
      if (logged) {
        this.emit({ time, type: 'platform', text: JSON.stringify({ time: time.toISOString(), type: line.type, record: line.record }), ...this.#requestIdField(options.requestId) });
      }
    } else if (line.text !== undefined) {
      this.emit({ time, type: 'platform', text: line.text, ...this.#requestIdField(options.requestId) });
    }
    if (options.telemetry !== false) this.publish({ time: time.toISOString(), type: line.type, record: line.record }, options.requestId);
  }

  publish(event: TelemetryEvent, requestId?: string): void {
    this.#collector?.telemetry.push(event);
    if (requestId !== undefined) this.#byRequestId.get(requestId)?.telemetry.push(event);
    this.#options.telemetry.publish(event);
    this.#options.onTelemetry?.(event);
  }

  emit(record: LogRecord): void {
    this.#collector?.logs.push(record);
    if (record.requestId !== undefined) this.#byRequestId.get(record.requestId)?.logs.push(record);
    this.#options.onLog?.(record);
  }

  #requestIdField(requestId = this.#requestId): { requestId?: string } {
    return requestId === undefined ? {} : { requestId };
  }

  /** The invocation under way whose request id a function line names, when several run at once. */
  #requestIdIn(line: string): string | undefined {
    if (this.#requestId !== undefined || this.#byRequestId.size === 0) return this.#requestId;
    for (const requestId of this.#byRequestId.keys()) if (line.includes(requestId)) return requestId;
    return undefined;
  }

  /** A function log line as a telemetry record: the text, or the object of a JSON-format line. */
  #functionRecord(line: string): unknown {
    if (this.#options.spec.logging.logFormat !== 'JSON' || !line.startsWith('{')) return line;
    try {
      return JSON.parse(line);
    } catch {
      return line;
    }
  }
}
