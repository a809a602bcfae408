import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { generateKeyPair, SignJWT } from 'jose';
import { Recorder } from '../events.js';
import { createMarkedApp, processesWithMarker, type MarkedApp } from '../../helpers/marked-app.js';
import { synthesizeAuthorizersApp } from '../../fixtures/start-api/authorizers-app.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MARKER_VARIABLE = 'CDK_LOCAL_AUTHORIZERS_CLI_MARKER';
const ISSUER = 'http://127.0.0.1:1/issuer';

function lines(stream: NodeJS.ReadableStream, into: Recorder<string>): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (text: string) => {
    const parts = (rest + text).split('\n');
    rest = parts.pop() ?? '';
    for (const line of parts) into.push(line);
  });
}

describe('cdk-local start-api --no-verify-jwt', () => {
  let app: MarkedApp;

  before(async () => {
    app = await createMarkedApp({
      prefix: 'cdk-local-authorizers-cli-',
      synthesize: (outdir) => synthesizeAuthorizersApp(outdir, { issuer: ISSUER, unreachableIssuer: `${ISSUER}/other`, audience: 'client' }),
      markerVariable: MARKER_VARIABLE,
    });
  });

  after(async () => {
    await app?.remove();
  });

  it('says signatures are not checked, takes a token signed by anyone, still checks its claims', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'bin', 'cdk-local.ts'), 'start-api', '--no-sandbox', '--app', app.assembly, '--port', '0', '--env-vars', app.envVarsFile, '--no-verify-jwt', 'AuthStack/Gate'],
      { cwd: REPO_ROOT, env: process.env },
    );
    const stdout = new Recorder<string>();
    const stderr = new Recorder<string>();
    lines(child.stdout, stdout);
    lines(child.stderr, stderr);
    const exited = once(child, 'close').then(([code]) => code as number | null);
    try {
      await stdout.waitFor((line) => line === 'cdk-local: ready', 1, 120_000);
      assert.ok(stderr.values.includes('cdk-local: AuthStack/Gate: JWT signatures are not checked (--no-verify-jwt); issuer, audience, expiry and scopes are.'), stderr.values.join('\n'));
      const url = /^cdk-local: HTTP API AuthStack\/Gate at (\S+)$/.exec(stdout.values.find((line) => line.startsWith('cdk-local: HTTP API')) ?? '')?.[1];
      assert.ok(url, stdout.values.join('\n'));
      const { privateKey } = await generateKeyPair('RS256');
      const sign = (audience: string): Promise<string> =>
        new SignJWT({ sub: 'user-1' }).setProtectedHeader({ alg: 'RS256' }).setIssuer(ISSUER).setAudience(audience).setIssuedAt().setExpirationTime('1h').sign(privateKey);
      const allowed = await fetch(new URL('jwt', url), { headers: { authorization: `Bearer ${await sign('client')}` } });
      assert.equal(allowed.status, 200, await allowed.text());
      const refused = await fetch(new URL('jwt', url), { headers: { authorization: `Bearer ${await sign('another')}` } });
      assert.equal(refused.status, 401);
      await refused.text();
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    }
    // Ctrl-C ends it as a shell's interrupted command does.
    assert.equal(await exited, 130, stderr.values.join('\n'));
    assert.deepEqual(await processesWithMarker(MARKER_VARIABLE, app.marker), []);
  });
});
