import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FunctionSpec, FunctionUrlEndpointSpec, HttpApiSpec, RestApiSpec, WebSocketApiSpec } from '../../../lib/assembly/index.js';
import { describeGaps } from '../../../lib/servers/index.js';

const base = { stackName: 'S', logicalId: 'Api', name: 'api', region: 'us-east-1', accountId: '111122223333' };
const fn = { constructPath: 'S/Fn' } as FunctionSpec;
const cors = { allowOrigins: ['https://example.com'], allowMethods: [], allowHeaders: [], exposeHeaders: [], allowCredentials: false };
const proxy = { kind: 'lambda-proxy', function: fn, payloadFormatVersion: '1.0', timeoutMs: 29_000 } as const;

describe('describeGaps', () => {
  it('names each route whose integration is not emulated yet, or whose authorizer cannot be found', () => {
    const rest: RestApiSpec = {
      ...base,
      kind: 'rest',
      constructPath: 'S/Rest',
      apiId: 'abcdefghij',
      binaryMediaTypes: [],
      stages: [{ stageName: 'prod', variables: {} }],
      routes: [
        { resourcePath: '/ok', httpMethod: 'GET', authorizationType: 'NONE', integration: proxy },
        { resourcePath: '/mock', httpMethod: 'GET', authorizationType: 'NONE', integration: { kind: 'unsupported', description: 'a MOCK integration' } },
        { resourcePath: '/secret', httpMethod: 'POST', authorizationType: 'COGNITO_USER_POOLS', integration: proxy },
      ],
    };
    assert.deepEqual(describeGaps(rest), [
      'S/Rest: GET /mock uses a MOCK integration, which cdk-local does not emulate yet; it answers 501.',
      'S/Rest: POST /secret has authorization COGNITO_USER_POOLS with an authorizer cdk-local cannot find, so it does not enforce it; requests go through.',
    ]);
  });

  it('says when an API has no stage, what of a WebSocket API is not emulated, and that a URL takes any signature', () => {
    const http: HttpApiSpec = { ...base, kind: 'http', constructPath: 'S/Http', apiId: 'abcdefghij', stages: [], routes: [] };
    assert.deepEqual(describeGaps(http), ['HTTP API S/Http has no stage, so it is not served; deploy it to a stage in the app.']);
    const socket: WebSocketApiSpec = { ...base, kind: 'websocket', constructPath: 'S/Ws', apiId: 'abcdefghij', routeSelectionExpression: '$request.body.action', stages: [], routes: [{ routeKey: '$connect', authorizationType: 'NONE', returnsResponse: false, integration: proxy }] };
    assert.deepEqual(describeGaps(socket), ['WebSocket API S/Ws has no stage, so it is not served; deploy it to a stage in the app.']);
    const staged: WebSocketApiSpec = {
      ...socket,
      stages: [{ stageName: 'dev', variables: {} }],
      routes: [
        { routeKey: '$connect', authorizationType: 'CUSTOM', returnsResponse: false, integration: proxy },
        { routeKey: 'send', authorizationType: 'NONE', returnsResponse: false, integration: { kind: 'unsupported', description: 'a MOCK integration' } },
        { routeKey: 'other', authorizationType: 'AWS_IAM', returnsResponse: false, integration: proxy },
      ],
    };
    assert.deepEqual(describeGaps(staged), [
      'S/Ws: send uses a MOCK integration, which cdk-local does not emulate yet; its messages get an error frame.',
      'S/Ws: other has authorization AWS_IAM, which API Gateway applies only to $connect; cdk-local ignores it.',
      'S/Ws: $connect has authorization CUSTOM with an authorizer cdk-local cannot find, so it does not enforce it; requests go through.',
    ]);
    const iam: WebSocketApiSpec = { ...staged, routes: [{ routeKey: '$connect', authorizationType: 'AWS_IAM', authorization: { authorizer: { kind: 'iam' }, scopes: [] }, returnsResponse: false, integration: proxy }] };
    assert.deepEqual(describeGaps(iam), ['S/Ws: $connect use AWS_IAM: they take any request signed with SigV4, without checking the signature, and answer 403 to others.']);
    const url: FunctionUrlEndpointSpec = { ...base, kind: 'url', constructPath: 'S/Fn/FunctionUrl', urlId: 'x'.repeat(32), function: fn, authType: 'AWS_IAM', invokeMode: 'BUFFERED', cors: { ...cors, allowOrigins: ['*'] } };
    assert.deepEqual(describeGaps(url), ['function URL S/Fn/FunctionUrl has AuthType AWS_IAM: it takes any request signed with SigV4, without checking the signature, and answers 403 to others.']);
  });

  it('T.114 says when a CORS configuration allows credentials from every origin, which browsers refuse', () => {
    const http: HttpApiSpec = { ...base, kind: 'http', constructPath: 'S/Http', apiId: 'abcdefghij', stages: [{ stageName: '$default', variables: {} }], routes: [], cors: { ...cors, allowOrigins: ['*'], allowCredentials: true } };
    assert.deepEqual(describeGaps(http), ["HTTP API S/Http allows credentials from every origin ('*'), which browsers refuse; name the origins in AllowOrigins instead."]);
    const url: FunctionUrlEndpointSpec = { ...base, kind: 'url', constructPath: 'S/Fn/FunctionUrl', urlId: 'x'.repeat(32), function: fn, authType: 'NONE', invokeMode: 'BUFFERED', cors: { ...cors, allowCredentials: true } };
    assert.deepEqual(describeGaps(url), []);
  });
});
