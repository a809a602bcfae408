// A runtime whose response is over 6 MB gets 413 from the Runtime API, its caller gets
// Function.ResponseSizeTooLarge, and the next invocation is served (C.15): the early answer
// and the closed connection must not make the Node.js client fail.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExecutionEnvironment } from '../../lib/environment/index.js';
import { makeSpec, runtimeFixture } from '../environment/spec-fixture.js';

/** A JSON string event of 7 MB: echoed back, the response passes the 6 MB limit. */
const BIG_EVENT = Buffer.from(JSON.stringify('x'.repeat(7 * 1024 * 1024)));

async function overLimitThenOn(spec: Parameters<typeof makeSpec>[0], warm: boolean): Promise<void> {
  await using environment = await ExecutionEnvironment.start({ spec: makeSpec({ timeoutSeconds: 60, ...spec }), codeDirectory: spec.codeDirectory, functionVariables: {} });
  const big = environment.invoke({ payload: BIG_EVENT });
  const response = await big.response;
  assert.equal(response.kind, 'function-error');
  assert.equal(response.kind === 'function-error' && response.errorType, 'Function.ResponseSizeTooLarge');
  await big.report;
  const next = environment.invoke({ payload: Buffer.from('{"small":true}') });
  const answer = await next.response;
  assert.equal(answer.kind, 'payload', 'the runtime goes on to the next invocation');
  assert.match(answer.kind === 'payload' ? answer.body.toString() : '', /"small":\s*true/);
  if (warm) assert.equal((await next.report).initDurationMs, undefined, 'in the same, warm, runtime');
}

describe('a response over 6 MB', () => {
  it('C.15 the Node.js runtime gets 413 and carries on', async () => {
    await overLimitThenOn({ codeDirectory: runtimeFixture('node', 'invoke'), runtime: 'nodejs20.x', handler: 'handlers.echo' }, true);
  });

  // AWS's Python client raises when a post is refused and its runtime exits, as ours does:
  // the next invocation starts a new one.
  it('C.15 the Python runtime gets 413, and the next invocation is served', async () => {
    await overLimitThenOn({ codeDirectory: runtimeFixture('python', 'plain'), runtime: 'python3.12', handler: 'app.handler' }, false);
  });
});
