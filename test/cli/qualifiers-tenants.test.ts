import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { processesWithMarker, type MarkedApp } from '../helpers/marked-app.js';
import { createQualifiersApp, QUALIFIERS_MARKER_VARIABLE } from '../helpers/qualifiers-app.js';
import { CLI_PATH } from '../helpers/example-app.js';
import { limitRun, runCli, withinLimit, type CliRun } from '../helpers/run-cli.js';
import { Recorder } from '../servers/events.js';

describe('cdk-local invoke and list: versions, aliases and tenants', () => {
  let app: MarkedApp;

  before(async () => {
    app = await createQualifiersApp();
  });

  after(async () => {
    if (app !== undefined) {
      assert.deepEqual(await processesWithMarker(QUALIFIERS_MARKER_VARIABLE, app.marker), [], 'no runtime process outlived cdk-local');
      await app.remove();
    }
  });

  function invoke(name: string, ...extra: string[]): Promise<CliRun> {
    return runCli(['invoke', name, '--app', app.assembly, '--env-vars', app.envVarsFile, ...extra]);
  }

  it('runs the version an alias names, given as --qualifier or as FUNCTION:QUALIFIER', async () => {
    const byOption = await invoke('Versioned', '--qualifier', 'live');
    assert.equal(byOption.exitCode, 0, byOption.stderr);
    const answer = JSON.parse(byOption.stdout) as { version: string; invokedFunctionArn: string };
    assert.equal(answer.version, '1');
    assert.match(answer.invokedFunctionArn, /:function:versioned-fn:live$/);
    assert.match(byOption.stderr, /^START RequestId: \S+ Version: 1$/m);

    const byName = await invoke('QualifierStack/Versioned:2');
    assert.equal(byName.exitCode, 0, byName.stderr);
    assert.equal((JSON.parse(byName.stdout) as { version: string }).version, '2');

    const unknown = await invoke('Versioned', '--qualifier', 'beta');
    assert.equal(unknown.exitCode, 2);
    assert.match(unknown.stderr, /has no version or alias 'beta' \(found: \$LATEST, 1, 2, live, canary, warm\)/);
  });

  it('passes --tenant-id to a tenant-isolated function and says when one is missing or not wanted', async () => {
    const blue = await invoke('Tenanted', '--tenant-id', 'blue');
    assert.equal(blue.exitCode, 0, blue.stderr);
    assert.equal((JSON.parse(blue.stdout) as { tenantId: string }).tenantId, 'blue');

    const missing = await invoke('Tenanted');
    assert.equal(missing.exitCode, 2);
    assert.match(missing.stderr, /has tenant isolation \(PER_TENANT\): give a tenant id/);
    const unwanted = await invoke('Plain', '--tenant-id', 'blue');
    assert.equal(unwanted.exitCode, 2);
    assert.match(unwanted.stderr, /does not have tenant isolation/);
  });

  it('lists versions, aliases and tenant isolation', async () => {
    const table = await runCli(['list', '--app', app.assembly]);
    assert.equal(table.exitCode, 0, table.stderr);
    assert.match(table.stdout, /^QualifierStack\/Versioned .*\n  versions: 1, 2\n  alias live -> 1\n  alias canary -> 1 \(50% to 2\)\n  alias warm -> 2\n/m);
    assert.match(table.stdout, /^QualifierStack\/Tenanted .*\n  tenant isolation: PER_TENANT/m);

    const json = await runCli(['list', '--json', '--app', app.assembly]);
    const rows = JSON.parse(json.stdout) as { path: string; versions?: string[]; aliases?: unknown[]; tenantIsolationMode?: string }[];
    const versioned = rows.find((row) => row.path === 'QualifierStack/Versioned');
    assert.deepEqual(versioned?.versions, ['1', '2']);
    assert.deepEqual(versioned?.aliases, [
      { name: 'live', functionVersion: '1' },
      { name: 'canary', functionVersion: '1', additionalVersionWeights: { '2': 0.5 } },
      { name: 'warm', functionVersion: '2' },
    ]);
    assert.equal(rows.find((row) => row.path === 'QualifierStack/Tenanted')?.tenantIsolationMode, 'PER_TENANT');
    assert.equal(rows.find((row) => row.path === 'QualifierStack/Plain')?.versions, undefined);
  });

  it('start-lambda labels the logs and the invocation lines of a version and a tenant', async () => {
    const child = spawn(process.execPath, [CLI_PATH, 'start-lambda', '--app', app.assembly, '--env-vars', app.envVarsFile, '--port', '0'], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDLOCAL', AWS_SECRET_ACCESS_KEY: 'local' },
      detached: true,
    });
    const stdout = new Recorder<string>();
    const stderr = new Recorder<string>();
    for (const [stream, into] of [[child.stdout, stdout], [child.stderr, stderr]] as const) {
      stream.setEncoding('utf8');
      let rest = '';
      stream.on('data', (text: string) => {
        const lines = (rest + text).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) into.push(line);
      });
    }
    const limit = limitRun(child, 'cdk-local start-lambda', () => `${stdout.values.join('\n')}\n${stderr.values.join('\n')}`);
    const exited = withinLimit(once(child, 'close').then(([code]) => code as number | null), limit);
    let client: LambdaClient | undefined;
    try {
      const [ready] = await stdout.waitFor((line) => /^cdk-local: Lambda Invoke API at http:/.test(line));
      const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(ready!)![1]!;
      client = new LambdaClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' }, maxAttempts: 1 });
      const live = await client.send(new InvokeCommand({ FunctionName: 'versioned-fn', Qualifier: 'live' }));
      assert.equal(live.ExecutedVersion, '1');
      await client.send(new InvokeCommand({ FunctionName: 'tenanted-fn', TenantId: 'blue' }));
      await stderr.waitFor((line) => /^\[Versioned:1\] START RequestId: \S+ Version: 1$/.test(line));
      await stderr.waitFor((line) => /^cdk-local: Versioned:1: Invoke RequestResponse \S+: success/.test(line));
      await stderr.waitFor((line) => /^cdk-local: Tenanted \(tenant blue\): Invoke RequestResponse \S+: success/.test(line));
    } finally {
      client?.destroy();
      if (child.exitCode === null) child.kill('SIGINT');
      await exited;
    }
  });
});
