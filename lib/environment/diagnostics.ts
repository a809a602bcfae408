/**
 * Where cdk-local's own diagnostics go: a pino logger fits (its child loggers carry the
 * function and environment), and so does anything with the same two methods.
 */
export interface DiagnosticLogger {
  debug(fields: Readonly<Record<string, unknown>>, message: string): void;
  child(bindings: Readonly<Record<string, unknown>>): DiagnosticLogger;
}

/** A logger that drops everything: the default. */
export const SILENT_LOGGER: DiagnosticLogger = {
  debug: () => undefined,
  child: () => SILENT_LOGGER,
};
