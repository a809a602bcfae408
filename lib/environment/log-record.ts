/** One line of an execution environment's log, as CloudWatch Logs would hold it. */
export interface LogRecord {
  readonly time: Date;
  /** `platform`: START, END, REPORT, INIT_*; `function`: the runtime's output; `extension`: an extension's output. */
  readonly type: 'platform' | 'function' | 'extension';
  /** The line as Lambda would print it (text format), or its JSON text (JSON format). */
  readonly text: string;
  /** The invocation it belongs to, when there is one. */
  readonly requestId?: string;
  /** For `extension` records: the extension's name. */
  readonly source?: string;
}

/** Receives every log record of an environment, in order, as it happens. */
export type LogSink = (record: LogRecord) => void;
