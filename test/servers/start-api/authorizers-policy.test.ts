import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiRequest } from '../../../lib/servers/start-api/api-request.js';
import { AuthorizerCache } from '../../../lib/servers/start-api/authorizers/authorizer-cache.js';
import { evaluatePolicy, policyProblem } from '../../../lib/servers/start-api/authorizers/iam-policy.js';
import { identityValue, identityValues, type IdentityContext } from '../../../lib/servers/start-api/authorizers/identity-sources.js';

const ARN = 'arn:aws:execute-api:eu-west-1:111122223333:abcdefghij/test/GET/items/42';
const policy = (...statements: Record<string, unknown>[]): Record<string, unknown> => ({ Version: '2012-10-17', Statement: statements });
const allow = (resource: unknown, action: unknown = 'execute-api:Invoke') => ({ Effect: 'Allow', Action: action, Resource: resource });
const deny = (resource: unknown) => ({ Effect: 'Deny', Action: 'execute-api:Invoke', Resource: resource });

describe('evaluatePolicy', () => {
  it('S.99 allows what an Allow statement covers, with * and ? wildcards', () => {
    assert.equal(evaluatePolicy(policy(allow(ARN)), 'execute-api:Invoke', ARN), 'allow');
    assert.equal(evaluatePolicy(policy(allow('arn:aws:execute-api:eu-west-1:111122223333:abcdefghij/*/GET/*')), 'execute-api:Invoke', ARN), 'allow');
    assert.equal(evaluatePolicy(policy(allow('arn:aws:execute-api:eu-west-1:111122223333:abcdefghij/test/GET/items/4?')), 'execute-api:Invoke', ARN), 'allow');
    assert.equal(evaluatePolicy(policy(allow(['arn:other', ARN])), 'execute-api:Invoke', ARN), 'allow');
    assert.equal(evaluatePolicy(policy(allow(ARN, ['execute-api:*'])), 'execute-api:Invoke', ARN), 'allow');
    assert.equal(evaluatePolicy({ Statement: allow('*', '*') }, 'execute-api:Invoke', ARN), 'allow');
  });

  it('denies what is not allowed, and an explicit Deny wins over an Allow', () => {
    assert.equal(evaluatePolicy(policy(allow('arn:aws:execute-api:eu-west-1:111122223333:abcdefghij/test/POST/*')), 'execute-api:Invoke', ARN), 'implicit-deny');
    assert.equal(evaluatePolicy(policy(allow('arn:aws:execute-api:eu-west-1:111122223333:abcdefghij/test/GET/items/4')), 'execute-api:Invoke', ARN), 'implicit-deny');
    assert.equal(evaluatePolicy(policy(allow(ARN, 'execute-api:ManageConnections')), 'execute-api:Invoke', ARN), 'implicit-deny');
    assert.equal(evaluatePolicy(policy(allow('*'), deny(ARN)), 'execute-api:Invoke', ARN), 'explicit-deny');
    assert.equal(evaluatePolicy(policy(), 'execute-api:Invoke', ARN), 'implicit-deny');
    // `.` in a resource is literal, not any character.
    assert.equal(evaluatePolicy(policy(allow(ARN.replace('execute-api', 'execute.api'))), 'execute-api:Invoke', ARN), 'implicit-deny');
  });

  it('says what makes a policy document unusable', () => {
    assert.equal(policyProblem(policy(allow(ARN))), undefined);
    assert.equal(policyProblem(undefined), 'policyDocument is not an object');
    assert.equal(policyProblem({ Version: '2012-10-17' }), 'policyDocument has no Statement');
    assert.equal(policyProblem(policy({ Effect: 'Maybe', Resource: ARN })), 'a Statement has Effect "Maybe"');
  });
});

describe('identity sources', () => {
  const request: ApiRequest = {
    method: 'GET',
    path: '/test/items/42',
    rawQueryString: 'user=ada&user=bob&empty=',
    headers: [
      ['Authorization', 'token'],
      ['X-Multi', 'one'],
      ['X-Multi', 'two'],
    ],
    body: Buffer.alloc(0),
    sourceIp: '127.0.0.1',
    protocol: 'HTTP/1.1',
    requestId: 'id',
    timeEpochMs: 0,
  };
  const context = (repeats: IdentityContext['repeats']): IdentityContext => ({ request, stageVariables: { tenant: 'acme' }, contextVariables: { routeKey: 'GET /items/{id}' }, repeats });

  it('S.96 reads headers (any case), query strings, stage and context variables, in either front end spelling', () => {
    assert.equal(identityValue('method.request.header.authorization', context('last')), 'token');
    assert.equal(identityValue('$request.header.AUTHORIZATION', context('join')), 'token');
    assert.equal(identityValue('method.request.header.X-Multi', context('last')), 'two');
    assert.equal(identityValue('$request.header.x-multi', context('join')), 'one,two');
    assert.equal(identityValue('method.request.querystring.user', context('last')), 'bob');
    assert.equal(identityValue('$request.querystring.user', context('join')), 'ada,bob');
    assert.equal(identityValue('$request.querystring.USER', context('join')), undefined);
    assert.equal(identityValue('stageVariables.tenant', context('last')), 'acme');
    assert.equal(identityValue('$context.routeKey', context('join')), 'GET /items/{id}');
  });

  it('counts an empty or absent source as missing', () => {
    assert.equal(identityValue('method.request.querystring.empty', context('last')), undefined);
    assert.equal(identityValues(['method.request.header.Authorization', 'method.request.header.X-Absent'], context('last')), undefined);
    assert.deepEqual(identityValues(['method.request.header.Authorization', 'stageVariables.tenant'], context('last')), ['token', 'acme']);
  });
});

describe('AuthorizerCache', () => {
  it('keeps a result for its TTL, by authorizer and identity; a TTL of 0 keeps nothing', () => {
    const cache = new AuthorizerCache<string>();
    cache.set('A', ['token'], 'allowed', 300, 1_000);
    assert.equal(cache.get('A', ['token'], 1_000 + 299_999), 'allowed');
    assert.equal(cache.get('A', ['token'], 1_000 + 300_000), undefined);
    cache.set('A', ['token'], 'allowed', 300, 1_000);
    assert.equal(cache.get('B', ['token'], 2_000), undefined);
    assert.equal(cache.get('A', ['other'], 2_000), undefined);
    cache.set('A', ['zero'], 'allowed', 0, 1_000);
    assert.equal(cache.get('A', ['zero'], 1_000), undefined);
  });
});
