// The other end of the floor: a bare node:http server that answers every request at once,
// with the headers a Runtime API `/next` carries and a small JSON body. It runs in a
// process of its own, as a runtime does, and prints its port on stdout when it listens.
import http from 'node:http';

const body = Buffer.from(JSON.stringify({ ok: true, event: { n: 1 } }));
const server = http.createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Length': body.length,
      'Lambda-Runtime-Aws-Request-Id': '8476a536-e9f4-11e8-9739-2dfe598c3fcd',
      'Lambda-Runtime-Deadline-Ms': String(Date.now() + 30_000),
    });
    response.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('disconnect', () => process.exit(0));
