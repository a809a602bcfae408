import type { LogRecord } from '../../environment/index.js';

/** Lambda returns the last 4 KB of the log with `LogType: Tail`. */
const LOG_TAIL_BYTES = 4096;

/**
 * The `X-Amz-Log-Result` value: base64 of the last 4 KB of the invocation's log text (its
 * INIT, START, function, END and REPORT lines), cut at a character boundary.
 */
export function tailLogResult(records: readonly LogRecord[], limitBytes = LOG_TAIL_BYTES): string {
  const text = Buffer.from(records.map((record) => `${record.text}\n`).join(''), 'utf8');
  let start = Math.max(0, text.length - limitBytes);
  // Skip UTF-8 continuation bytes (10xxxxxx) so the tail decodes cleanly.
  while (start < text.length && ((text[start] ?? 0) & 0xc0) === 0x80) start += 1;
  return text.subarray(start).toString('base64');
}
