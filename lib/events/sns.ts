import { DEFAULT_REGION } from '../assembly/index.js';
import { LOCATION_OPTIONS, arnOf, valueOf, type EventDefinition, type ServiceDefinition } from './event-definition.js';

/**
 * `sns notification`: one message published to a topic the function subscribes to.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html
 */
export const SNS_NOTIFICATION: EventDefinition = {
  name: 'notification',
  describe: 'A message published to a topic',
  options: [
    { name: 'topic', describe: 'The topic name', default: 'ExampleTopic' },
    { name: 'subject', describe: 'The message subject', default: 'example subject' },
    { name: 'message', describe: 'The message', default: 'example message' },
    ...LOCATION_OPTIONS,
    { name: 'topic-arn', describe: 'The topic ARN (default: from --topic and the location options)', default: '' },
  ],
  build: (values, context) => {
    const topicArn = valueOf(values, 'topic-arn') || arnOf(values, 'sns', valueOf(values, 'topic'));
    const [, partition = 'aws', , region = DEFAULT_REGION] = topicArn.split(':');
    const subscriptionArn = `${topicArn}:${context.uuid()}`;
    const suffix = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
    const subject = valueOf(values, 'subject');
    return {
      Records: [
        {
          EventSource: 'aws:sns',
          EventVersion: '1.0',
          EventSubscriptionArn: subscriptionArn,
          Sns: {
            Type: 'Notification',
            MessageId: context.uuid(),
            TopicArn: topicArn,
            Subject: subject === '' ? null : subject,
            Message: valueOf(values, 'message'),
            Timestamp: context.now.toISOString(),
            SignatureVersion: '1',
            Signature: Buffer.from(context.uuid().repeat(8)).toString('base64'),
            SigningCertUrl: `https://sns.${region}.${suffix}/SimpleNotificationService-0000000000000000000000.pem`,
            UnsubscribeUrl: `https://sns.${region}.${suffix}/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`,
            MessageAttributes: {},
          },
        },
      ],
    };
  },
};

/** Amazon SNS. */
export const SNS_SERVICE: ServiceDefinition = {
  name: 'sns',
  describe: 'Amazon SNS notifications',
  events: [SNS_NOTIFICATION],
};
