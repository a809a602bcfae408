import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readAssembly, readTriggers, type TriggerSpec } from '../../lib/assembly/index.js';
import { isCdkLocalError } from '../../lib/errors.js';
import { eventForTrigger } from '../../lib/events/index.js';
import { synthesizeTriggerApp, TRIGGER_STACK } from '../helpers/trigger-app.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('readTriggers on a synthesized CDK app', () => {
  let root: string;
  let triggers: readonly TriggerSpec[];
  let functionPaths: string[];

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'cdk-local-triggers-'));
    synthesizeTriggerApp(join(root, 'cdk.out'));
    triggers = await readTriggers(join(root, 'cdk.out'));
    functionPaths = (await readAssembly(join(root, 'cdk.out'))).functions.map((spec) => spec.constructPath);
  });

  after(() => rm(root, { recursive: true, force: true }));

  function only(functionName: string): TriggerSpec[] {
    return triggers.filter((trigger) => trigger.functionPath === `${TRIGGER_STACK.name}/${functionName}`);
  }

  function event(trigger: TriggerSpec | undefined): Json {
    assert.ok(trigger);
    return JSON.parse(JSON.stringify(eventForTrigger(trigger)));
  }

  it('names only functions of the app, and nothing for a function no service invokes', () => {
    for (const trigger of triggers) assert.ok(functionPaths.includes(trigger.functionPath), trigger.functionPath);
    assert.deepEqual(only('Lonely'), []);
    for (const trigger of triggers) {
      assert.equal(trigger.region, TRIGGER_STACK.region);
      assert.equal(trigger.accountId, TRIGGER_STACK.account);
    }
  });

  it("reads CDK's bucket notification: the bucket's name, event types, prefix and suffix", () => {
    const [trigger] = only('Uploads');
    assert.ok(trigger?.kind === 's3');
    assert.match(trigger.bucketName, /^triggerstack-photos[a-z0-9]+-[a-z0-9]+$/);
    assert.deepEqual(trigger.events, ['s3:ObjectCreated:*']);
    assert.equal(trigger.prefix, 'uploads/');
    assert.equal(trigger.suffix, '.jpg');
    const [record] = event(trigger).Records;
    assert.equal(record.eventSource, 'aws:s3');
    assert.equal(record.eventName, 'ObjectCreated:Put');
    assert.equal(record.awsRegion, TRIGGER_STACK.region);
    assert.equal(record.s3.bucket.name, trigger.bucketName);
    assert.match(record.s3.object.key, /^uploads\/.*\.jpg$/);
  });

  it('reads event source mappings: the queue, the Kinesis stream and the table stream', () => {
    const [queue] = only('Worker');
    assert.ok(queue?.kind === 'sqs');
    assert.match(queue.eventSourceArn, /^arn:aws:sqs:eu-west-1:111122223333:TriggerStack-Jobs/);
    assert.equal(event(queue).Records[0].eventSourceARN, queue.eventSourceArn);
    const [stream, table] = only('Streams');
    assert.ok(stream?.kind === 'kinesis' && table?.kind === 'dynamodb');
    assert.match(stream.eventSourceArn, /^arn:aws:kinesis:eu-west-1:111122223333:stream\/TriggerStack-Clicks/);
    assert.equal(event(stream).Records[0].eventSourceARN, stream.eventSourceArn);
    assert.match(table.eventSourceArn, /^arn:aws:dynamodb:eu-west-1:111122223333:table\/TriggerStack-Orders[^/]+\/stream\//);
    assert.equal(event(table).Records[0].eventSourceARN, table.eventSourceArn);
  });

  it("reads an EventBridge rule's pattern, and makes an event the pattern matches", () => {
    const [rule] = only('OrderHandler');
    assert.ok(rule?.kind === 'eventbridge');
    assert.equal(rule.eventBusName, 'default');
    assert.deepEqual(rule.pattern['source'], ['orders']);
    const matching = event(rule);
    assert.equal(matching.source, 'orders');
    assert.equal(matching['detail-type'], 'OrderPlaced');
    assert.equal(matching.detail.status, 'new');
    assert.ok(matching.detail.total > 100);
    assert.equal(matching.account, TRIGGER_STACK.account);
    assert.equal(matching.region, TRIGGER_STACK.region);
  });

  it("reads a schedule rule: a scheduled event naming the rule's ARN", () => {
    const [schedule] = only('Ticker');
    assert.ok(schedule?.kind === 'schedule');
    assert.equal(schedule.scheduleExpression, 'rate(5 minutes)');
    const scheduled = event(schedule);
    assert.equal(scheduled['detail-type'], 'Scheduled Event');
    assert.equal(scheduled.source, 'aws.events');
    assert.deepEqual(scheduled.resources, [schedule.ruleArn]);
    assert.match(schedule.ruleArn, /^arn:aws:events:eu-west-1:111122223333:rule\/TriggerStack-Every5Minutes/);
  });

  it("reads an SNS subscription: a notification from the app's topic", () => {
    const [subscription] = only('Notified');
    assert.ok(subscription?.kind === 'sns');
    assert.match(subscription.topicArn, /^arn:aws:sns:eu-west-1:111122223333:TriggerStack-Alerts/);
    assert.equal(event(subscription).Records[0].Sns.TopicArn, subscription.topicArn);
  });

  it('reads a REST API method and an HTTP API route: their method, path and stage', () => {
    const [method] = only('Rest');
    assert.ok(method?.kind === 'rest-api');
    assert.equal(method.httpMethod, 'GET');
    assert.equal(method.resourcePath, '/orders/{id}');
    assert.equal(method.stage, 'v1');
    const proxy = event(method);
    assert.equal(proxy.httpMethod, 'GET');
    assert.equal(proxy.resource, '/orders/{id}');
    assert.equal(proxy.path, '/orders/id');
    assert.deepEqual(proxy.pathParameters, { id: 'id' });
    assert.equal(proxy.requestContext.stage, 'v1');
    assert.equal(proxy.requestContext.apiId, method.apiId);
    const [route] = only('Http');
    assert.ok(route?.kind === 'http-api');
    assert.equal(route.routeKey, 'GET /items/{id}');
    assert.equal(route.payloadFormatVersion, '2.0');
    const request = event(route);
    assert.equal(request.version, '2.0');
    assert.equal(request.routeKey, 'GET /items/{id}');
    assert.equal(request.requestContext.http.method, 'GET');
    assert.deepEqual(request.pathParameters, { id: 'id' });
  });

  it("reads a user pool's Lambda triggers and a Scheduler schedule's input", () => {
    const [signUp] = only('SignUp');
    assert.ok(signUp?.kind === 'cognito');
    assert.equal(signUp.trigger, 'pre-signup');
    assert.match(signUp.userPoolId, /^eu-west-1_/);
    const signUpEvent = event(signUp);
    assert.equal(signUpEvent.triggerSource, 'PreSignUp_SignUp');
    assert.equal(signUpEvent.userPoolId, signUp.userPoolId);
    assert.equal(signUpEvent.region, TRIGGER_STACK.region);
    const [schedule] = only('Nightly');
    assert.ok(schedule?.kind === 'scheduler');
    assert.equal(schedule.scheduleExpression, 'rate(1 hour)');
    assert.deepEqual(event(schedule), { job: 'nightly' });
  });

  it("reads a bucket's own notification configuration, a mapping through an alias, and lists a Kafka mapping as not supported", () => {
    const [removal] = only('Removals');
    assert.ok(removal?.kind === 's3');
    assert.deepEqual(removal.events, ['s3:ObjectRemoved:Delete']);
    assert.match(removal.bucketName, /^triggerstack-archive-[a-z0-9]+$/);
    const [record] = event(removal).Records;
    assert.equal(record.eventName, 'ObjectRemoved:Delete');
    assert.equal(record.s3.bucket.name, removal.bucketName);
    const [aliased] = only('Aliased');
    assert.ok(aliased?.kind === 'sqs');
    assert.match(aliased.eventSourceArn, /^arn:aws:sqs:eu-west-1:111122223333:TriggerStack-AliasJobs/);
    const [kafka] = only('KafkaConsumer');
    assert.ok(kafka?.kind === 'unsupported');
    assert.throws(() => eventForTrigger(kafka), (error: unknown) => isCdkLocalError(error) && /Kafka.*--event/.test(error.message));
  });

  it('an unsupported trigger is an error that says to pass the event yourself', () => {
    const unsupported: TriggerSpec = {
      kind: 'unsupported',
      functionPath: 'S/F',
      source: 'S/Mapping',
      description: 'event source mapping of arn:aws:kafka:eu-west-1:1:cluster/c',
      reason: 'events of kafka have no generator yet',
      region: 'eu-west-1',
      accountId: '1',
      partition: 'aws',
    };
    assert.throws(() => eventForTrigger(unsupported), (error: unknown) => isCdkLocalError(error) && /kafka.*--event/.test(error.message));
  });
});
