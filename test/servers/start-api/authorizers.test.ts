import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload, type CryptoKey } from 'jose';
import type { LocalLambda } from '../../../lib/host/index.js';
import { startApi, type ApiEndpoint, type ApiServer } from '../../../lib/servers/index.js';
import { createMarkedApp, type MarkedApp } from '../../helpers/marked-app.js';
import { synthesizeAuthorizersApp } from '../../fixtures/start-api/authorizers-app.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const AUDIENCE = 'local-client';
const UNREACHABLE_ISSUER = 'http://127.0.0.1:1/unreachable';
/** What a SigV4-signing client sends; cdk-local reads the access key and checks nothing else. */
const SIGNED = 'AWS4-HMAC-SHA256 Credential=AKIDLOCALTEST/20260101/eu-west-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123456789abcdef';

/** An identity provider on 127.0.0.1: its key set at `/.well-known/jwks.json`, as Cognito serves it. */
async function startIssuer(publicJwk: Json): Promise<{ server: Server; issuer: string; keyRequests: () => number }> {
  let requests = 0;
  const server = createServer((request, response) => {
    if (request.url === '/.well-known/jwks.json') {
      requests += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] }));
      return;
    }
    response.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  assert.ok(typeof address === 'object' && address !== null);
  return { server, issuer: `http://127.0.0.1:${address.port}`, keyRequests: () => requests };
}

