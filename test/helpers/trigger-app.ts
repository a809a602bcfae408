// A CDK app whose functions are wired to the services that invoke functions: an S3
// notification, an SQS queue, Kinesis and DynamoDB streams, EventBridge rules, a schedule, an
// SNS subscription, a REST API method and an HTTP API route. Every function echoes its event.
import { fileURLToPath } from 'node:url';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, KinesisEventSource, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import * as sns from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';

const ECHO = fileURLToPath(new URL('../fixtures/servers/echo/', import.meta.url));

/** Where the app's stack is. */
export const TRIGGER_STACK = { name: 'TriggerStack', region: 'eu-west-1', account: '111122223333' } as const;

/**
 * Synthesizes `TriggerStack` into `outdir`: Uploads (S3, prefix uploads/, suffix .jpg),
 * Worker (SQS), Streams (Kinesis, then DynamoDB), Orders (rule: source orders, OrderPlaced,
 * status new), Transformed (a rule target with an input transformer), Ticker (rate 5 minutes), Notified (SNS), Rest (GET /orders/{id}), Http
 * (GET /items/{id}), SignUp (a user pool's pre sign-up trigger), Nightly (a Scheduler schedule with
 * an input), Removals (an L1 bucket's ObjectRemoved:Delete), Aliased (a queue read through an alias),
 * KafkaConsumer (a self-managed Kafka topic), Lonely (nothing).
 */
export function synthesizeTriggerApp(outdir: string): void {
  const app = new App({
    outdir,
    context: {
      'aws:cdk:enable-path-metadata': true,
      'aws:cdk:enable-asset-metadata': true,
      'aws:cdk:disable-version-reporting': true,
    },
    builtinCloudFormationValidation: false,
    stackTraces: false,
  });
  const stack = new Stack(app, TRIGGER_STACK.name, { env: { region: TRIGGER_STACK.region, account: TRIGGER_STACK.account } });
  const echo = (id: string): lambda.Function =>
    new lambda.Function(stack, id, {
      runtime: lambda.Runtime.NODEJS_20_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(ECHO),
      timeout: Duration.seconds(30),
    });

  const bucket = new s3.Bucket(stack, 'Photos');
  bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new LambdaDestination(echo('Uploads')), { prefix: 'uploads/', suffix: '.jpg' });

  echo('Worker').addEventSource(new SqsEventSource(new sqs.Queue(stack, 'Jobs')));

  const streams = echo('Streams');
  streams.addEventSource(new KinesisEventSource(new kinesis.Stream(stack, 'Clicks'), { startingPosition: lambda.StartingPosition.LATEST }));
  const table = new dynamodb.Table(stack, 'Orders', {
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
  });
  streams.addEventSource(new DynamoEventSource(table, { startingPosition: lambda.StartingPosition.LATEST }));

  new events.Rule(stack, 'OrderPlacedRule', {
    eventPattern: { source: ['orders'], detailType: ['OrderPlaced'], detail: { status: ['new'], total: [{ numeric: ['>', 100] }] } },
    targets: [new targets.LambdaFunction(echo('OrderHandler'))],
  });
  new events.Rule(stack, 'ShippedRule', {
    eventPattern: { source: ['orders'], detailType: ['OrderShipped'] },
    targets: [new targets.LambdaFunction(echo('Transformed'), { event: events.RuleTargetInput.fromObject({ id: events.EventField.fromPath('$.detail.id') }) })],
  });
  new events.Rule(stack, 'Every5Minutes', {
    schedule: events.Schedule.rate(Duration.minutes(5)),
    targets: [new targets.LambdaFunction(echo('Ticker'))],
  });

  new sns.Topic(stack, 'Alerts').addSubscription(new LambdaSubscription(echo('Notified')));

  const rest = new apigateway.RestApi(stack, 'RestApi', { deployOptions: { stageName: 'v1' } });
  rest.root.addResource('orders').addResource('{id}').addMethod('GET', new apigateway.LambdaIntegration(echo('Rest')));

  const http = new apigatewayv2.HttpApi(stack, 'HttpApi');
  http.addRoutes({ path: '/items/{id}', methods: [apigatewayv2.HttpMethod.GET], integration: new HttpLambdaIntegration('Items', echo('Http')) });

  new cognito.UserPool(stack, 'Users', { lambdaTriggers: { preSignUp: echo('SignUp') } });
  new scheduler.Schedule(stack, 'NightlySchedule', {
    schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)),
    target: new LambdaInvoke(echo('Nightly'), { input: scheduler.ScheduleTargetInput.fromObject({ job: 'nightly' }) }),
  });

  // Written with L1 constructs and less common wiring: a bucket's own notification
  // configuration, a queue read through an alias, a self-managed Kafka topic.
  new s3.CfnBucket(stack, 'Archive', {
    notificationConfiguration: { lambdaConfigurations: [{ event: 's3:ObjectRemoved:Delete', function: echo('Removals').functionArn }] },
  });
  const live = new lambda.Alias(stack, 'LiveAlias', { aliasName: 'live', version: echo('Aliased').currentVersion });
  live.addEventSource(new SqsEventSource(new sqs.Queue(stack, 'AliasJobs')));
  new lambda.EventSourceMapping(stack, 'KafkaMapping', {
    target: echo('KafkaConsumer'),
    kafkaBootstrapServers: ['broker.example.com:9092'],
    kafkaTopic: 'orders',
    startingPosition: lambda.StartingPosition.TRIM_HORIZON,
  });

  echo('Lonely');
  app.synth();
}
