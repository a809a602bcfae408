import { LOCATION_OPTIONS, arnOf, hexId, valueOf, type EventContext, type EventDefinition, type ServiceDefinition } from './event-definition.js';

/** The label of a stream's ARN when none is given; the service sets it when the stream is enabled. */
const STREAM_LABEL = '2015-06-27T00:48:05.899';

type AttributeMap = Readonly<Record<string, unknown>>;

/**
 * `dynamodb update`: a batch of three stream records, an item inserted, modified and
 * removed, from a stream of view type `NEW_AND_OLD_IMAGES`.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html
 */
export const DYNAMODB_UPDATE: EventDefinition = {
  name: 'update',
  describe: 'A batch of stream records: an item inserted, modified and removed',
  options: [
    { name: 'table', describe: 'The table name', default: 'ExampleTableWithStream' },
    ...LOCATION_OPTIONS,
    { name: 'stream-arn', describe: "The table's stream ARN (default: from --table and the location options)", default: '' },
  ],
  build: (values, context) => {
    const streamArn = valueOf(values, 'stream-arn') || arnOf(values, 'dynamodb', `table/${valueOf(values, 'table')}/stream/${STREAM_LABEL}`);
    const region = streamArn.split(':')[3] ?? valueOf(values, 'region');
    const keys = { Id: { N: '101' } };
    const first = { ...keys, Message: { S: 'New item!' } };
    const second = { ...keys, Message: { S: 'This item has changed' } };
    let sequence = 111;
    const record = (eventName: 'INSERT' | 'MODIFY' | 'REMOVE', images: { NewImage?: AttributeMap; OldImage?: AttributeMap }): unknown =>
      streamRecord(context, { eventName, region, streamArn, keys, images, sequence: sequence++ });
    return {
      Records: [
        record('INSERT', { NewImage: first }),
        record('MODIFY', { NewImage: second, OldImage: first }),
        record('REMOVE', { OldImage: second }),
      ],
    };
  },
};

interface StreamRecordFields {
  readonly eventName: string;
  readonly region: string;
  readonly streamArn: string;
  readonly keys: AttributeMap;
  readonly images: { NewImage?: AttributeMap; OldImage?: AttributeMap };
  readonly sequence: number;
}

function streamRecord(context: EventContext, fields: StreamRecordFields): unknown {
  const images = fields.images;
  return {
    eventID: hexId(context, 32).toLowerCase(),
    eventName: fields.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: fields.region,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(context.now.getTime() / 1000),
      Keys: fields.keys,
      ...(images.NewImage === undefined ? {} : { NewImage: images.NewImage }),
      ...(images.OldImage === undefined ? {} : { OldImage: images.OldImage }),
      SequenceNumber: `${fields.sequence}00000000000000000000${fields.sequence}`.slice(0, 21),
      SizeBytes: JSON.stringify(images).length,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: fields.streamArn,
  };
}

/** Amazon DynamoDB Streams. */
export const DYNAMODB_SERVICE: ServiceDefinition = {
  name: 'dynamodb',
  describe: 'Amazon DynamoDB stream records',
  events: [DYNAMODB_UPDATE],
};
