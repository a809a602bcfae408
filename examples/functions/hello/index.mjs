// Echoes the event back with the function's configuration, as Lambda would run it.
export const handler = async (event, context) => {
  console.log('Hello invoked with', JSON.stringify(event));
  return {
    message: `${process.env.GREETING}, ${event?.name ?? 'world'}!`,
    tableName: process.env.TABLE_NAME,
    tableArn: process.env.TABLE_ARN,
    functionName: context.functionName,
    requestId: context.awsRequestId,
    region: process.env.AWS_REGION,
    event,
  };
};
