// Intrinsic resolution on small templates: pure, no synthesis needed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppIndex } from '../../lib/assembly/app-index.js';
import { AssetIndex } from '../../lib/assembly/asset-index.js';
import { toCfnTemplate } from '../../lib/assembly/cfn-template.js';
import { generatePhysicalName } from '../../lib/assembly/physical-name.js';
import { partitionOf, type StackEnvironment } from '../../lib/assembly/stack-environment.js';
import { TemplateScope } from '../../lib/assembly/template-scope.js';

function environment(stackName: string, region = 'eu-west-1', accountId = '111122223333'): StackEnvironment {
  return {
    stackName,
    topStackName: stackName,
    displayName: stackName,
    artifactId: stackName,
    region,
    accountId,
    ...partitionOf(region),
    assemblyDirectory: '/nowhere',
  };
}

/** Scopes for templates that form one app. */
function appOf(templates: Record<string, unknown>, region?: string): Record<string, TemplateScope> {
  const app = new AppIndex();
  const scopes: Record<string, TemplateScope> = {};
  for (const [stackName, template] of Object.entries(templates)) {
    const scope = new TemplateScope(toCfnTemplate(template), environment(stackName, region), new AssetIndex(), app);
    app.register(scope);
    scopes[stackName] = scope;
  }
  return scopes;
}

function scopeOf(template: unknown, region?: string): TemplateScope {
  const scope = appOf({ Stack: template }, region)['Stack'];
  assert.ok(scope);
  return scope;
}

/** Resolves to a string and returns the reasons too. */
function resolve(scope: TemplateScope, expression: unknown): { value: string; reasons: string[] } {
  const reasons: string[] = [];
  return { value: scope.resolveString(expression, reasons), reasons };
}

const resources = {
  Table: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'orders' }, Metadata: { 'aws:cdk:path': 'Stack/Table/Resource' } },
  Anonymous: { Type: 'AWS::DynamoDB::Table', Metadata: { 'aws:cdk:path': 'Stack/Anonymous/Resource' } },
  Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'jobs' } },
  Fifo: { Type: 'AWS::SQS::Queue', Properties: { FifoQueue: true } },
  Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'events' } },
  Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'my-bucket' } },
  Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'runner', Path: '/service/' } },
  Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'worker' } },
  Secret: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: 'db' } },
  Parameter: { Type: 'AWS::SSM::Parameter', Properties: { Name: '/app/url', Type: 'String', Value: 'https://example.com' } },
  Custom: { Type: 'Custom::Thing' },
  Widget: { Type: 'AWS::Example::Widget', Properties: { WidgetName: 'gizmo' } },
};

