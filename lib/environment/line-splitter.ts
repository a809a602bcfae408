import type { Readable } from 'node:stream';

/** Longest record Lambda keeps; longer lines are cut (CloudWatch's event size limit is 256 KB). */
export const MAX_LINE_BYTES = 256 * 1024;

/**
 * Calls `onLine` for each line of `stream`. Runtime clients put a `\r` where a record
 * has a line break of its own, so a record is one `\n`-terminated line; the `\r` becomes
 * a line break again here.
 */
export function splitLines(stream: Readable, onLine: (line: string) => void): Promise<void> {
  let pending = '';
  stream.setEncoding('utf8');
  const emit = (line: string): void => {
    const text = line.length > MAX_LINE_BYTES ? `${line.slice(0, MAX_LINE_BYTES)}…(truncated)` : line;
    onLine(text.replace(/\r(?!$)/g, '\n').replace(/\r$/, ''));
  };
  return new Promise((resolve) => {
    stream.on('data', (chunk: string) => {
      pending += chunk;
      let start = 0;
      let index = pending.indexOf('\n');
      while (index !== -1) {
        emit(pending.slice(start, index));
        start = index + 1;
        index = pending.indexOf('\n', start);
      }
      pending = pending.slice(start);
      if (pending.length > MAX_LINE_BYTES) {
        emit(pending);
        pending = '';
      }
    });
    const finish = (): void => {
      if (pending !== '') emit(pending);
      pending = '';
      resolve();
    };
    stream.once('end', finish);
    stream.once('close', finish);
    stream.once('error', finish);
  });
}
