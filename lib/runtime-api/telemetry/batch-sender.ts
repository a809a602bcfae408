import type { Socket } from 'node:net';
import type { TelemetryDestination } from './subscription-request.js';
import { HttpBatchSender } from './http-sender.js';
import { TcpBatchSender } from './tcp-sender.js';

/** Delivers one batch of events, each already serialised as JSON, to a subscriber's listener. */
export interface BatchSender {
  /** Resolves once the listener took the batch (HTTP: answered below 400; TCP: written). */
  send(events: readonly string[], signal: AbortSignal): Promise<void>;
  /** Drops every socket; idempotent. */
  close(): void;
}

/** Maps a destination host (`sandbox.localdomain`) to the address to connect to. */
export type ResolveHost = (host: string) => string;

/**
 * Opens a connection to a port of the execution environment itself, where its loopback is not
 * this process's (a network namespace of its own).
 */
export type ConnectToSandbox = (port: number, signal?: AbortSignal) => Promise<Socket>;

/** The sender for a destination: HTTP to the URI's port and path, TCP to the port on `sandbox.localdomain`. */
export function createBatchSender(destination: TelemetryDestination, resolveHost: ResolveHost, connect?: ConnectToSandbox): BatchSender {
  return destination.protocol === 'HTTP'
    ? new HttpBatchSender(new URL(destination.URI), destination.method, resolveHost, connect)
    : new TcpBatchSender(resolveHost('sandbox.localdomain'), destination.port, connect);
}
