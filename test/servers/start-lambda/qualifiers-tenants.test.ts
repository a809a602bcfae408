import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  InvokeWithResponseStreamCommand,
  LambdaClient,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
} from '@aws-sdk/client-lambda';
import type { LogRecord, TelemetryEvent } from '../../../lib/environment/index.js';
import type { LocalLambda } from '../../../lib/host/index.js';
import { startLambdaServer, type LambdaServer } from '../../../lib/servers/index.js';
import { processesWithMarker, type MarkedApp } from '../../helpers/marked-app.js';
import {
  createQualifiersApp,
  PLAIN_FUNCTION,
  QUALIFIERS_MARKER_VARIABLE,
  TENANTED_FUNCTION,
  TENANTED_PYTHON_FUNCTION,
  VERSIONED_FUNCTION,
} from '../../helpers/qualifiers-app.js';
import { Recorder } from '../events.js';

const ARN = (name: string) => `arn:aws:lambda:us-east-1:111122223333:function:${name}`;

interface Answer {
  readonly count: number;
  readonly environmentId: string;
  readonly version: string;
  readonly functionVersion?: string;
  readonly invokedFunctionArn: string;
  readonly tenantId: string | null;
}

async function expectServiceError(promise: Promise<unknown>, name: string, status: number, message?: RegExp): Promise<void> {
  try {
    await promise;
  } catch (error) {
    const failure = error as Error & { $metadata?: { httpStatusCode?: number } };
    assert.equal(failure.name, name, failure.message);
    assert.equal(failure.$metadata?.httpStatusCode, status);
    if (message !== undefined) assert.match(failure.message, message);
    return;
  }
  assert.fail(`expected ${name}`);
}

