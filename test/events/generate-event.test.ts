import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { isCdkLocalError } from '../../lib/errors.js';
import { EVENT_SERVICES, encodeS3Key, generateEvent, type EventContext } from '../../lib/events/index.js';

const NOW = new Date('2026-11-30T09:15:30.250Z');
let counter = 0;
const CONTEXT: EventContext = { now: NOW, uuid: () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}` };

// The events are checked field by field, as a function reads them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** Generates an event and sends it through JSON, as it reaches a function. */
function generate(service: string, event: string, options: Record<string, string> = {}): Json {
  return JSON.parse(JSON.stringify(generateEvent(service, event, options, CONTEXT)));
}

/** The names SAM's `sam local generate-event` uses, which cdk-local must have. */
const SAM_EVENTS: Record<string, string[]> = {
  alb: ['request'],
  apigateway: ['aws-proxy', 'http-api-proxy', 'authorizer', 'request-authorizer'],
  s3: ['put', 'delete'],
  sqs: ['receive-message'],
  sns: ['notification'],
  dynamodb: ['update'],
  kinesis: ['get-records'],
  cloudwatch: ['scheduled-event', 'logs'],
  eventbridge: ['event'],
  cloudformation: ['create-request', 'update-request', 'delete-request'],
  cognito: ['sync-trigger', 'pre-signup', 'post-confirmation', 'pre-authentication', 'post-authentication', 'pre-token-generation', 'custom-message', 'user-migration', 'define-auth-challenge', 'create-auth-challenge', 'verify-auth-challenge-response'],
  stepfunctions: ['error'],
  firehose: ['transformation'],
  ses: ['email-receiving'],
};

function usageError(run: () => unknown, pattern: RegExp): void {
  assert.throws(run, (error: unknown) => isCdkLocalError(error) && error.code === 'CDKL_USAGE' && pattern.test(error.message));
}

describe('generateEvent', () => {
  it('has every service and event of the list, and each builds a JSON object', () => {
    for (const [service, events] of Object.entries(SAM_EVENTS)) {
      const definition = EVENT_SERVICES.find((candidate) => candidate.name === service);
      assert.ok(definition, `service ${service}`);
      for (const event of events) assert.ok(definition.events.some((candidate) => candidate.name === event), `${service} ${event}`);
    }
    for (const service of EVENT_SERVICES) {
      for (const event of service.events) {
        const built = generate(service.name, event.name);
        assert.equal(typeof built, 'object', `${service.name} ${event.name}`);
        assert.ok(built !== null && Object.keys(built).length > 0, `${service.name} ${event.name} is not empty`);
        assert.ok(event.describe.length > 0 && !event.describe.includes('\n'));
      }
    }
  });

  it('s3 put and delete: the record of the bucket and URL-encoded key given', () => {
    const put = generate('s3', 'put', { bucket: 'photos', key: 'uploads/my cat.jpg', region: 'eu-west-1' });
    const [record] = put.Records;
    assert.equal(record.eventSource, 'aws:s3');
    assert.equal(record.eventName, 'ObjectCreated:Put');
    assert.equal(record.awsRegion, 'eu-west-1');
    assert.equal(record.eventTime, NOW.toISOString());
    assert.equal(record.s3.bucket.name, 'photos');
    assert.equal(record.s3.bucket.arn, 'arn:aws:s3:::photos');
    assert.equal(record.s3.object.key, 'uploads/my+cat.jpg');
    assert.equal(record.s3.object.size, 1024);
    const removed = generate('s3', 'delete', { partition: 'aws-cn', bucket: 'b' }).Records[0];
    assert.equal(removed.eventName, 'ObjectRemoved:Delete');
    assert.equal(removed.s3.bucket.arn, 'arn:aws-cn:s3:::b');
    assert.equal(removed.s3.object.size, undefined);
    assert.equal(encodeS3Key('a b/c+d/é'), 'a+b/c%2Bd/%C3%A9');
  });

  it('sqs receive-message: the queue ARN, the body and its MD5', () => {
    const [record] = generate('sqs', 'receive-message', { 'queue-name': 'jobs', body: 'work', region: 'ap-south-1', 'account-id': '111122223333' }).Records;
    assert.equal(record.eventSource, 'aws:sqs');
    assert.equal(record.eventSourceARN, 'arn:aws:sqs:ap-south-1:111122223333:jobs');
    assert.equal(record.awsRegion, 'ap-south-1');
    assert.equal(record.body, 'work');
    assert.equal(record.md5OfBody, createHash('md5').update('work').digest('hex'));
    assert.equal(record.attributes.ApproximateReceiveCount, '1');
    assert.equal(record.attributes.MessageGroupId, undefined);
    const fifo = generate('sqs', 'receive-message', { 'queue-name': 'jobs.fifo' }).Records[0];
    assert.equal(typeof fifo.attributes.MessageGroupId, 'string');
    assert.equal(typeof fifo.attributes.SequenceNumber, 'string');
  });

  it('sns notification: the topic, subject and message', () => {
    const [record] = generate('sns', 'notification', { topic: 'alerts', subject: 'Hi', message: 'Disk full' }).Records;
    assert.equal(record.EventSource, 'aws:sns');
    assert.equal(record.Sns.Type, 'Notification');
    assert.equal(record.Sns.TopicArn, 'arn:aws:sns:us-east-1:123456789012:alerts');
    assert.ok(record.EventSubscriptionArn.startsWith('arn:aws:sns:us-east-1:123456789012:alerts:'));
    assert.equal(record.Sns.Subject, 'Hi');
    assert.equal(record.Sns.Message, 'Disk full');
  });

  it('dynamodb update: INSERT, MODIFY and REMOVE records of the table stream', () => {
    const records = generate('dynamodb', 'update', { table: 'Orders', region: 'eu-west-1' }).Records;
    assert.deepEqual(records.map((record: Json) => record.eventName), ['INSERT', 'MODIFY', 'REMOVE']);
    for (const record of records) {
      assert.equal(record.eventSource, 'aws:dynamodb');
      assert.equal(record.awsRegion, 'eu-west-1');
      assert.match(record.eventSourceARN, /^arn:aws:dynamodb:eu-west-1:123456789012:table\/Orders\/stream\//);
      assert.deepEqual(record.dynamodb.Keys, { Id: { N: '101' } });
      assert.equal(record.dynamodb.StreamViewType, 'NEW_AND_OLD_IMAGES');
    }
    assert.ok(records[1].dynamodb.NewImage && records[1].dynamodb.OldImage);
    assert.equal(records[2].dynamodb.NewImage, undefined);
  });

  it('kinesis get-records: data base64-encoded as Kinesis does, and the stream ARN', () => {
    const [record] = generate('kinesis', 'get-records', { data: '{"click":1}', 'partition-key': 'k1', 'stream-name': 'clicks' }).Records;
    assert.equal(record.eventSource, 'aws:kinesis');
    assert.equal(record.eventName, 'aws:kinesis:record');
    assert.equal(Buffer.from(record.kinesis.data, 'base64').toString('utf8'), '{"click":1}');
    assert.equal(record.kinesis.partitionKey, 'k1');
    assert.equal(record.eventSourceARN, 'arn:aws:kinesis:us-east-1:123456789012:stream/clicks');
    assert.equal(record.kinesis.approximateArrivalTimestamp, NOW.getTime() / 1000);
  });

  it('firehose transformation: data base64-encoded', () => {
    const event = generate('firehose', 'transformation', { data: 'line 1', 'delivery-stream': 'logs' });
    assert.equal(event.deliveryStreamArn, 'arn:aws:firehose:us-east-1:123456789012:deliverystream/logs');
    assert.equal(Buffer.from(event.records[0].data, 'base64').toString('utf8'), 'line 1');
    assert.equal(typeof event.records[0].recordId, 'string');
  });

  it('cloudwatch logs: awslogs.data is gzip + base64 of the log document', () => {
    const event = generate('cloudwatch', 'logs', { 'log-group': '/aws/lambda/orders', message: 'ERROR boom' });
    const document = JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString('utf8'));
    assert.equal(document.messageType, 'DATA_MESSAGE');
    assert.equal(document.logGroup, '/aws/lambda/orders');
    assert.equal(document.logEvents[0].message, 'ERROR boom');
    assert.equal(document.logEvents[0].timestamp, NOW.getTime());
  });

  it('cloudwatch scheduled-event and eventbridge event: the EventBridge envelope', () => {
    const scheduled = generate('cloudwatch', 'scheduled-event', { rule: 'nightly', region: 'eu-west-1' });
    assert.equal(scheduled.source, 'aws.events');
    assert.equal(scheduled['detail-type'], 'Scheduled Event');
    assert.deepEqual(scheduled.resources, ['arn:aws:events:eu-west-1:123456789012:rule/nightly']);
    assert.equal(scheduled.time, '2026-11-30T09:15:30Z');
    assert.deepEqual(scheduled.detail, {});
    const custom = generate('eventbridge', 'event', { source: 'orders', 'detail-type': 'OrderPlaced', detail: '{"id":7}' });
    assert.equal(custom.version, '0');
    assert.equal(custom.source, 'orders');
    assert.equal(custom['detail-type'], 'OrderPlaced');
    assert.deepEqual(custom.detail, { id: 7 });
    usageError(() => generate('eventbridge', 'event', { detail: '{nope' }), /--detail is not JSON/);
  });

  it('apigateway aws-proxy: method, path, resource, stage, body and path parameters', () => {
    const event = generate('apigateway', 'aws-proxy', { method: 'put', path: 'orders/42', resource: '/orders/{id}', stage: 'v1', body: 'x=1', 'account-id': '111122223333' });
    assert.equal(event.httpMethod, 'PUT');
    assert.equal(event.path, '/orders/42');
    assert.equal(event.resource, '/orders/{id}');
    assert.deepEqual(event.pathParameters, { id: '42' });
    assert.equal(event.body, 'x=1');
    assert.equal(event.isBase64Encoded, false);
    assert.equal(event.requestContext.stage, 'v1');
    assert.equal(event.requestContext.path, '/v1/orders/42');
    assert.equal(event.requestContext.accountId, '111122223333');
    assert.equal(event.requestContext.requestTime, '30/Nov/2026:09:15:30 +0000');
    assert.deepEqual(event.multiValueHeaders.Host, [event.headers.Host]);
    const proxy = generate('apigateway', 'aws-proxy');
    assert.deepEqual(proxy.pathParameters, { proxy: 'path/to/resource' });
  });

  it('apigateway http-api-proxy: payload format 2.0', () => {
    const event = generate('apigateway', 'http-api-proxy', { method: 'get', path: '/items/9', 'route-key': 'GET /items/{id}', body: '' });
    assert.equal(event.version, '2.0');
    assert.equal(event.routeKey, 'GET /items/{id}');
    assert.equal(event.rawPath, '/items/9');
    assert.equal(event.requestContext.http.method, 'GET');
    assert.equal(event.requestContext.stage, '$default');
    assert.deepEqual(event.pathParameters, { id: '9' });
    assert.equal(event.body, undefined);
    const staged = generate('apigateway', 'http-api-proxy', { stage: 'prod', path: '/a' });
    assert.equal(staged.rawPath, '/prod/a');
  });

  it('apigateway authorizer and request-authorizer: the method ARN and token', () => {
    const token = generate('apigateway', 'authorizer', { token: 'Bearer abc', method: 'GET', path: '/pets', stage: 'dev', 'api-id': 'api1' });
    assert.equal(token.type, 'TOKEN');
    assert.equal(token.authorizationToken, 'Bearer abc');
    assert.equal(token.methodArn, 'arn:aws:execute-api:us-east-1:123456789012:api1/dev/GET/pets');
    const request = generate('apigateway', 'request-authorizer', { token: 'abc', method: 'GET', path: '/pets', resource: '/pets' });
    assert.equal(request.type, 'REQUEST');
    assert.equal(request.headers.Authorization, 'abc');
    assert.equal(request.httpMethod, 'GET');
    assert.ok(request.requestContext.requestId);
    assert.equal(request.body, undefined);
  });

  it('alb request: the target group and request', () => {
    const event = generate('alb', 'request', { method: 'post', path: '/submit', body: 'hi', 'target-group': 'tg' });
    assert.match(event.requestContext.elb.targetGroupArn, /^arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup\/tg\//);
    assert.equal(event.httpMethod, 'POST');
    assert.equal(event.path, '/submit');
    assert.equal(event.body, 'hi');
  });

  it('cloudformation requests: request type, physical ID and properties', () => {
    const create = generate('cloudformation', 'create-request', { stack: 'Demo', properties: '{"Size":"3"}' });
    assert.equal(create.RequestType, 'Create');
    assert.match(create.StackId, /^arn:aws:cloudformation:us-east-1:123456789012:stack\/Demo\//);
    assert.equal(create.ResourceProperties.Size, '3');
    assert.equal(create.PhysicalResourceId, undefined);
    assert.match(create.ResponseURL, /^https:\/\//);
    const update = generate('cloudformation', 'update-request', { 'physical-resource-id': 'p-1' });
    assert.equal(update.RequestType, 'Update');
    assert.equal(update.PhysicalResourceId, 'p-1');
    assert.ok(update.OldResourceProperties);
    assert.equal(generate('cloudformation', 'delete-request').RequestType, 'Delete');
  });

  it('cognito: the sync trigger and the user pool triggers with their trigger sources', () => {
    assert.equal(generate('cognito', 'sync-trigger', { region: 'eu-west-1' }).eventType, 'SyncTrigger');
    const signUp = generate('cognito', 'pre-signup', { username: 'ada', email: 'ada@example.com', region: 'eu-west-1' });
    assert.equal(signUp.triggerSource, 'PreSignUp_SignUp');
    assert.equal(signUp.userName, 'ada');
    assert.equal(signUp.userPoolId, 'eu-west-1_EXAMPLE12');
    assert.equal(signUp.request.userAttributes.email, 'ada@example.com');
    assert.deepEqual(Object.keys(signUp.response).sort(), ['autoConfirmUser', 'autoVerifyEmail', 'autoVerifyPhone']);
    assert.equal(generate('cognito', 'post-confirmation').triggerSource, 'PostConfirmation_ConfirmSignUp');
    assert.equal(generate('cognito', 'define-auth-challenge').request.session[0].challengeName, 'SRP_A');
  });

  it('stepfunctions, ses', () => {
    assert.deepEqual(generate('stepfunctions', 'error', { error: 'Oops', cause: 'why' }), { Error: 'Oops', Cause: 'why' });
    const [record] = generate('ses', 'email-receiving', { from: 'a@example.com', subject: 'Hello' }).Records;
    assert.equal(record.eventSource, 'aws:ses');
    assert.equal(record.ses.mail.source, 'a@example.com');
    assert.equal(record.ses.mail.commonHeaders.subject, 'Hello');
    assert.equal(record.ses.receipt.action.type, 'Lambda');
  });

  it('an unknown service, event or option is a usage error naming the known ones', () => {
    usageError(() => generateEvent('s4', 'put'), /No service 's4'.*alb, apigateway.*sqs/);
    usageError(() => generateEvent('s3', 'get'), /No event 'get' for s3; its events are put, delete\./);
    usageError(() => generateEvent('s3', 'put', { queue: 'x' }), /s3 put has no option --queue; its options are --bucket, --key/);
  });
});
