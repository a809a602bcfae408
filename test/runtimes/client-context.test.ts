// A client context with any Unicode characters reaches the handler's context intact, in each
// kind of runtime: our Node.js and Python clients, and a custom runtime reading raw bytes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExecutionEnvironment } from '../../lib/environment/index.js';
import { makeSpec, runtimeFixture } from '../environment/spec-fixture.js';

const CLIENT_CONTEXT = { client: { installation_id: 'inst-1' }, custom: { name: 'Zoë € 東京 🚀', latin: 'café' }, env: { locale: 'ja-JP' } };

async function invokeWith(spec: Parameters<typeof makeSpec>[0]): Promise<unknown> {
  await using environment = await ExecutionEnvironment.start({
    spec: makeSpec({ timeoutSeconds: 30, ...spec }),
    codeDirectory: spec.codeDirectory,
    functionVariables: {},
  });
  const first = environment.invoke({ payload: Buffer.from('{}'), clientContext: JSON.stringify(CLIENT_CONTEXT) });
  const response = await first.response;
  assert.equal(response.kind, 'payload', `the invocation succeeds: ${response.kind === 'function-error' ? response.body.toString() : response.kind}`);
  const body = response.kind === 'payload' ? response.body.toString('utf8') : '';
  await first.report;
  // The environment is still there for the next one.
  const second = environment.invoke({ payload: Buffer.from('{}') });
  assert.equal((await second.report).status, 'success');
  return JSON.parse(body);
}

describe('client context beyond Latin-1', () => {
  it('B.7 reaches context.clientContext of a Node.js handler', async () => {
    const seen = (await invokeWith({ codeDirectory: runtimeFixture('node', 'invoke'), runtime: 'nodejs20.x', handler: 'handlers.context' })) as { clientContext: unknown };
    assert.deepEqual(seen.clientContext, CLIENT_CONTEXT);
  });

  it('B.7 reaches context.client_context of a Python handler', async () => {
    const seen = (await invokeWith({ codeDirectory: runtimeFixture('python', 'context'), runtime: 'python3.12', handler: 'app.handler' })) as {
      client_context: { custom: unknown; env: unknown; client: { installation_id: string } };
    };
    assert.deepEqual(seen.client_context.custom, CLIENT_CONTEXT.custom);
    assert.deepEqual(seen.client_context.env, CLIENT_CONTEXT.env);
    assert.equal(seen.client_context.client.installation_id, 'inst-1');
  });

  it('B.7 reaches a custom runtime as the UTF-8 bytes of the JSON', async () => {
    const seen = await invokeWith({ codeDirectory: runtimeFixture('provided', 'client-context') });
    assert.deepEqual(seen, CLIENT_CONTEXT);
  });
});
