import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { processesWithMarker, type MarkedApp } from '../helpers/marked-app.js';
import { createQualifiersApp, QUALIFIERS_MARKER_VARIABLE } from '../helpers/qualifiers-app.js';
import { runCli, type CliRun } from '../helpers/run-cli.js';

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
});
