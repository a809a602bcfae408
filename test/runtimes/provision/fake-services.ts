import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The runtime cache the tests share: the first test run fills it from the npm registry, the
 * later ones find it warm. Not the user's own cache.
 */
export const TEST_RUNTIME_CACHE = process.env.CDK_LOCAL_CACHE_DIR ?? join(tmpdir(), 'cdk-local-test-cache');

/** A fake DynamoDB on 127.0.0.1: GetItem answers with the item it was asked for and a greeting. */
export interface FakeDynamoDb extends AsyncDisposable {
  readonly endpoint: string;
  /** The `X-Amz-Target` of every request, in order. */
  readonly targets: string[];
}

/** Starts a {@link FakeDynamoDb} on a free port. */
export async function startFakeDynamoDb(greeting: string): Promise<FakeDynamoDb> {
  const targets: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      targets.push(target);
      if (target !== 'DynamoDB_20120810.GetItem') {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify({ __type: 'com.amazon.coral.validate#ValidationException', message: `fake serves GetItem only, not ${target}` }));
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { Key: Record<string, unknown> };
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify({ Item: { ...body.Key, greeting: { S: greeting } } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    targets,
    [Symbol.asyncDispose]: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
