import { gzipSync } from 'node:zlib';
import { ACCOUNT_OPTION, LOCATION_OPTIONS, arnOf, valueOf, type EventDefinition, type ServiceDefinition } from './event-definition.js';
import { eventBridgeEvent } from './eventbridge.js';

/**
 * `cloudwatch scheduled-event`: what a schedule rule (`rate(...)`, `cron(...)`) delivers.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-eventbridge-scheduler.html
 */
export const CLOUDWATCH_SCHEDULED_EVENT: EventDefinition = {
  name: 'scheduled-event',
  describe: 'A schedule rule firing',
  options: [
    { name: 'rule', describe: 'The rule name', default: 'ExampleRule' },
    ...LOCATION_OPTIONS,
    { name: 'rule-arn', describe: 'The rule ARN (default: from --rule and the location options)', default: '' },
  ],
  build: (values, context) =>
    eventBridgeEvent(
      {
        source: 'aws.events',
        detailType: 'Scheduled Event',
        detail: {},
        region: valueOf(values, 'region'),
        account: valueOf(values, 'account-id'),
        resources: [valueOf(values, 'rule-arn') || arnOf(values, 'events', `rule/${valueOf(values, 'rule')}`)],
      },
      context,
    ),
};

/**
 * `cloudwatch logs`: log events delivered by a subscription filter. `awslogs.data` is the
 * gzip-compressed, base64-encoded JSON document, as CloudWatch Logs sends it.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-cloudwatchlogs.html
 */
export const CLOUDWATCH_LOGS: EventDefinition = {
  name: 'logs',
  describe: 'Log events delivered by a subscription filter (gzip + base64, as sent)',
  options: [
    { name: 'log-group', describe: 'The log group', default: '/aws/lambda/example' },
    { name: 'log-stream', describe: 'The log stream', default: '2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef' },
    { name: 'filter-name', describe: 'The subscription filter name', default: 'ExampleFilter' },
    { name: 'message', describe: 'The message of the log event', default: 'Hello from CloudWatch Logs' },
    ACCOUNT_OPTION,
  ],
  build: (values, context) => {
    const document = {
      messageType: 'DATA_MESSAGE',
      owner: valueOf(values, 'account-id'),
      logGroup: valueOf(values, 'log-group'),
      logStream: valueOf(values, 'log-stream'),
      subscriptionFilters: [valueOf(values, 'filter-name')],
      logEvents: [
        {
          id: `${context.now.getTime()}0000000000000000000000000000000000000000`.slice(0, 56),
          timestamp: context.now.getTime(),
          message: valueOf(values, 'message'),
        },
      ],
    };
    return { awslogs: { data: gzipSync(JSON.stringify(document)).toString('base64') } };
  },
};

/** Amazon CloudWatch (schedules and log subscriptions). */
export const CLOUDWATCH_SERVICE: ServiceDefinition = {
  name: 'cloudwatch',
  describe: 'Amazon CloudWatch schedules and log subscriptions',
  events: [CLOUDWATCH_SCHEDULED_EVENT, CLOUDWATCH_LOGS],
};