describe('start-api authorizers', () => {
  let app: MarkedApp;
  let local: LocalLambda;
  let server: ApiServer;
  let idp: Awaited<ReturnType<typeof startIssuer>>;
  let signingKey: CryptoKey;
  let strangerKey: CryptoKey;
  const notices: string[] = [];

  const endpoint = (path: string): ApiEndpoint => {
    const found = server.endpoints.find((item) => item.path === path);
    assert.ok(found, `no endpoint ${path}`);
    return found;
  };
  const rest = (path: string): string => `http://127.0.0.1:${endpoint('AuthStack/Guarded').port}/test${path}`;
  const http = (path: string): string => `http://127.0.0.1:${endpoint('AuthStack/Gate').port}${path}`;
  const get = async (url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; text: string; json: Json }> => {
    const response = await fetch(url, { headers });
    const text = await response.text();
    let json: Json = {};
    try {
      json = JSON.parse(text) as Json;
    } catch {
      // Not JSON: the test looks at the text.
    }
    return { status: response.status, headers: response.headers, text, json };
  };
  const sign = (claims: JWTPayload, key: CryptoKey = signingKey, kid = 'local-key'): Promise<string> =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(key);
  const now = (): number => Math.floor(Date.now() / 1000);
  const jwtClaims = (extra: JWTPayload = {}): JWTPayload => ({ iss: idp.issuer, aud: AUDIENCE, sub: 'user-1', iat: now() - 10, exp: now() + 3600, ...extra });

  before(async () => {
    const pair = await generateKeyPair('RS256');
    signingKey = pair.privateKey;
    strangerKey = (await generateKeyPair('RS256')).privateKey;
    idp = await startIssuer({ ...(await exportJWK(pair.publicKey)), kid: 'local-key', alg: 'RS256', use: 'sig' });
    app = await createMarkedApp({
      prefix: 'cdk-local-authorizers-',
      synthesize: (outdir) => synthesizeAuthorizersApp(outdir, { issuer: idp.issuer, unreachableIssuer: UNREACHABLE_ISSUER, audience: AUDIENCE }),
      markerVariable: 'CDK_LOCAL_AUTHORIZERS_MARKER',
      defaults: { credentials: 'none', sandbox: false },
    });
    local = await app.open();
    server = await startApi({ local, onNotice: (message) => notices.push(message) });
  });

  after(async () => {
    await Promise.allSettled([server?.close(), local?.close()]);
    await app?.remove();
    idp?.server.close();
  });

  it('says at start which routes take any signature, and the issuer of the app user pool', () => {
    assert.ok(notices.some((line) => /^AuthStack\/Guarded: GET \/iam use AWS_IAM: they take any request signed with SigV4/.test(line)), notices.join('\n'));
    assert.ok(notices.some((line) => /^AuthStack\/Gate: GET \/iam use AWS_IAM/.test(line)), notices.join('\n'));
    assert.ok(notices.some((line) => /^function URL AuthStack\/Echo\/FunctionUrl has AuthType AWS_IAM/.test(line)), notices.join('\n'));
    assert.ok(
      notices.some((line) => /^AuthStack\/Guarded: authorizer \S+ takes tokens of the app's user pool as issuer https:\/\/cognito-idp\.eu-west-1\.amazonaws\.com\/eu-west-1_\w{9} /.test(line)),
      notices.join('\n'),
    );
  });

  describe('a REST TOKEN authorizer', () => {
    it('S.96 answers 401 without calling the authorizer when the token is missing or fails the validation expression', async () => {
      for (const headers of [{}, { authorization: 'not-a-known-token' }] as Record<string, string>[]) {
        const response = await get(rest('/token'), headers);
        assert.equal(response.status, 401);
        assert.equal(response.text, '{"message":"Unauthorized"}');
        assert.equal(response.headers.get('x-amzn-errortype'), 'UnauthorizedException');
      }
    });

    it('S.97 S.98 S.101 allows the method its policy allows, with principalId and context in requestContext.authorizer', async () => {
      const response = await get(rest('/token'), { authorization: 'allow' });
      assert.equal(response.status, 200, response.text);
      const { authorizer } = response.json.requestContext;
      assert.equal(authorizer.principalId, 'user-ada');
      assert.equal(authorizer.user, 'ada');
      // A REST API hands context values on as strings.
      assert.equal(authorizer.admin, 'true');
      assert.equal(authorizer.level, '3');
      assert.equal(authorizer.type, 'TOKEN');
      assert.equal(typeof authorizer.integrationLatency, 'number');
      const apiId = response.json.requestContext.apiId as string;
      assert.equal(authorizer.methodArn, `arn:aws:execute-api:eu-west-1:111122223333:${apiId}/test/GET/token`);
    });

    it('S.99 answers 403 on an explicit deny and on a policy that does not allow the method', async () => {
      const denied = await get(rest('/token'), { authorization: 'deny' });
      assert.equal(denied.status, 403);
      assert.equal(denied.text, '{"Message":"User is not authorized to access this resource with an explicit deny"}');
      assert.equal(denied.headers.get('x-amzn-errortype'), 'AccessDeniedException');
      const elsewhere = await get(rest('/token'), { authorization: 'other' });
      assert.equal(elsewhere.status, 403);
      assert.equal(elsewhere.text, '{"Message":"User is not authorized to access this resource"}');
    });

    it('S.100 answers 401 when the authorizer fails with Unauthorized, 500 when it fails otherwise or answers nonsense', async () => {
      const unauthorized = await get(rest('/token'), { authorization: 'unauthorized' });
      assert.equal(unauthorized.status, 401);
      assert.equal(unauthorized.text, '{"message":"Unauthorized"}');
      for (const token of ['broken', 'nested']) {
        const response = await get(rest('/token'), { authorization: token });
        assert.equal(response.status, 500, token);
        assert.equal(response.text, '{"message": null}');
        assert.equal(response.headers.get('x-amzn-errortype'), 'AuthorizerConfigurationException');
      }
    });

    it('S.102 reuses a result for the same token within the TTL, for every method, and not when the TTL is 0', async () => {
      const first = await get(rest('/token'), { authorization: 'allow-get' });
      const second = await get(rest('/token'), { authorization: 'allow-get' });
      assert.equal(first.status, 200, first.text);
      assert.equal(second.json.requestContext.authorizer.calls, first.json.requestContext.authorizer.calls);
      // The cached policy allows GET only: the POST it is applied to is refused without a new call.
      const post = await fetch(rest('/token'), { method: 'POST', headers: { authorization: 'allow-get' } });
      assert.equal(post.status, 403);
      assert.equal(await post.text(), '{"Message":"User is not authorized to access this resource"}');
      const uncachedFirst = await get(rest('/nocache'), { authorization: 'allow' });
      const uncachedSecond = await get(rest('/nocache'), { authorization: 'allow' });
      assert.equal(uncachedFirst.status, 200, uncachedFirst.text);
      assert.ok(Number(uncachedSecond.json.requestContext.authorizer.calls) > Number(uncachedFirst.json.requestContext.authorizer.calls));
    });
  });

  describe('a REST REQUEST authorizer', () => {
    it('gets the request and its context reaches the handler', async () => {
      const response = await get(rest('/request/42?user=bob'), { 'x-tenant': 'acme' });
      assert.equal(response.status, 200, response.text);
      const { authorizer } = response.json.requestContext;
      assert.equal(authorizer.tenant, 'acme');
      assert.equal(authorizer.user, 'bob');
      assert.equal(authorizer.type, 'REQUEST');
      assert.equal(authorizer.path, '/request/42');
      assert.equal(authorizer.resource, '/request/{id}');
      assert.equal(authorizer.stageColor, 'blue');
      assert.equal(authorizer.principalId, 'user-ada');
    });

    it('answers 401 when an identity source is missing, 403 when denied', async () => {
      const missing = await get(rest('/request/42'), { 'x-tenant': 'acme' });
      assert.equal(missing.status, 401);
      assert.equal(missing.text, '{"message":"Unauthorized"}');
      const denied = await get(rest('/request/42?user=bob'), { 'x-tenant': 'other' });
      assert.equal(denied.status, 403);
      assert.equal(denied.text, '{"Message":"User is not authorized to access this resource with an explicit deny"}');
    });
  });

  describe('a REST Cognito user pool authorizer', () => {
    const poolIssuer = (): string => {
      const line = notices.find((notice) => notice.includes("takes tokens of the app's user pool"));
      const issuer = /as issuer (\S+) /.exec(line ?? '')?.[1];
      assert.ok(issuer, notices.join('\n'));
      return issuer;
    };

    it("S.105 takes a token of the pool's issuer, and hands its claims on as the service writes them", async () => {
      const token = await sign({ iss: poolIssuer(), sub: 'user-1', token_use: 'id', email: 'ada@example.com', email_verified: true, iat: now() - 10, exp: now() + 3600 }, strangerKey);
      const response = await get(rest('/cognito'), { authorization: token });
      assert.equal(response.status, 200, response.text);
      const { claims } = response.json.requestContext.authorizer;
      assert.equal(claims.sub, 'user-1');
      assert.equal(claims.email, 'ada@example.com');
      assert.equal(claims.email_verified, 'true');
      assert.match(claims.exp, /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \w{3} \d\d \d\d:\d\d:\d\d UTC \d{4}$/);
    });

    it('answers 401 without a token, with an expired one, another issuer, or without the scope the method asks', async () => {
      const expired = await sign({ iss: poolIssuer(), sub: 'user-1', iat: now() - 7200, exp: now() - 3600 });
      const foreign = await sign({ iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_other', sub: 'user-1', exp: now() + 3600 });
      for (const headers of [{}, { authorization: expired }, { authorization: foreign }] as Record<string, string>[]) {
        const response = await get(rest('/cognito'), headers);
        assert.equal(response.status, 401);
        assert.equal(response.text, '{"message":"Unauthorized"}');
      }
      const unscoped = await sign({ iss: poolIssuer(), sub: 'user-1', token_use: 'access', scope: 'orders/write', exp: now() + 3600 });
      assert.equal((await get(rest('/cognito-scoped'), { authorization: unscoped })).status, 401);
      const scoped = await sign({ iss: poolIssuer(), sub: 'user-1', token_use: 'access', scope: 'orders/write orders/read', exp: now() + 3600 });
      assert.equal((await get(rest('/cognito-scoped'), { authorization: scoped })).status, 200);
    });
  });

  describe('AWS_IAM', () => {
    it('S.106 refuses an unsigned request as each front end does, and takes a signed one', async () => {
      const unsignedRest = await get(rest('/iam'));
      assert.equal(unsignedRest.status, 403);
      assert.equal(unsignedRest.text, '{"message":"Missing Authentication Token"}');
      const signedRest = await get(rest('/iam'), { authorization: SIGNED, 'x-amz-date': '20260101T000000Z' });
      assert.equal(signedRest.status, 200, signedRest.text);
      assert.equal(signedRest.json.requestContext.identity.accessKey, 'AKIDLOCALTEST');

      const unsignedHttp = await get(http('/iam'));
      assert.equal(unsignedHttp.status, 403);
      assert.equal(unsignedHttp.text, '{"message":"Forbidden"}');
      const signedHttp = await get(http('/iam'), { authorization: SIGNED });
      assert.equal(signedHttp.status, 200, signedHttp.text);
      assert.equal(signedHttp.json.requestContext.authorizer.iam.accessKey, 'AKIDLOCALTEST');

      const url = `http://127.0.0.1:${endpoint('AuthStack/Echo/FunctionUrl').port}/`;
      const unsignedUrl = await get(url);
      assert.equal(unsignedUrl.status, 403);
      assert.equal(unsignedUrl.text, '{"Message":"Forbidden"}');
      const signedUrl = await get(url, { authorization: SIGNED });
      assert.equal(signedUrl.status, 200, signedUrl.text);
      assert.equal(signedUrl.json.requestContext.authorizer.iam.accessKey, 'AKIDLOCALTEST');
    });
  });

  describe('an HTTP API Lambda authorizer', () => {
    it('with simple responses: 401 without the identity source, 403 when not authorized, context under authorizer.lambda', async () => {
      const missing = await get(http('/simple'));
      assert.equal(missing.status, 401);
      assert.equal(missing.text, '{"message":"Unauthorized"}');
      const refused = await get(http('/simple'), { authorization: 'wrong' });
      assert.equal(refused.status, 403);
      assert.equal(refused.text, '{"message":"Forbidden"}');
      const allowed = await get(http('/simple'), { authorization: 'secret' });
      assert.equal(allowed.status, 200, allowed.text);
      const { lambda } = allowed.json.requestContext.authorizer;
      assert.equal(lambda.user, 'ada');
      assert.equal(lambda.version, '2.0');
      assert.equal(lambda.level, 3);
      assert.deepEqual(lambda.identitySource, ['secret']);
      assert.equal(lambda.routeArn, `arn:aws:execute-api:eu-west-1:111122223333:${allowed.json.requestContext.apiId as string}/$default/GET/simple`);
      // Cached for the same identity (the CDK default TTL is 300 s).
      const again = await get(http('/simple'), { authorization: 'secret' });
      assert.equal(again.json.requestContext.authorizer.lambda.calls, lambda.calls);
    });

    it('with payload 1.0 and an IAM policy: allowed or 403, its context in the 1.0 event', async () => {
      const allowed = await get(http('/policy'), { authorization: 'secret' });
      assert.equal(allowed.status, 200, allowed.text);
      assert.equal(allowed.json.requestContext.authorizer.user, 'ada');
      assert.equal(allowed.json.requestContext.authorizer.version, '1.0');
      assert.equal(allowed.json.requestContext.authorizer.principalId, 'user-ada');
      const denied = await get(http('/policy'), { authorization: 'nope' });
      assert.equal(denied.status, 403);
      assert.equal(denied.text, '{"message":"Forbidden"}');
    });
  });

  describe('an HTTP API JWT authorizer', () => {
    it("S.103 S.104 takes a token signed by the issuer's key, its claims under authorizer.jwt", async () => {
      const response = await get(http('/jwt'), { authorization: `Bearer ${await sign(jwtClaims({ email: 'ada@example.com', groups: ['a', 'b'] }))}` });
      assert.equal(response.status, 200, response.text);
      const { jwt } = response.json.requestContext.authorizer;
      assert.equal(jwt.claims.sub, 'user-1');
      assert.equal(jwt.claims.email, 'ada@example.com');
      assert.equal(typeof jwt.claims.exp, 'string');
      assert.equal(jwt.claims.groups, '[a b]');
      assert.equal(jwt.scopes, null);
      assert.ok(idp.keyRequests() >= 1);
    });

    it('answers 401 to a missing, expired, not-yet-valid, wrongly signed or wrong-audience token', async () => {
      const missing = await get(http('/jwt'));
      assert.equal(missing.status, 401);
      assert.equal(missing.text, '{"message":"Unauthorized"}');
      const tokens = [
        await sign(jwtClaims({ iat: now() - 7200, exp: now() - 3600 })),
        await sign(jwtClaims({ nbf: now() + 3600 })),
        await sign(jwtClaims(), strangerKey),
        await sign(jwtClaims({ aud: 'someone-else' })),
      ];
      for (const token of tokens) {
        const response = await get(http('/jwt'), { authorization: `Bearer ${token}` });
        assert.equal(response.status, 401, response.text);
        assert.equal(response.text, '{"message":"Unauthorized"}');
        assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer scope="" error="invalid_token" error_description="/);
      }
    });

    it("answers 403 when the token has none of the route's scopes, and hands the scopes on when it has", async () => {
      const unscoped = await get(http('/jwt-scoped'), { authorization: `Bearer ${await sign(jwtClaims({ scope: 'orders/write' }))}` });
      assert.equal(unscoped.status, 403);
      assert.equal(unscoped.text, '{"message":"Forbidden"}');
      assert.match(unscoped.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
      const scoped = await get(http('/jwt-scoped'), { authorization: `Bearer ${await sign(jwtClaims({ scope: 'orders/read orders/write' }))}` });
      assert.equal(scoped.status, 200, scoped.text);
      assert.deepEqual(scoped.json.requestContext.authorizer.jwt.scopes, ['orders/read', 'orders/write']);
    });

    it('accepts a token of an issuer whose keys cannot be fetched, on its claims, and says so once', async () => {
      const token = await sign(jwtClaims({ iss: UNREACHABLE_ISSUER }), strangerKey);
      for (let round = 0; round < 2; round += 1) {
        const response = await get(http('/unverified'), { authorization: token });
        assert.equal(response.status, 200, response.text);
      }
      const told = notices.filter((line) => line.startsWith(`The keys of JWT issuer ${UNREACHABLE_ISSUER} could not be fetched`));
      assert.equal(told.length, 1, notices.join('\n'));
      const expired = await sign(jwtClaims({ iss: UNREACHABLE_ISSUER, exp: now() - 60 }), strangerKey);
      assert.equal((await get(http('/unverified'), { authorization: expired })).status, 401);
    });

    it("takes a token of the app's user pool for the issuer and audience printed at start", async () => {
      const line = notices.find((notice) => notice.startsWith('AuthStack/Gate: authorizer PoolJwt takes tokens'));
      const [, issuer, audience] = /as issuer (\S+) and audience (\S+) /.exec(line ?? '') ?? [];
      assert.ok(issuer !== undefined && audience !== undefined, notices.join('\n'));
      assert.match(issuer, /^https:\/\/cognito-idp\.eu-west-1\.amazonaws\.com\/eu-west-1_\w{9}$/);
      const claims = { iss: issuer, sub: 'user-1', token_use: 'access', client_id: audience, iat: now() - 10, exp: now() + 3600 };
      const response = await get(http('/pool'), { authorization: `Bearer ${await sign(claims, strangerKey)}` });
      assert.equal(response.status, 200, response.text);
      assert.equal(response.json.requestContext.authorizer.jwt.claims.client_id, audience);
      const otherClient = await get(http('/pool'), { authorization: `Bearer ${await sign({ ...claims, client_id: 'another-client' }, strangerKey)}` });
      assert.equal(otherClient.status, 401);
    });

    it('accepts any signature with verifyJwt false (--no-verify-jwt), and says so at start', async () => {
      const unverifiedNotices: string[] = [];
      await using unverified = await startApi({ local, verifyJwt: false, onNotice: (message) => unverifiedNotices.push(message) });
      const gate = unverified.endpoints.find((item) => item.path === 'AuthStack/Gate');
      assert.ok(gate);
      assert.ok(unverifiedNotices.some((line) => line === 'AuthStack/Gate: JWT signatures are not checked (--no-verify-jwt); issuer, audience, expiry and scopes are.'), unverifiedNotices.join('\n'));
      const stranger = await sign(jwtClaims(), strangerKey);
      assert.equal((await fetch(`http://127.0.0.1:${gate.port}/jwt`, { headers: { authorization: `Bearer ${stranger}` } })).status, 200);
      const wrongAudience = await sign(jwtClaims({ aud: 'someone-else' }), strangerKey);
      assert.equal((await fetch(`http://127.0.0.1:${gate.port}/jwt`, { headers: { authorization: `Bearer ${wrongAudience}` } })).status, 401);
    });
  });
});