describe('TemplateScope', () => {
  it('gives Ref and Fn::GetAtt the shape the service gives for each type', () => {
    const scope = scopeOf({ Resources: resources });
    const cases: [unknown, string][] = [
      [{ Ref: 'Table' }, 'orders'],
      [{ 'Fn::GetAtt': ['Table', 'Arn'] }, 'arn:aws:dynamodb:eu-west-1:111122223333:table/orders'],
      [{ Ref: 'Queue' }, 'https://sqs.eu-west-1.amazonaws.com/111122223333/jobs'],
      [{ 'Fn::GetAtt': ['Queue', 'Arn'] }, 'arn:aws:sqs:eu-west-1:111122223333:jobs'],
      [{ 'Fn::GetAtt': 'Queue.QueueName' }, 'jobs'],
      [{ 'Fn::GetAtt': ['Queue', 'QueueUrl'] }, 'https://sqs.eu-west-1.amazonaws.com/111122223333/jobs'],
      [{ Ref: 'Topic' }, 'arn:aws:sns:eu-west-1:111122223333:events'],
      [{ 'Fn::GetAtt': ['Topic', 'TopicName'] }, 'events'],
      [{ Ref: 'Bucket' }, 'my-bucket'],
      [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, 'arn:aws:s3:::my-bucket'],
      [{ 'Fn::GetAtt': ['Bucket', 'DomainName'] }, 'my-bucket.s3.amazonaws.com'],
      [{ 'Fn::GetAtt': ['Bucket', 'RegionalDomainName'] }, 'my-bucket.s3.eu-west-1.amazonaws.com'],
      [{ Ref: 'Role' }, 'runner'],
      [{ 'Fn::GetAtt': ['Role', 'Arn'] }, 'arn:aws:iam::111122223333:role/service/runner'],
      [{ Ref: 'Fn' }, 'worker'],
      [{ 'Fn::GetAtt': ['Fn', 'Arn'] }, 'arn:aws:lambda:eu-west-1:111122223333:function:worker'],
      [{ Ref: 'Parameter' }, '/app/url'],
      [{ 'Fn::GetAtt': ['Parameter', 'Value'] }, 'https://example.com'],
    ];
    for (const [expression, expected] of cases) {
      assert.deepEqual(resolve(scope, expression), { value: expected, reasons: [] }, JSON.stringify(expression));
    }
  });

  it('generates stable names for unnamed resources and says they are generated', () => {
    const scope = scopeOf({ Resources: resources });
    const name = resolve(scope, { Ref: 'Anonymous' });
    assert.match(name.value, /^Stack-Anonymous-[A-Z0-9]{13}$/);
    assert.deepEqual(name.reasons, ['Ref Stack/Anonymous: name generated at deploy']);
    assert.equal(resolve(scopeOf({ Resources: resources }), { Ref: 'Anonymous' }).value, name.value);
    assert.match(resolve(scope, { Ref: 'Fifo' }).value, /^https:\/\/sqs\..*\/Stack-Fifo-[A-Z0-9]{13}\.fifo$/);
  });

  it('makes deploy-time values realistic placeholders with a reason', () => {
    const scope = scopeOf({ Resources: resources });
    const secret = resolve(scope, { Ref: 'Secret' });
    assert.match(secret.value, /^arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-[A-Za-z0-9]{6}$/);
    assert.deepEqual(secret.reasons, ['Ref Stack/Secret: known after deploy']);
    const stream = resolve(scope, { 'Fn::GetAtt': ['Table', 'StreamArn'] });
    assert.match(stream.value, /^arn:aws:dynamodb:eu-west-1:111122223333:table\/orders\/stream\/.+/);
    assert.equal(stream.reasons.length, 1);
    const custom = resolve(scope, { 'Fn::GetAtt': ['Custom', 'Endpoint'] });
    assert.equal(custom.value, 'placeholder-custom-endpoint');
    assert.deepEqual(custom.reasons, ['Fn::GetAtt Stack/Custom.Endpoint: set by a custom resource at deploy']);
    // What Ref gives differs between types the resolver does not know: a guess, said to be one.
    assert.deepEqual(resolve(scope, { Ref: 'Widget' }), { value: 'gizmo', reasons: ['Ref Stack/Widget: known after deploy'] });
    const generic = resolve(scope, { 'Fn::GetAtt': ['Widget', 'Arn'] });
    assert.equal(generic.value, 'arn:aws:example:eu-west-1:111122223333:widget/gizmo');
    assert.equal(generic.reasons.length, 1);
    const missing = resolve(scope, { Ref: 'Nothing' });
    assert.equal(missing.value, 'placeholder-nothing');
    assert.deepEqual(missing.reasons, ['Ref Nothing: no such parameter or resource']);
  });

  it('resolves pseudo parameters, and AWS::NoValue removes what it stands in', () => {
    const scope = scopeOf({}, 'cn-north-1');
    assert.equal(resolve(scope, { Ref: 'AWS::Region' }).value, 'cn-north-1');
    assert.equal(resolve(scope, { Ref: 'AWS::AccountId' }).value, '111122223333');
    assert.equal(resolve(scope, { Ref: 'AWS::Partition' }).value, 'aws-cn');
    assert.equal(resolve(scope, { Ref: 'AWS::URLSuffix' }).value, 'amazonaws.com.cn');
    assert.equal(resolve(scope, { Ref: 'AWS::StackName' }).value, 'Stack');
    const stackId = resolve(scope, { Ref: 'AWS::StackId' });
    assert.match(stackId.value, /^arn:aws-cn:cloudformation:cn-north-1:111122223333:stack\/Stack\/[0-9a-f-]{36}$/);
    assert.deepEqual(stackId.reasons, ['AWS::StackId: known after deploy']);
    assert.deepEqual(scope.resolve({ A: 'a', B: { Ref: 'AWS::NoValue' }, C: ['x', { Ref: 'AWS::NoValue' }] }, []), { A: 'a', C: ['x'] });
  });

  it('reads parameters: defaults, lists, SSM parameters, and none at all', () => {
    const scope = scopeOf({
      Parameters: {
        Stage: { Type: 'String', Default: 'dev' },
        Zones: { Type: 'CommaDelimitedList', Default: 'a,b' },
        Bootstrap: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/hnb659fds/version' },
        Url: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/app/url' },
        Elsewhere: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/team/other' },
        Required: { Type: 'String' },
      },
      Resources: { Parameter: resources.Parameter },
    });
    assert.deepEqual(resolve(scope, { Ref: 'Stage' }), { value: 'dev', reasons: [] });
    assert.deepEqual(scope.resolve({ Ref: 'Zones' }, []), ['a', 'b']);
    assert.deepEqual(resolve(scope, { Ref: 'Bootstrap' }).reasons, []);
    assert.deepEqual(resolve(scope, { Ref: 'Url' }), { value: 'https://example.com', reasons: [] });
    assert.deepEqual(resolve(scope, { Ref: 'Elsewhere' }), {
      value: 'placeholder-ssm-team-other',
      reasons: ['SSM parameter /team/other: read at deploy'],
    });
    assert.deepEqual(resolve(scope, { Ref: 'Required' }), {
      value: 'placeholder-required',
      reasons: ['Ref Required: parameter without a default, given at deploy'],
    });
    assert.deepEqual(resolve(scope, '{{resolve:ssm:/app/url}}/path'), { value: 'https://example.com/path', reasons: [] });
    const secret = resolve(scope, '{{resolve:secretsmanager:db-password:SecretString:password}}');
    assert.equal(secret.value, 'placeholder-secretsmanager-db-password');
    assert.equal(secret.reasons.length, 1);
  });

  it('resolves Fn::Join, Fn::Sub, Fn::Select, Fn::Split, Fn::Base64, Fn::GetAZs, Fn::FindInMap, Fn::ToJsonString', () => {
    const scope = scopeOf({
      Resources: resources,
      Mappings: { Sizes: { dev: { memory: 256 } } },
    });
    const cases: [unknown, string][] = [
      [{ 'Fn::Join': ['-', ['a', { Ref: 'Table' }, 3]] }, 'a-orders-3'],
      [{ 'Fn::Join': [',', { 'Fn::Split': ['|', 'x|y'] }] }, 'x,y'],
      [{ 'Fn::Sub': '${AWS::Region}:${Table}:${Table.Arn}:${!Literal}' }, 'eu-west-1:orders:arn:aws:dynamodb:eu-west-1:111122223333:table/orders:${Literal}'],
      [{ 'Fn::Sub': ['${Name}-${AWS::AccountId}', { Name: { Ref: 'Queue' } }] }, 'https://sqs.eu-west-1.amazonaws.com/111122223333/jobs-111122223333'],
      [{ 'Fn::Select': [1, ['a', 'b', 'c']] }, 'b'],
      [{ 'Fn::Select': ['0', { 'Fn::Split': ['/', 'x/y'] }] }, 'x'],
      [{ 'Fn::Base64': 'hi' }, 'aGk='],
      [{ 'Fn::Select': [2, { 'Fn::GetAZs': '' }] }, 'eu-west-1c'],
      [{ 'Fn::FindInMap': ['Sizes', 'dev', 'memory'] }, '256'],
      [{ 'Fn::FindInMap': ['Sizes', 'prod', 'memory', { DefaultValue: 128 }] }, '128'],
      [{ 'Fn::ToJsonString': { table: { Ref: 'Table' }, size: 2 } }, '{"table":"orders","size":2}'],
      [{ 'Fn::Length': ['a', 'b'] }, '2'],
    ];
    for (const [expression, expected] of cases) {
      assert.deepEqual(resolve(scope, expression), { value: expected, reasons: [] }, JSON.stringify(expression));
    }
    const outOfRange = resolve(scope, { 'Fn::Select': [5, ['a']] });
    assert.equal(outOfRange.reasons.length, 1);
    const unsupported = resolve(scope, { 'Fn::Cidr': ['10.0.0.0/16', 4, 8] });
    assert.deepEqual(unsupported, { value: 'placeholder-cidr', reasons: ['Fn::Cidr: not supported by cdk-local'] });
  });

  it('evaluates conditions, and takes the first branch of one it cannot know', () => {
    const scope = scopeOf({
      Parameters: { Stage: { Type: 'String', Default: 'prod' }, Unknown: { Type: 'String' } },
      Conditions: {
        IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
        IsIreland: { 'Fn::Equals': ['eu-west-1', { Ref: 'AWS::Region' }] },
        Both: { 'Fn::And': [{ Condition: 'IsProd' }, { Condition: 'IsIreland' }] },
        Neither: { 'Fn::Not': [{ 'Fn::Or': [{ Condition: 'IsProd' }, { Condition: 'IsIreland' }] }] },
        Mystery: { 'Fn::Equals': [{ Ref: 'Unknown' }, 'x'] },
        Decided: { 'Fn::Or': [{ Condition: 'Mystery' }, { Condition: 'IsProd' }] },
        Loop: { Condition: 'Loop' },
      },
    });
    const branch = (condition: string): { value: string; reasons: string[] } => resolve(scope, { 'Fn::If': [condition, 'yes', 'no'] });
    assert.deepEqual(branch('IsProd'), { value: 'yes', reasons: [] });
    assert.deepEqual(branch('Both'), { value: 'yes', reasons: [] });
    assert.deepEqual(branch('Neither'), { value: 'no', reasons: [] });
    assert.deepEqual(branch('Decided'), { value: 'yes', reasons: [] });
    assert.deepEqual(branch('Mystery'), { value: 'yes', reasons: ['Fn::If Mystery: condition known only at deploy'] });
    assert.equal(branch('Loop').value, 'yes');
    assert.equal(scope.conditionValue('Mystery'), undefined);
  });

  it('follows Fn::ImportValue and Fn::GetStackOutput to the stack that exports the value', () => {
    const scopes = appOf({
      Producer: {
        Resources: { Table: resources.Table },
        Outputs: {
          TableName: { Value: { Ref: 'Table' }, Export: { Name: { 'Fn::Sub': '${AWS::StackName}-table' } } },
          TableArn: { Value: { 'Fn::GetAtt': ['Table', 'Arn'] } },
        },
      },
      Consumer: {},
    });
    const consumer = scopes['Consumer'];
    assert.ok(consumer);
    assert.deepEqual(resolve(consumer, { 'Fn::ImportValue': 'Producer-table' }), { value: 'orders', reasons: [] });
    assert.deepEqual(resolve(consumer, { 'Fn::GetStackOutput': { StackName: 'Producer', OutputName: 'TableArn', Region: 'eu-west-1' } }), {
      value: 'arn:aws:dynamodb:eu-west-1:111122223333:table/orders',
      reasons: [],
    });
    assert.deepEqual(resolve(consumer, { 'Fn::ImportValue': 'Nobody-exports-this' }), {
      value: 'placeholder-nobody-exports-this',
      reasons: ['Fn::ImportValue Nobody-exports-this: no stack of the app exports it'],
    });
  });

  it('traces a layer reference through exports to the resource', () => {
    const scopes = appOf({
      Shared: {
        Resources: { Layer: { Type: 'AWS::Lambda::LayerVersion', Properties: { LayerName: 'utils' } } },
        Outputs: { LayerArn: { Value: { Ref: 'Layer' }, Export: { Name: 'shared-layer' } } },
      },
      Api: {},
    });
    const target = scopes['Api']?.traceResource({ 'Fn::ImportValue': 'shared-layer' });
    assert.equal(target?.logicalId, 'Layer');
    assert.equal(target?.scope, scopes['Shared']);
    assert.equal(resolve(scopes['Api']!, { 'Fn::ImportValue': 'shared-layer' }).value, 'arn:aws:lambda:eu-west-1:111122223333:layer:utils:1');
  });

  it('stops at references to themselves', () => {
    const scope = scopeOf({ Resources: { Loop: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: { Ref: 'Loop' } } } } });
    const result = resolve(scope, { Ref: 'Loop' });
    assert.ok(result.reasons.some((reason) => reason.includes('refers to itself')));
  });
});

describe('generatePhysicalName', () => {
  it('is stack-logicalId-13 characters, stable, at most the length the type takes', () => {
    const name = generatePhysicalName('DemoStack', 'Handler886CB40B');
    assert.match(name, /^DemoStack-Handler886CB40B-[A-Z0-9]{13}$/);
    assert.equal(generatePhysicalName('DemoStack', 'Handler886CB40B'), name);
    assert.notEqual(generatePhysicalName('OtherStack', 'Handler886CB40B'), name);
    const long = generatePhysicalName('AVeryLongStackNameThatGoesOnAndOnForQuiteSomeTime', 'AnEvenLongerLogicalIdentifierForTheFunction1234ABCD');
    assert.equal(long.length, 64);
    assert.match(long, /^AVeryLong[A-Za-z]*-AnEvenLonger[A-Za-z]*-[A-Z0-9]{13}$/);
    assert.match(generatePhysicalName('Stack', 'Bucket', { lowercase: true, maxLength: 63 }), /^stack-bucket-[a-z0-9]{13}$/);
  });
});
