import { createHash } from 'node:crypto';
import { LOCATION_OPTIONS, arnOf, valueOf, type EventDefinition, type ServiceDefinition } from './event-definition.js';

/**
 * `sqs receive-message`: a batch of one message, as Lambda's event source mapping polls it.
 * `md5OfBody` is the MD5 of the body, as SQS computes it; a `.fifo` queue's message carries
 * its group, deduplication ID and sequence number.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
 */
export const SQS_RECEIVE_MESSAGE: EventDefinition = {
  name: 'receive-message',
  describe: 'A batch of one message received from a queue',
  options: [
    { name: 'queue-name', describe: 'The queue name (ending in .fifo for a FIFO queue)', default: 'MyQueue' },
    { name: 'body', describe: 'The message body', default: 'Hello from SQS!' },
    ...LOCATION_OPTIONS,
    { name: 'queue-arn', describe: 'The queue ARN (default: from --queue-name and the location options)', default: '' },
  ],
  build: (values, context) => {
    const queueArn = valueOf(values, 'queue-arn') || arnOf(values, 'sqs', valueOf(values, 'queue-name'));
    const region = queueArn.split(':')[3] ?? valueOf(values, 'region');
    const body = valueOf(values, 'body');
    const sent = context.now.getTime();
    const fifo = queueArn.endsWith('.fifo');
    return {
      Records: [
        {
          messageId: context.uuid(),
          receiptHandle: Buffer.from(`${context.uuid()} ${queueArn} ${context.uuid()}`).toString('base64'),
          body,
          attributes: {
            ApproximateReceiveCount: '1',
            SentTimestamp: String(sent),
            SenderId: 'AIDAIENQZJOLO23YVJ4VO',
            ApproximateFirstReceiveTimestamp: String(sent + 5),
            ...(fifo ? { SequenceNumber: '18849496460467696128', MessageGroupId: '1', MessageDeduplicationId: createHash('sha256').update(body).digest('hex') } : {}),
          },
          messageAttributes: {},
          md5OfBody: createHash('md5').update(body, 'utf8').digest('hex'),
          eventSource: 'aws:sqs',
          eventSourceARN: queueArn,
          awsRegion: region,
        },
      ],
    };
  },
};

/** Amazon SQS. */
export const SQS_SERVICE: ServiceDefinition = {
  name: 'sqs',
  describe: 'Amazon SQS messages through an event source mapping',
  events: [SQS_RECEIVE_MESSAGE],
};
