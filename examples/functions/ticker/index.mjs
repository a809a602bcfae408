// Behind a function URL in RESPONSE_STREAM mode: a status and headers first, then one line
// every 200 ms, each reaching the client as it is written.
export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const count = Math.min(Number(event.queryStringParameters?.count ?? 5) || 5, 50);
  const stream = awslambda.HttpResponseStream.from(responseStream, { statusCode: 200, headers: { 'content-type': 'text/plain' } });
  for (let tick = 1; tick <= count; tick++) {
    stream.write(`tick ${tick}\n`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  stream.end();
});
