// Deep in a custom construct: DemoStack/Orders/Api/Handler.
export const handler = async (event) => {
  const orderId = event?.pathParameters?.orderId ?? 'unknown';
  console.log(`Looking up order ${orderId} in ${process.env.TABLE_NAME}`);
  return { orderId, status: 'PENDING', table: process.env.TABLE_NAME };
};
