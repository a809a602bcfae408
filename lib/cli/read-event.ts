import { readFile } from 'node:fs/promises';
import { CdkLocalError, ErrorCodes } from '../errors.js';

/** Options of {@link readEvent}. */
export interface ReadEventOptions {
  /** A file, or `-` for stdin. */
  readonly event?: string;
  /** The event given inline. */
  readonly eventJson?: string;
  readonly stdin?: NodeJS.ReadableStream;
}

async function readStream(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/**
 * The event bytes for `invoke`, exactly as given (default `{}`). Like Lambda's Invoke API,
 * it must be JSON.
 */
export async function readEvent(options: ReadEventOptions): Promise<Buffer> {
  if (options.event !== undefined && options.eventJson !== undefined) {
    throw new CdkLocalError(ErrorCodes.USAGE, 'Give the event either with --event or with --event-json, not both.');
  }
  let bytes: Buffer;
  let source: string;
  if (options.eventJson !== undefined) {
    bytes = Buffer.from(options.eventJson);
    source = '--event-json';
  } else if (options.event === '-') {
    bytes = await readStream(options.stdin ?? process.stdin);
    source = 'stdin';
  } else if (options.event !== undefined) {
    try {
      bytes = await readFile(options.event);
    } catch (cause) {
      throw new CdkLocalError(ErrorCodes.INVALID_EVENT, `Cannot read the event file '${options.event}': check the path, or pass the event with --event-json.`, { cause });
    }
    source = `'${options.event}'`;
  } else {
    return Buffer.from('{}');
  }
  try {
    JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new CdkLocalError(ErrorCodes.INVALID_EVENT, `The event from ${source} is not valid JSON (${reason}); Lambda only accepts JSON events.`);
  }
  return bytes;
}
