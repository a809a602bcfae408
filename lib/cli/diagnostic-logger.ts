import type { Logger } from 'pino';
import type { DiagnosticLogger } from '../environment/index.js';
import type { CliStreams } from './output.js';

/** Options of {@link createDiagnosticLogger}. */
export interface DiagnosticLoggerOptions {
  readonly debug: boolean;
  /** `text`: one readable line each; `json`: pino's JSON lines. */
  readonly format: 'text' | 'json';
  readonly streams: CliStreams;
}

function formatFields(fields: Record<string, unknown>): string {
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
}

// pino's loggers are thenable-looking objects to TypeScript; expose only the two methods.
function adapt(logger: Logger): DiagnosticLogger {
  return { debug: (fields, message) => logger.debug(fields, message), child: (bindings) => adapt(logger.child(bindings)) };
}

/**
 * cdk-local's own diagnostics on stderr: nothing without `--debug`; with it, pino at level
 * debug, as readable lines or (with `--log-format json`) as JSON lines.
 */
export async function createDiagnosticLogger(options: DiagnosticLoggerOptions): Promise<DiagnosticLogger | undefined> {
  if (!options.debug) return undefined;
  const { pino } = await import('pino');
  const { stderr } = options.streams;
  const destination =
    options.format === 'json'
      ? { write: (line: string) => void stderr.write(line) }
      : {
          write: (line: string) => {
            const { msg, level: _level, time, ...fields } = JSON.parse(line) as Record<string, unknown>;
            const when = new Date(Number(time)).toISOString().slice(11, 23);
            const rest = formatFields(fields);
            stderr.write(`cdk-local ${when} ${String(msg)}${rest === '' ? '' : ` ${rest}`}\n`);
          },
        };
  return adapt(pino({ level: 'debug', base: undefined }, destination));
}
