import { randomBytes } from 'node:crypto';

/**
 * A new ID in the shape API Gateway gives connections, messages and WebSocket requests:
 * 16 characters, eleven random bytes in base64 (`L0SM9cOFvHcCIhw=`).
 */
export function newWebSocketId(): string {
  return `${randomBytes(11).toString('base64url')}=`;
}
