import type { Readable } from 'node:stream';
import type { InvocationResponse, StreamCompletion } from '../runtime-api/index.js';
import type { PlatformStatus } from './platform-lines.js';

/** What the caller of an invocation receives. */
export type CallerResponse =
  | { readonly kind: 'payload'; readonly body: Buffer; readonly contentType: string }
  | {
      readonly kind: 'stream';
      readonly contentType: string;
      readonly body: Readable;
      readonly completion: Promise<StreamCompletion>;
    }
  /** A function error: Lambda answers 200 with `X-Amz-Function-Error: Unhandled`. */
  | { readonly kind: 'function-error'; readonly errorType: string; readonly body: Buffer; readonly contentType: string };

/** Settles the caller's answer, once. */
export type Answer = (response: CallerResponse) => void;

/** The caller's answer and the function that gives it: the first answer counts, later ones are dropped. */
export function answerOnce(): { readonly response: Promise<CallerResponse>; readonly answer: Answer } {
  let answered = false;
  let resolveResponse!: Answer;
  const response = new Promise<CallerResponse>((resolve) => {
    resolveResponse = resolve;
  });
  const answer: Answer = (value) => {
    if (answered) return;
    answered = true;
    resolveResponse(value);
  };
  return { response, answer };
}

/** What {@link deliverResponse} made of a runtime's answer. */
export interface DeliveredResponse {
  status: PlatformStatus;
  errorType?: string;
  /** Settles when the answer has been sent whole (a stream: when it ended). */
  completion: Promise<unknown>;
  stream?: Readable;
  producedBytes: () => number;
}

/** `{"errorType","errorMessage"}` as bytes. */
export function errorBody(errorType: string, errorMessage: string): Buffer {
  return Buffer.from(JSON.stringify({ errorType, errorMessage }));
}

export function functionError(errorType: string, errorMessage: string): CallerResponse {
  return { kind: 'function-error', errorType, body: errorBody(errorType, errorMessage), contentType: 'application/json' };
}

/** The errorType inside a function error body, when it has one. */
export function errorTypeOf(body: Buffer): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    const errorType = (parsed as { errorType?: unknown } | null)?.errorType;
    return typeof errorType === 'string' ? errorType : undefined;
  } catch {
    return undefined;
  }
}

/** Turns what the runtime posted into what the caller gets, and how the invocation went. */
export function deliverResponse(
  response: InvocationResponse,
  answer: Answer,
): DeliveredResponse {
  switch (response.kind) {
    case 'buffered':
      answer({ kind: 'payload', body: response.body, contentType: response.contentType });
      return { status: 'success', completion: Promise.resolve(), producedBytes: () => response.body.length };
    case 'streaming': {
      answer({ kind: 'stream', contentType: response.contentType, body: response.body, completion: response.completion });
      const outcome: { status: PlatformStatus; errorType?: string; completion: Promise<unknown>; stream: Readable; producedBytes: () => number } = {
        status: 'success',
        completion: Promise.resolve(),
        stream: response.body,
        producedBytes: () => 0,
      };
      // An error in the trailers, or a body cut short, makes the streamed invocation an error after all.
      outcome.completion = response.completion.then((end) => {
        outcome.producedBytes = () => end.producedBytes;
        if (end.error !== undefined) {
          outcome.status = 'error';
          outcome.errorType = end.error.errorType ?? errorTypeOf(end.error.body) ?? 'Function.Unknown';
        } else if (end.truncated) {
          outcome.status = 'error';
          outcome.errorType = 'Runtime.TruncatedResponse';
        }
      });
      return outcome;
    }
    case 'error': {
      const errorType = response.errorType ?? errorTypeOf(response.body) ?? 'Function.Unknown';
      answer({ kind: 'function-error', errorType, body: response.body, contentType: response.contentType });
      return { status: 'error', errorType, completion: Promise.resolve(), producedBytes: () => 0 };
    }
    case 'too-large': {
      const errorType = 'Function.ResponseSizeTooLarge';
      answer(functionError(errorType, `Response payload size (${response.sizeBytes} bytes) exceeded maximum allowed payload size (6291556 bytes).`));
      return { status: 'error', errorType, completion: Promise.resolve(), producedBytes: () => 0 };
    }
    case 'truncated': {
      const errorType = 'Runtime.TruncatedResponse';
      answer(functionError(errorType, 'The runtime closed the connection before the response was complete'));
      return { status: 'error', errorType, completion: Promise.resolve(), producedBytes: () => 0 };
    }
  }
}
