// Bundled by esbuild through NodejsFunction: TypeScript, imports, one output file.
import { createHash } from 'node:crypto';

interface OrderEvent {
  readonly orderId?: string;
  readonly items?: readonly { readonly sku: string; readonly quantity: number }[];
}

export const handler = async (event: OrderEvent) => {
  const items = event.items ?? [];
  const quantity = items.reduce((sum, item) => sum + item.quantity, 0);
  const digest = createHash('sha256').update(JSON.stringify(event)).digest('hex').slice(0, 12);
  console.log(`Order ${event.orderId ?? '(none)'}: ${items.length} lines, ${quantity} items`);
  return { orderId: event.orderId ?? null, lines: items.length, quantity, digest };
};
