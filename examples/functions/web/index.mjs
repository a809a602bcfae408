// Behind the example REST API (payload format 1.0) and HTTP API (2.0): answers a proxy
// response that says what the front end sent.
export const handler = async (event) => {
  const v2 = event.version === '2.0';
  const name = event.queryStringParameters?.name ?? event.pathParameters?.id ?? 'world';
  console.log(`Web got ${v2 ? event.routeKey : `${event.httpMethod} ${event.resource}`}`);
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      message: `Hello, ${name}!`,
      route: v2 ? event.routeKey : `${event.httpMethod} ${event.resource}`,
      stage: event.requestContext.stage,
      pathParameters: event.pathParameters ?? null,
    }),
  };
};
