// A durable workflow (DemoStack/Approvals/Workflow): each step's result is checkpointed, the
// wait suspends the function without running it, and the callback waits for a person. Lambda's
// nodejs22.x runtime provides @aws/durable-execution-sdk-js; so does cdk-local.
import { withDurableExecution } from '@aws/durable-execution-sdk-js';

export const handler = withDurableExecution(async (event, context) => {
  const order = await context.step('validate', async () => {
    if (typeof event.orderId !== 'string') throw new Error('orderId is missing');
    return { orderId: event.orderId, amount: event.amount ?? 0 };
  });
  // A cooling-off period before asking: `cdk-local invoke --durable-time-scale 0` skips it.
  await context.wait('cool-off', { seconds: 30 });
  const decision = await context.waitForCallback(
    'manager-approval',
    async (callbackId) => {
      // Here a real app would mail the callback id to a manager.
      context.logger.info(`approve order ${order.orderId} with callback ${callbackId}`);
    },
    { timeout: { hours: 24 } },
  );
  const approved = JSON.parse(decision)?.approved === true;
  const receipt = await context.step('settle', async () => ({ ...order, approved, settledAt: new Date().toISOString() }));
  return receipt;
});
