import { DEFAULT_ACCOUNT, DEFAULT_REGION } from '../assembly/index.js';
import { LOCATION_OPTIONS, arnOf, valueOf, type EventDefinition, type ServiceDefinition } from './event-definition.js';

/**
 * `kinesis get-records`: a batch of one record of a data stream; its data is base64, as
 * Lambda receives it.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html
 */
export const KINESIS_GET_RECORDS: EventDefinition = {
  name: 'get-records',
  describe: 'A batch of one record read from a data stream',
  options: [
    { name: 'stream-name', describe: 'The stream name', default: 'example-stream' },
    { name: 'data', describe: 'The record data (written base64-encoded, as Kinesis does)', default: 'Hello, this is a test 123.' },
    { name: 'partition-key', describe: "The record's partition key", default: 'partitionKey-03' },
    { name: 'sequence', describe: "The record's sequence number", default: '49545115243490985018280067714973144582180062593244200961' },
    ...LOCATION_OPTIONS,
    { name: 'stream-arn', describe: 'The stream ARN (default: from --stream-name and the location options)', default: '' },
  ],
  build: (values, context) => {
    const streamArn = valueOf(values, 'stream-arn') || arnOf(values, 'kinesis', `stream/${valueOf(values, 'stream-name')}`);
    const [, partition = 'aws', , region = DEFAULT_REGION, account = DEFAULT_ACCOUNT] = streamArn.split(':');
    const sequence = valueOf(values, 'sequence');
    return {
      Records: [
        {
          kinesis: {
            kinesisSchemaVersion: '1.0',
            partitionKey: valueOf(values, 'partition-key'),
            sequenceNumber: sequence,
            data: Buffer.from(valueOf(values, 'data'), 'utf8').toString('base64'),
            approximateArrivalTimestamp: context.now.getTime() / 1000,
          },
          eventSource: 'aws:kinesis',
          eventVersion: '1.0',
          eventID: `shardId-000000000006:${sequence}`,
          eventName: 'aws:kinesis:record',
          invokeIdentityArn: `arn:${partition}:iam::${account}:role/lambda-role`,
          awsRegion: region,
          eventSourceARN: streamArn,
        },
      ],
    };
  },
};

/** Amazon Kinesis Data Streams. */
export const KINESIS_SERVICE: ServiceDefinition = {
  name: 'kinesis',
  describe: 'Amazon Kinesis Data Streams records',
  events: [KINESIS_GET_RECORDS],
};
