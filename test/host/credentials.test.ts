import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isCdkLocalError } from '../../lib/errors.js';
import { resolveCredentials } from '../../lib/host/credentials.js';

describe('resolveCredentials', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cdk-local-credentials-'));
    await writeFile(join(dir, 'credentials'), '[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = secret-default\n\n[dev]\naws_access_key_id=AKIADEV\naws_secret_access_key=secret-dev\naws_session_token=token-dev\n');
    await writeFile(join(dir, 'config'), '[profile sso]\nsso_start_url = https://example.awsapps.com/start\n\n[profile bare]\nregion = eu-west-1\n');
    env = { AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'), AWS_CONFIG_FILE: join(dir, 'config') };
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('takes the environment variables first', async () => {
    assert.deepEqual(await resolveCredentials({ env: { ...env, AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: 'secret-env', AWS_SESSION_TOKEN: 't' } }), {
      accessKeyId: 'AKIAENV',
      secretAccessKey: 'secret-env',
      sessionToken: 't',
    });
  });

  it('then AWS_PROFILE, then the default profile', async () => {
    assert.deepEqual(await resolveCredentials({ env: { ...env, AWS_PROFILE: 'dev' } }), { accessKeyId: 'AKIADEV', secretAccessKey: 'secret-dev', sessionToken: 'token-dev' });
    assert.deepEqual(await resolveCredentials({ env }), { accessKeyId: 'AKIADEFAULT', secretAccessKey: 'secret-default' });
  });

  it('a named profile beats the environment variables', async () => {
    const found = await resolveCredentials({ profile: 'dev', env: { ...env, AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: 'x' } });
    assert.equal(found?.accessKeyId, 'AKIADEV');
  });

  it('a named profile that does not exist, or has no way to get keys, is a one-sentence error', async () => {
    await assert.rejects(resolveCredentials({ profile: 'nope', env }), (error) => isCdkLocalError(error) && /No profile 'nope'/.test(error.message));
    await assert.rejects(resolveCredentials({ profile: 'bare', env }), (error) => isCdkLocalError(error) && /^Profile 'bare' has neither keys nor a way to get them/.test(error.message));
  });

  it('an SSO profile that cannot sign in (here: incomplete) names aws sso login (test/cli/sso-profile.test.ts signs in)', async () => {
    await assert.rejects(
      resolveCredentials({ profile: 'sso', env }),
      (error) => isCdkLocalError(error) && error.code === 'CDKL_CREDENTIALS_FAILED' && error.message.includes("run 'aws sso login --profile sso'") && error.cause !== undefined,
    );
  });

  it('no credentials anywhere: none, and no error', async () => {
    assert.equal(await resolveCredentials({ env: { AWS_SHARED_CREDENTIALS_FILE: join(dir, 'missing'), AWS_CONFIG_FILE: join(dir, 'missing') } }), undefined);
  });
});
