import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createMarkedApp, processesWithMarker, type MarkedApp } from '../helpers/marked-app.js';
import { runCli } from '../helpers/run-cli.js';
import { synthesizeTriggerApp, TRIGGER_STACK } from '../helpers/trigger-app.js';

const MARKER_VARIABLE = 'CDK_LOCAL_TEST_MARKER';

describe('cdk-local generate-event', () => {
  it('lists the services, and the events of a service with one line each', async () => {
    const services = await runCli(['generate-event']);
    assert.equal(services.exitCode, 0, services.stderr);
    for (const name of ['apigateway', 'cloudwatch', 'cognito', 's3', 'sqs', 'stepfunctions']) assert.match(services.stdout, new RegExp(`^  ${name} +\\S`, 'm'));
    const events = await runCli(['generate-event', 's3']);
    assert.equal(events.exitCode, 0, events.stderr);
    assert.match(events.stdout, /^ {2}put +An object was created/m);
    assert.match(events.stdout, /^ {2}delete +An object was deleted/m);
  });

  it('prints an event as pretty JSON on stdout, with the options given', async () => {
    const run = await runCli(['generate-event', 's3', 'put', '--bucket', 'my-bucket', '--key', 'in/photo 1.jpg', '--region', 'eu-west-1']);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.match(run.stdout, /^\{\n {2}"Records": \[\n/);
    const [record] = JSON.parse(run.stdout).Records;
    assert.equal(record.s3.bucket.name, 'my-bucket');
    assert.equal(record.s3.object.key, 'in/photo+1.jpg');
    assert.equal(record.awsRegion, 'eu-west-1');
    // Digits stay text: an account ID keeps its leading zero, a sequence number all its digits.
    const kinesis = await runCli(['generate-event', 'kinesis', 'get-records', '--account-id', '012345678901', '--sequence', '49545115243490985018280067714973144582180062593244200961']);
    const [kinesisRecord] = JSON.parse(kinesis.stdout).Records;
    assert.equal(kinesisRecord.eventSourceARN, 'arn:aws:kinesis:us-east-1:012345678901:stream/example-stream');
    assert.equal(kinesisRecord.kinesis.sequenceNumber, '49545115243490985018280067714973144582180062593244200961');
  });

  it('shows the options of an event with --help', async () => {
    const run = await runCli(['generate-event', 'sqs', 'receive-message', '--help']);
    assert.equal(run.exitCode, 0, run.stderr);
    for (const option of ['--queue-name', '--body', '--region', '--partition', '--account-id']) assert.ok(run.stdout.includes(option), option);
  });

  it('an unknown service, event or option is a one-sentence usage error (exit 2)', async () => {
    const service = await runCli(['generate-event', 's4']);
    assert.equal(service.exitCode, 2);
    assert.match(service.stderr, /^cdk-local: No service 's4' to generate events for; the services are alb, apigateway, .*, sqs, stepfunctions\.$/m);
    assert.equal(service.stdout, '');
    const event = await runCli(['generate-event', 'sqs', 'send-message']);
    assert.equal(event.exitCode, 2);
    assert.match(event.stderr, /^cdk-local: No event 'send-message' for sqs; its events are receive-message\.$/m);
    const option = await runCli(['generate-event', 's3', 'put', '--queue-name', 'q']);
    assert.equal(option.exitCode, 2);
    assert.match(option.stderr, /^cdk-local: s3 put has no option --queue-name; its options are --bucket, --key, .*\.$/m);
  });
});

describe('cdk-local generate-event --for and invoke --event-from-trigger on a CDK app', () => {
  let app: MarkedApp;

  before(async () => {
    app = await createMarkedApp({ prefix: 'cdk-local-trigger-cli-', synthesize: synthesizeTriggerApp, markerVariable: MARKER_VARIABLE });
  });

  after(async () => {
    assert.deepEqual(await processesWithMarker(MARKER_VARIABLE, app.marker), [], 'no runtime process of this test outlived cdk-local');
    await app.remove();
  });

  async function eventFor(name: string, ...extra: string[]) {
    const run = await runCli(['generate-event', '--for', name, '--app', app.assembly, ...extra]);
    return { run, event: run.exitCode === 0 ? JSON.parse(run.stdout) : undefined };
  }

  it("prints the event of the function's trigger with the app's bucket, queue, rule, schedule and topic", async () => {
    const uploads = await eventFor('Uploads');
    assert.equal(uploads.run.exitCode, 0, uploads.run.stderr);
    const [s3Record] = uploads.event.Records;
    assert.match(s3Record.s3.bucket.name, /^triggerstack-photos/);
    assert.match(s3Record.s3.object.key, /^uploads\/.+\.jpg$/);
    assert.equal(s3Record.awsRegion, TRIGGER_STACK.region);

    const worker = await eventFor('Worker');
    assert.match(worker.event.Records[0].eventSourceARN, /^arn:aws:sqs:eu-west-1:111122223333:TriggerStack-Jobs/);

    const orders = await eventFor('OrderHandler');
    assert.equal(orders.event.source, 'orders');
    assert.equal(orders.event['detail-type'], 'OrderPlaced');
    assert.equal(orders.event.detail.status, 'new');

    const ticker = await eventFor('Ticker');
    assert.equal(ticker.event['detail-type'], 'Scheduled Event');
    assert.match(ticker.event.resources[0], /^arn:aws:events:eu-west-1:111122223333:rule\/TriggerStack-Every5Minutes/);

    const notified = await eventFor('Notified');
    assert.match(notified.event.Records[0].Sns.TopicArn, /^arn:aws:sns:eu-west-1:111122223333:TriggerStack-Alerts/);
  });

  it('asks which trigger when there are several, lists them, and takes --trigger N', async () => {
    const ambiguous = await eventFor('Streams');
    assert.equal(ambiguous.run.exitCode, 2);
    assert.match(ambiguous.run.stderr, /TriggerStack\/Streams has 2 triggers \(1: Kinesis stream arn:aws:kinesis:.*; 2: DynamoDB stream arn:aws:dynamodb:.*\); pick one with --trigger N\./);
    const second = await eventFor('Streams', '--trigger', '2');
    assert.equal(second.run.exitCode, 0, second.run.stderr);
    assert.equal(second.event.Records[0].eventSource, 'aws:dynamodb');
    const none = await eventFor('Streams', '--trigger', '3');
    assert.equal(none.run.exitCode, 2);
    assert.match(none.run.stderr, /--trigger 3 names none of them/);
    const transformed = await eventFor('Transformed');
    assert.equal(transformed.run.exitCode, 2);
    assert.match(transformed.run.stderr, /^cdk-local: No event can be made yet for EventBridge rule \S+ \(a target with InputPath or InputTransformer has no event generator yet\); write it yourself and pass it to invoke with --event\.$/m);
    const lonely = await eventFor('Lonely');
    assert.equal(lonely.run.exitCode, 2);
    assert.match(lonely.run.stderr, /Nothing in the app invokes TriggerStack\/Lonely/);
  });

  it('invoke --event-from-trigger runs the function with that event', async () => {
    const run = await runCli(['invoke', 'Worker', '--event-from-trigger', '--app', app.assembly, '--env-vars', app.envVarsFile]);
    assert.equal(run.exitCode, 0, run.stderr);
    const [record] = JSON.parse(run.stdout).event.Records;
    assert.equal(record.eventSource, 'aws:sqs');
    assert.match(record.eventSourceARN, /^arn:aws:sqs:eu-west-1:111122223333:TriggerStack-Jobs/);
    const streams = await runCli(['invoke', 'Streams', '--event-from-trigger', '--trigger', '1', '--app', app.assembly, '--env-vars', app.envVarsFile]);
    assert.equal(streams.exitCode, 0, streams.stderr);
    assert.equal(JSON.parse(streams.stdout).event.Records[0].eventSource, 'aws:kinesis');
    const both = await runCli(['invoke', 'Worker', '--event-from-trigger', '--event-json', '{}', '--app', app.assembly]);
    assert.equal(both.exitCode, 2);
    assert.match(both.stderr, /either with --event-from-trigger or with --event\/--event-json, not both/);
  });
});
