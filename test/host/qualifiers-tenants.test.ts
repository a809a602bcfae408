import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ErrorCodes, isCdkLocalError } from '../../lib/errors.js';
import type { LocalLambda } from '../../lib/host/index.js';
import { processesWithMarker, type MarkedApp } from '../helpers/marked-app.js';
import { createQualifiersApp, QUALIFIERS_MARKER_VARIABLE } from '../helpers/qualifiers-app.js';

function rejectsWith(code: string) {
  return (error: unknown): boolean => {
    assert.ok(isCdkLocalError(error), String(error));
    assert.equal(error.code, code, error.message);
    return true;
  };
}

describe('LocalLambda: qualifiers and tenants', () => {
  let app: MarkedApp;
  let local: LocalLambda;
  let scratch: string;

  before(async () => {
    app = await createQualifiersApp();
    scratch = await mkdtemp(join(tmpdir(), 'cdk-local-tenants-'));
    // One environment per function (per tenant): a second invocation of a busy tenant is throttled.
    // No sandbox: the function waits for a file of this test's temp directory.
    local = await app.open({ maxConcurrency: 1, sandbox: false });
  });

  after(async () => {
    await local?.close();
    if (app !== undefined) {
      assert.deepEqual(await processesWithMarker(QUALIFIERS_MARKER_VARIABLE, app.marker), [], 'no runtime process outlives close()');
      await app.remove();
    }
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  });

  it('invokes a version or alias, and says which version ran', async () => {
    const live = await local.invoke('Versioned', { qualifier: 'live' });
    assert.equal(live.error, undefined);
    assert.equal(live.executedVersion, '1');
    assert.equal((live.payload as { version: string }).version, '1');
    assert.ok(live.records.some((record) => record.text.startsWith(`START RequestId: ${live.requestId} Version: 1`)));
    const latest = await local.invoke('Versioned');
    assert.equal(latest.executedVersion, '$LATEST');
    assert.equal(local.environmentCount('Versioned', { qualifier: '1' }).current, 1);
    assert.equal(local.environmentCount('Versioned').current, 1);
    await assert.rejects(local.invoke('Versioned', { qualifier: 'beta' }), rejectsWith(ErrorCodes.QUALIFIER_NOT_FOUND));
  });

  it('keeps the warm environments of a version when the app is read again unchanged', async () => {
    const before = await local.invoke('Versioned', { qualifier: '2' });
    const { changed } = local.adopt(local.functions.map((spec) => ({ ...spec })));
    assert.deepEqual(changed, []);
    assert.equal(local.environmentCount('Versioned', { qualifier: '2' }).current, 1);
    const after = await local.invoke('Versioned', { qualifier: '2' });
    assert.equal((after.payload as { environmentId: string }).environmentId, (before.payload as { environmentId: string }).environmentId);
    assert.equal(after.report.initDurationMs, undefined, 'a warm start');
  });

  it('needs a tenant id for a tenant-isolated function, and refuses one for any other', async () => {
    await assert.rejects(local.invoke('Tenanted'), rejectsWith(ErrorCodes.TENANT_ID_MISMATCH));
    await assert.rejects(local.invoke('Plain', { tenantId: 'blue' }), rejectsWith(ErrorCodes.TENANT_ID_MISMATCH));
  });

  it('counts the concurrency of each tenant apart', async () => {
    const release = join(scratch, 'release-blue');
    const busy = await local.start('Tenanted', { payload: Buffer.from(JSON.stringify({ holdUntil: release })), tenantId: 'blue' });
    try {
      // Blue's one environment is busy: another blue invocation is throttled, green's runs.
      await assert.rejects(local.invoke('Tenanted', { tenantId: 'blue' }), rejectsWith(ErrorCodes.TOO_MANY_REQUESTS));
      const green = await local.invoke('Tenanted', { tenantId: 'green' });
      assert.equal(green.error, undefined);
      assert.equal((green.payload as { tenantId: string }).tenantId, 'green');
    } finally {
      await writeFile(release, '');
    }
    const report = await busy.report;
    assert.equal(report.status, 'success');
    assert.equal(busy.executedVersion, '$LATEST');
  });
});
