// Behind the example WebSocket API: one handler for $connect, $disconnect and sendmessage.
//
// Every environment of a function is a process of its own, and the service starts and stops
// them as it likes: nothing kept in memory here is seen by the next connection. A real chat puts
// each connection id in a DynamoDB table at $connect, deletes it at $disconnect, and sends a
// message to every id in it with the `@connections` API (`PostToConnectionCommand` of
// `@aws-sdk/client-apigatewaymanagementapi`). This one keeps nothing: it answers the sender
// only, through the route's response, so that it needs nothing the machine does not have.
export const handler = async (event) => {
  const { routeKey, connectionId } = event.requestContext;
  console.log(`Chat ${routeKey} ${connectionId}`);
  if (routeKey !== 'sendmessage') return { statusCode: 200 };
  let message;
  try {
    message = JSON.parse(event.body).message;
  } catch {
    return { statusCode: 400, body: JSON.stringify({ error: 'send {"action":"sendmessage","message":"..."}' }) };
  }
  return { statusCode: 200, body: JSON.stringify({ from: connectionId, message }) };
};
