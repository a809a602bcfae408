// `--profile` naming a profile that signs in with AWS IAM Identity Center (SSO): the function
// gets the role credentials the SSO portal hands out for the cached token, and a missing or
// expired token is one sentence naming `aws sso login`. The portal is a local HTTP server
// reached through AWS_ENDPOINT_URL_SSO; HOME and the config file are temp ones.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { runCli, type CliRun } from '../helpers/run-cli.js';

const ROLE_CREDENTIALS = { accessKeyId: 'ASIASSOROLE', secretAccessKey: 'sso-role-secret', sessionToken: 'sso-role-session' };
const ACCESS_TOKEN = 'cached-sso-access-token';

const CONFIG = `[profile sso-dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer
region = eu-west-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile sso-legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 111122223333
sso_role_name = Developer
`;

/** A request the fake SSO portal received. */
interface PortalRequest {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

describe('cdk-local invoke --profile with an SSO profile', () => {
  let scratch: string;
  let home: string;
  let assembly: string;
  let portal: Server;
  let portalUrl: string;
  const requests: PortalRequest[] = [];

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'cdk-local-sso-'));
    home = join(scratch, 'home');
    await mkdir(join(home, '.aws'), { recursive: true });
    await writeFile(join(home, '.aws', 'config'), CONFIG);

    assembly = join(scratch, 'cdk.out');
    const app = new App({ outdir: assembly, context: { 'aws:cdk:disable-version-reporting': true }, builtinCloudFormationValidation: false, stackTraces: false });
    const stack = new Stack(app, 'SsoStack', { env: { region: 'eu-west-1', account: '111122223333' } });
    new lambda.Function(stack, 'Keys', {
      runtime: lambda.Runtime.NODEJS_20_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY, sessionToken: process.env.AWS_SESSION_TOKEN });'),
      timeout: Duration.seconds(30),
    });
    app.synth();

    // GetRoleCredentials, as the SSO portal answers it for a valid bearer token.
    portal = createServer((request, response) => {
      requests.push({ url: request.url ?? '', headers: request.headers });
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (url.pathname !== '/federation/credentials' || request.headers['x-amz-sso_bearer_token'] !== ACCESS_TOKEN) {
        response.writeHead(401, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'UnauthorizedException' });
        response.end(JSON.stringify({ message: 'Session token not found or invalid' }));
        return;
      }
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ roleCredentials: { ...ROLE_CREDENTIALS, expiration: Date.now() + 3_600_000 } }));
    });
    portal.listen(0, '127.0.0.1');
    await once(portal, 'listening');
    portalUrl = `http://127.0.0.1:${(portal.address() as AddressInfo).port}`;
  });

  after(async () => {
    portal?.close();
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  });

  beforeEach(async () => {
    requests.length = 0;
    await rm(join(home, '.aws', 'sso'), { recursive: true, force: true });
  });

  /** Writes the SSO token cache entry the AWS CLI's `aws sso login` leaves for `key` (an sso-session name or a start URL). */
  async function cacheToken(key: string, startUrl: string, expiresInMs: number): Promise<void> {
    const cache = join(home, '.aws', 'sso', 'cache');
    await mkdir(cache, { recursive: true });
    const file = `${createHash('sha1').update(key).digest('hex')}.json`;
    const expiresAt = new Date(Date.now() + expiresInMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await writeFile(join(cache, file), JSON.stringify({ startUrl, region: 'eu-west-1', accessToken: ACCESS_TOKEN, expiresAt }));
  }

  function invoke(profile: string): Promise<CliRun> {
    return runCli(['invoke', 'Keys', '--app', assembly, '--profile', profile, '--no-sandbox'], {
      cwd: scratch,
      env: {
        HOME: home,
        AWS_CONFIG_FILE: join(home, '.aws', 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, '.aws', 'credentials'),
        AWS_ENDPOINT_URL_SSO: portalUrl,
        AWS_ACCESS_KEY_ID: '',
        AWS_SECRET_ACCESS_KEY: '',
        AWS_SESSION_TOKEN: '',
        AWS_PROFILE: '',
      },
    });
  }

  for (const [profile, key, startUrl] of [
    ['sso-dev', 'corp', 'https://corp.awsapps.com/start'],
    ['sso-legacy', 'https://legacy.awsapps.com/start', 'https://legacy.awsapps.com/start'],
  ] as const) {
    it(`${profile}: the function gets the role credentials the portal gives for the cached token`, async () => {
      await cacheToken(key, startUrl, 3_600_000);
      const run = await invoke(profile);
      assert.equal(run.exitCode, 0, run.stderr);
      assert.deepEqual(JSON.parse(run.stdout), ROLE_CREDENTIALS);
      assert.equal(requests.length, 1, `portal requests: ${requests.map((request) => request.url).join(', ')}`);
      const asked = new URL(requests[0]!.url, 'http://localhost');
      assert.equal(asked.searchParams.get('role_name'), 'Developer');
      assert.equal(asked.searchParams.get('account_id'), '111122223333');
    });

    it(`${profile}: an expired token is one sentence naming aws sso login, exit code 2`, async () => {
      await cacheToken(key, startUrl, -3_600_000);
      const run = await invoke(profile);
      assert.equal(run.exitCode, 2, run.stderr);
      assert.equal(run.stdout, '');
      const [first] = run.stderr.split('\n');
      assert.equal(
        first,
        `cdk-local: Profile '${profile}' signs in with AWS IAM Identity Center, and its session has expired or was never started: run 'aws sso login --profile ${profile}', then try again.`,
      );
      assert.equal(requests.length, 0, 'no call to the portal with an expired token');
    });
  }

  it('sso-dev: no cached token at all is the same sentence', async () => {
    const run = await invoke('sso-dev');
    assert.equal(run.exitCode, 2, run.stderr);
    assert.match(run.stderr, /^cdk-local: Profile 'sso-dev' signs in with AWS IAM Identity Center, .*: run 'aws sso login --profile sso-dev', then try again\.$/m);
    assert.doesNotMatch(run.stderr, /unexpected error|\n\s+at /, 'no stack trace');
  });
});