describe('start-lambda: versions, aliases and tenants with the AWS SDK for JavaScript v3', () => {
  let app: MarkedApp;
  let local: LocalLambda;
  let server: LambdaServer;
  let client: LambdaClient;
  const logs = new Recorder<LogRecord>();
  const telemetry = new Recorder<TelemetryEvent>();
  const notices = new Recorder<string>();

  before(async () => {
    app = await createQualifiersApp();
    local = await app.open({ onLog: logs.push, onTelemetry: telemetry.push, onNotice: notices.push });
    server = await startLambdaServer({ local });
    client = new LambdaClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' }, maxAttempts: 1 });
  });

  after(async () => {
    client?.destroy();
    await Promise.all([server?.close(), local?.close()]);
    if (app !== undefined) {
      assert.deepEqual(await processesWithMarker(QUALIFIERS_MARKER_VARIABLE, app.marker), [], 'no runtime process outlives close()');
      await app.remove();
    }
  });

  async function invoke(input: ConstructorParameters<typeof InvokeCommand>[0]): Promise<{ answer: Answer; executedVersion: string | undefined }> {
    const result = await client.send(new InvokeCommand({ Payload: '{}', ...input }));
    assert.equal(result.FunctionError, undefined, Buffer.from(result.Payload ?? []).toString());
    return { answer: JSON.parse(Buffer.from(result.Payload!).toString('utf8')) as Answer, executedVersion: result.ExecutedVersion };
  }

  it('runs the version a Qualifier or a qualified ARN names, and says which in ExecutedVersion', async () => {
    const latest = await invoke({ FunctionName: VERSIONED_FUNCTION });
    assert.equal(latest.executedVersion, '$LATEST');
    assert.equal(latest.answer.version, '$LATEST');
    assert.equal(latest.answer.invokedFunctionArn, ARN(VERSIONED_FUNCTION));

    const live = await invoke({ FunctionName: VERSIONED_FUNCTION, Qualifier: 'live' });
    assert.equal(live.executedVersion, '1');
    assert.equal(live.answer.version, '1');
    assert.equal(live.answer.functionVersion, '1');
    assert.equal(live.answer.invokedFunctionArn, `${ARN(VERSIONED_FUNCTION)}:live`);

    const second = await invoke({ FunctionName: `${ARN(VERSIONED_FUNCTION)}:2` });
    assert.equal(second.executedVersion, '2');
    assert.equal(second.answer.version, '2');
    assert.equal(second.answer.invokedFunctionArn, `${ARN(VERSIONED_FUNCTION)}:2`);

    const streamed = await client.send(new InvokeWithResponseStreamCommand({ FunctionName: VERSIONED_FUNCTION, Qualifier: 'live', Payload: '{}' }));
    assert.equal(streamed.ExecutedVersion, '1');
    for await (const event of streamed.EventStream ?? []) assert.equal(event.InvokeComplete?.ErrorCode, undefined);

    const byNumber = await invoke({ FunctionName: VERSIONED_FUNCTION, Qualifier: '1' });
    assert.equal(byNumber.executedVersion, '1');
    // Versions never share an environment with $LATEST or with each other; an alias runs in its version's.
    assert.notEqual(latest.answer.environmentId, live.answer.environmentId);
    assert.notEqual(live.answer.environmentId, second.answer.environmentId);
    assert.equal(byNumber.answer.environmentId, live.answer.environmentId);
    assert.equal(byNumber.answer.count, live.answer.count + 2);
  });

  it('routes an alias with AdditionalVersionWeights to both of its versions', async () => {
    const seen = new Set<string>();
    for (let attempt = 0; attempt < 100 && seen.size < 2; attempt++) {
      const { executedVersion, answer } = await invoke({ FunctionName: VERSIONED_FUNCTION, Qualifier: 'canary' });
      assert.equal(answer.version, executedVersion);
      assert.equal(answer.invokedFunctionArn, `${ARN(VERSIONED_FUNCTION)}:canary`);
      seen.add(executedVersion!);
    }
    assert.deepEqual([...seen].sort(), ['1', '2']);
  });

  it('says once that provisioned concurrency is not emulated, and what a version is here', async () => {
    const warm = await invoke({ FunctionName: VERSIONED_FUNCTION, Qualifier: 'warm' });
    assert.equal(warm.executedVersion, '2');
    await notices.waitFor((notice) => /:warm declares provisioned concurrency \(1\)/.test(notice));
    assert.equal(notices.values.filter((notice) => /QualifierStack\/Versioned: its versions run the function as the app declares it now/.test(notice)).length, 1);
  });

  it('answers ResourceNotFoundException for a qualifier the app does not declare', async () => {
    await expectServiceError(client.send(new InvokeCommand({ FunctionName: VERSIONED_FUNCTION, Qualifier: '7' })), 'ResourceNotFoundException', 404, /:versioned-fn:7/);
    await expectServiceError(client.send(new InvokeCommand({ FunctionName: `${VERSIONED_FUNCTION}:beta` })), 'ResourceNotFoundException', 404, /\$LATEST, 1, 2, live, canary, warm/);
    await expectServiceError(client.send(new GetFunctionCommand({ FunctionName: VERSIONED_FUNCTION, Qualifier: 'beta' })), 'ResourceNotFoundException', 404);
    await expectServiceError(client.send(new GetAliasCommand({ FunctionName: VERSIONED_FUNCTION, Name: 'beta' })), 'ResourceNotFoundException', 404, /Alias not found/);
  });

  it('answers GetFunction, GetFunctionConfiguration, ListVersionsByFunction, ListAliases and GetAlias', async () => {
    const live = await client.send(new GetFunctionCommand({ FunctionName: VERSIONED_FUNCTION, Qualifier: 'live' }));
    assert.equal(live.Configuration?.Version, '1');
    assert.equal(live.Configuration?.FunctionArn, `${ARN(VERSIONED_FUNCTION)}:live`);
    const second = await client.send(new GetFunctionConfigurationCommand({ FunctionName: VERSIONED_FUNCTION, Qualifier: '2' }));
    assert.equal(second.Version, '2');
    assert.equal(second.Description, 'second');
    const unqualified = await client.send(new GetFunctionConfigurationCommand({ FunctionName: VERSIONED_FUNCTION }));
    assert.equal(unqualified.Version, '$LATEST');
    assert.equal(unqualified.FunctionArn, ARN(VERSIONED_FUNCTION));

    const versions = await client.send(new ListVersionsByFunctionCommand({ FunctionName: VERSIONED_FUNCTION }));
    assert.deepEqual(
      versions.Versions?.map((version) => [version.Version, version.FunctionArn]),
      [
        ['$LATEST', `${ARN(VERSIONED_FUNCTION)}:$LATEST`],
        ['1', `${ARN(VERSIONED_FUNCTION)}:1`],
        ['2', `${ARN(VERSIONED_FUNCTION)}:2`],
      ],
    );
    const paged = await client.send(new ListVersionsByFunctionCommand({ FunctionName: VERSIONED_FUNCTION, MaxItems: 2 }));
    assert.equal(paged.Versions?.length, 2);
    const rest = await client.send(new ListVersionsByFunctionCommand({ FunctionName: VERSIONED_FUNCTION, Marker: paged.NextMarker }));
    assert.deepEqual(rest.Versions?.map((version) => version.Version), ['2']);
    assert.equal(rest.NextMarker, undefined);

    const aliases = await client.send(new ListAliasesCommand({ FunctionName: VERSIONED_FUNCTION }));
    assert.deepEqual(
      aliases.Aliases?.map((alias) => [alias.Name, alias.FunctionVersion, alias.AliasArn]),
      [
        ['live', '1', `${ARN(VERSIONED_FUNCTION)}:live`],
        ['canary', '1', `${ARN(VERSIONED_FUNCTION)}:canary`],
        ['warm', '2', `${ARN(VERSIONED_FUNCTION)}:warm`],
      ],
    );
    const ofTwo = await client.send(new ListAliasesCommand({ FunctionName: VERSIONED_FUNCTION, FunctionVersion: '2' }));
    assert.deepEqual(ofTwo.Aliases?.map((alias) => alias.Name), ['warm']);
    const canary = await client.send(new GetAliasCommand({ FunctionName: VERSIONED_FUNCTION, Name: 'canary' }));
    assert.deepEqual(canary.RoutingConfig, { AdditionalVersionWeights: { '2': 0.5 } });
    assert.equal(canary.FunctionVersion, '1');
    assert.match(canary.RevisionId ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-/);

    const plain = await client.send(new ListVersionsByFunctionCommand({ FunctionName: PLAIN_FUNCTION }));
    assert.deepEqual(plain.Versions?.map((version) => version.Version), ['$LATEST']);
    assert.deepEqual((await client.send(new ListAliasesCommand({ FunctionName: PLAIN_FUNCTION }))).Aliases, []);
  });

  it('gives each tenant environments of its own, and the runtime its tenant id', async () => {
    const blue = await invoke({ FunctionName: TENANTED_FUNCTION, TenantId: 'blue' });
    const blueAgain = await invoke({ FunctionName: TENANTED_FUNCTION, TenantId: 'blue' });
    const green = await invoke({ FunctionName: TENANTED_FUNCTION, TenantId: 'green' });
    assert.equal(blue.answer.tenantId, 'blue');
    assert.equal(green.answer.tenantId, 'green');
    // The module-level counter: blue's environment saw two calls, green's only its own.
    assert.equal(blueAgain.answer.environmentId, blue.answer.environmentId);
    assert.equal(blueAgain.answer.count, blue.answer.count + 1);
    assert.notEqual(green.answer.environmentId, blue.answer.environmentId);
    assert.equal(green.answer.count, 1);
    assert.equal(local.environmentCount(TENANTED_FUNCTION, { tenantId: 'blue' }).current, 1);
    assert.equal(local.environmentCount(TENANTED_FUNCTION, { tenantId: 'green' }).current, 1);
    assert.equal(local.environmentCount(TENANTED_FUNCTION).current, 0);
  });

  it('puts the tenant id on platform.start and on the function log lines in JSON', async () => {
    const { answer } = await invoke({ FunctionName: TENANTED_FUNCTION, TenantId: 'violet' });
    assert.equal(answer.tenantId, 'violet');
    const [start] = await telemetry.waitFor((event) => event.type === 'platform.start' && (event.record as { tenantId?: string }).tenantId === 'violet');
    assert.ok(start);
    const [line] = await logs.waitFor((record) => record.type === 'function' && record.text.includes('tenant violet call'));
    assert.equal((JSON.parse(line!.text) as { tenantId?: string }).tenantId, 'violet');
  });

  it('gives a Python function its tenant as context.tenant_id', async () => {
    const amber = await invoke({ FunctionName: TENANTED_PYTHON_FUNCTION, TenantId: 'amber' });
    const coral = await invoke({ FunctionName: TENANTED_PYTHON_FUNCTION, TenantId: 'coral' });
    assert.equal(amber.answer.tenantId, 'amber');
    assert.equal(coral.answer.tenantId, 'coral');
    assert.notEqual(amber.answer.environmentId, coral.answer.environmentId);
    assert.equal(coral.answer.count, 1);
  });

  it('refuses a tenant-isolated invoke without a tenant id, and a tenant id for any other function', async () => {
    await expectServiceError(client.send(new InvokeCommand({ FunctionName: TENANTED_FUNCTION })), 'InvalidParameterValueException', 400, /tenant id/);
    await expectServiceError(
      client.send(new InvokeCommand({ FunctionName: TENANTED_FUNCTION, InvocationType: 'Event' })),
      'InvalidParameterValueException',
      400,
      /tenant id/,
    );
    await expectServiceError(client.send(new InvokeCommand({ FunctionName: PLAIN_FUNCTION, TenantId: 'blue' })), 'InvalidParameterValueException', 400, /without a tenant id/);
    const configuration = await client.send(new GetFunctionConfigurationCommand({ FunctionName: TENANTED_FUNCTION }));
    assert.deepEqual(configuration.TenancyConfig, { TenantIsolationMode: 'PER_TENANT' });
  });
});
