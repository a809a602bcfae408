import { LOCATION_OPTIONS, hexId, valueOf, type EventContext, type EventDefinition, type EventValues, type ServiceDefinition } from './event-definition.js';

/**
 * S3 writes object keys in event notifications URL-encoded as in an HTML form: a space is
 * `+`, the slashes between "folders" stay.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
export function encodeS3Key(key: string): string {
  return key
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%20/g, '+'))
    .join('/');
}

const S3_OPTIONS = [
  { name: 'bucket', describe: 'The bucket name', default: 'example-bucket' },
  { name: 'key', describe: 'The object key (written URL-encoded, as S3 does)', default: 'test/key' },
  ...LOCATION_OPTIONS,
  { name: 'size', describe: 'The object size in bytes (put only)', default: '1024' },
  { name: 'configuration-id', describe: 'The ID of the bucket notification configuration', default: 'testConfigRule' },
];

/** One S3 event notification record, as Lambda receives it. */
function s3Record(values: EventValues, context: EventContext, eventName: string, object: Record<string, unknown>): unknown {
  const bucket = valueOf(values, 'bucket');
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: valueOf(values, 'region'),
    eventTime: context.now.toISOString(),
    eventName,
    userIdentity: { principalId: `AWS:${hexId(context, 21)}` },
    requestParameters: { sourceIPAddress: '127.0.0.1' },
    responseElements: {
      'x-amz-request-id': hexId(context, 16),
      'x-amz-id-2': Buffer.from(hexId(context, 48), 'hex').toString('base64'),
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: valueOf(values, 'configuration-id'),
      bucket: {
        name: bucket,
        ownerIdentity: { principalId: hexId(context, 14) },
        arn: `arn:${valueOf(values, 'partition')}:s3:::${bucket}`,
      },
      object: { key: encodeS3Key(valueOf(values, 'key')), ...object, sequencer: hexId(context, 18) },
    },
  };
}

/** `s3 put`: an object was created. */
export const S3_PUT: EventDefinition = {
  name: 'put',
  describe: 'An object was created (ObjectCreated:Put)',
  options: S3_OPTIONS,
  build: (values, context) => {
    const size = Number(valueOf(values, 'size'));
    return {
      Records: [
        s3Record(values, context, 'ObjectCreated:Put', {
          size: Number.isFinite(size) ? size : 0,
          eTag: hexId(context, 32).toLowerCase(),
        }),
      ],
    };
  },
};

/** `s3 delete`: an object was deleted. */
export const S3_DELETE: EventDefinition = {
  name: 'delete',
  describe: 'An object was deleted (ObjectRemoved:Delete)',
  options: S3_OPTIONS.filter((option) => option.name !== 'size'),
  build: (values, context) => ({ Records: [s3Record(values, context, 'ObjectRemoved:Delete', {})] }),
};

/** Amazon S3. */
export const S3_SERVICE: ServiceDefinition = {
  name: 's3',
  describe: 'Amazon S3 event notifications',
  events: [S3_PUT, S3_DELETE],
};
