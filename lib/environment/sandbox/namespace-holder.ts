/**
 * The program that holds an environment's network namespace open (run with `node -e`, so
 * that it needs no file of its own in a bundle). Inside the namespace it binds Lambda's
 * Runtime API address, `127.0.0.1:9001`, and hands the listening socket to cdk-local over
 * the IPC channel: cdk-local's server then accepts the runtime's connections itself, with no
 * copy in between. When cdk-local needs a connection into the namespace (a Telemetry API
 * subscriber's listener), the holder makes it there and hands the connected socket over
 * too. It exits when cdk-local goes away (the channel closes).
 */
export const NAMESPACE_HOLDER_SOURCE = `
const net = require('node:net');
const send = (message, handle) => { try { process.send(message, handle); } catch {} };
const server = net.createServer();
server.once('error', (error) => { send({ type: 'failed', message: error.message }); process.exit(1); });
server.listen({ host: '127.0.0.1', port: Number(process.argv[1]) }, () => {
  process.send({ type: 'ready', pid: process.pid }, server, () => server.close());
});
process.on('disconnect', () => process.exit(0));
process.on('message', (message) => {
  if (message === null || typeof message !== 'object' || message.type !== 'connect') return;
  const socket = net.connect({ host: '127.0.0.1', port: message.port });
  socket.once('error', (error) => send({ type: 'connect-failed', id: message.id, code: error.code, message: error.message }));
  socket.once('connect', () => send({ type: 'connected', id: message.id }, socket));
});
`;
