import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_ACCOUNT, DEFAULT_REGION, isVolatileVariable, resolveAccount, resolveRegion, synthFingerprint } from '../../lib/assembly/index.js';

describe('the region and account defaults', () => {
  it('take the option, then the environment, then the one default', () => {
    assert.equal(resolveRegion('eu-west-1', { AWS_REGION: 'us-west-2' }), 'eu-west-1');
    assert.equal(resolveRegion(undefined, { AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'eu-north-1' }), 'us-west-2');
    assert.equal(resolveRegion(undefined, { AWS_DEFAULT_REGION: 'eu-north-1' }), 'eu-north-1');
    assert.equal(resolveRegion(undefined, { AWS_REGION: '' }), DEFAULT_REGION);
    assert.equal(resolveAccount('111122223333', { CDK_DEFAULT_ACCOUNT: '444455556666' }), '111122223333');
    assert.equal(resolveAccount(undefined, { CDK_DEFAULT_ACCOUNT: '444455556666' }), '444455556666');
    assert.equal(resolveAccount(undefined, {}), DEFAULT_ACCOUNT);
  });
});

describe('synthFingerprint', () => {
  const inputs = { app: 'node app.js', output: '/p/cdk.out', context: { a: '1', b: 2 }, region: 'us-east-1', account: DEFAULT_ACCOUNT, env: { PATH: '/bin' } };

  it('changes with any variable of the environment but the volatile ones', () => {
    const base = synthFingerprint(inputs);
    assert.notEqual(synthFingerprint({ ...inputs, env: { PATH: '/bin', STAGE: 'prod' } }), base);
    assert.notEqual(synthFingerprint({ ...inputs, env: { PATH: '/bin', STAGE: '' } }), base);
    assert.equal(synthFingerprint({ ...inputs, env: { PATH: '/bin', OLDPWD: '/x', SHLVL: '3', npm_lifecycle_event: 'test', _: '/usr/bin/npx' } }), base);
    assert.ok(isVolatileVariable('npm_config_cache'));
    // What npx puts in front of PATH does not count; the rest of PATH does.
    assert.equal(synthFingerprint({ ...inputs, env: { PATH: '/p/node_modules/.bin:/node_modules/.bin:/usr/lib/npm/node-gyp-bin:/bin' } }), base);
    assert.notEqual(synthFingerprint({ ...inputs, env: { PATH: '/usr/local/bin:/bin' } }), base);
    assert.ok(!isVolatileVariable('NODE_OPTIONS'));
  });

  it('changes with the context, the command, the output, the region and the account, not with their order', () => {
    const base = synthFingerprint(inputs);
    assert.equal(synthFingerprint({ ...inputs, context: { b: 2, a: '1' } }), base);
    assert.notEqual(synthFingerprint({ ...inputs, context: { a: '2', b: 2 } }), base);
    assert.notEqual(synthFingerprint({ ...inputs, app: 'node other.js' }), base);
    assert.notEqual(synthFingerprint({ ...inputs, output: '/p/out' }), base);
    assert.notEqual(synthFingerprint({ ...inputs, region: 'eu-west-1' }), base);
    assert.notEqual(synthFingerprint({ ...inputs, account: '111122223333' }), base);
  });
});
