import type { Readable } from 'node:stream';

/** One invocation as the runtime receives it from `GET /runtime/invocation/next`. */
export interface Invocation {
  /** A UUID. */
  readonly requestId: string;
  /** The event bytes exactly as the caller sent them. */
  readonly payload: Buffer;
  /** Epoch milliseconds: start of this invocation + the function timeout. */
  readonly deadlineMs: number;
  readonly invokedFunctionArn: string;
  /** `Root=1-…;Parent=…;Sampled=…`. */
  readonly traceId?: string;
  /** JSON text. */
  readonly clientContext?: string;
  /** JSON text. */
  readonly cognitoIdentity?: string;
  readonly tenantId?: string;
}

/** A function error body posted by the runtime, with its error type when one was given. */
export interface PostedError {
  /** From the `Lambda-Runtime-Function-Error-Type` header or trailer. */
  readonly errorType?: string;
  readonly body: Buffer;
  readonly contentType: string;
}

/** How a streamed response ended. */
export interface StreamCompletion {
  /** Set when the runtime reported an error in the trailers (or in the body, as Rust's client does). */
  readonly error?: PostedError;
  /** The connection closed before the body ended. */
  readonly truncated: boolean;
  /** Bytes of the body. */
  readonly producedBytes: number;
}

/** What the runtime answered to one invocation. */
export type InvocationResponse =
  | { readonly kind: 'buffered'; readonly body: Buffer; readonly contentType: string }
  | {
      readonly kind: 'streaming';
      readonly contentType: string;
      /** The body, chunk by chunk as the runtime sends it. */
      readonly body: Readable;
      readonly completion: Promise<StreamCompletion>;
    }
  | ({ readonly kind: 'error' } & PostedError)
  /** The buffered response was larger than the service allows. */
  | { readonly kind: 'too-large'; readonly sizeBytes: number }
  /** The runtime closed the connection before the body ended. */
  | { readonly kind: 'truncated' };

/** How the runtime's initialisation ended. */
export type InitOutcome =
  /** The runtime called `/next` for the first time. */
  | { readonly kind: 'ready' }
  /** The runtime posted `/runtime/init/error`. */
  | ({ readonly kind: 'error' } & PostedError);
