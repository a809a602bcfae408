// Lives in the ApiStack of the Prod stage.
export const handler = async (event) => {
  console.log(`Staged ${event?.httpMethod ?? 'GET'} ${event?.path ?? '/'}`);
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ stage: process.env.STAGE, path: event?.path ?? '/' }),
  };
};
