import { LOCATION_OPTIONS, arnOf, valueOf, type EventDefinition, type ServiceDefinition } from './event-definition.js';

/**
 * `firehose transformation`: a batch of one record that a delivery stream asks the
 * function to transform; its data is base64, as Firehose sends it.
 * @see https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html
 */
export const FIREHOSE_TRANSFORMATION: EventDefinition = {
  name: 'transformation',
  describe: 'A batch of one record for a data transformation function',
  options: [
    { name: 'delivery-stream', describe: 'The delivery stream name', default: 'example-delivery-stream' },
    { name: 'data', describe: 'The record data (written base64-encoded, as Firehose does)', default: 'Hello, this is a test 123.' },
    ...LOCATION_OPTIONS,
  ],
  build: (values, context) => ({
    invocationId: context.uuid(),
    deliveryStreamArn: arnOf(values, 'firehose', `deliverystream/${valueOf(values, 'delivery-stream')}`),
    region: valueOf(values, 'region'),
    records: [
      {
        recordId: `4954698668313554428650745793632162567570019247115678515${String(context.now.getTime()).slice(-1)}`,
        approximateArrivalTimestamp: context.now.getTime(),
        data: Buffer.from(valueOf(values, 'data'), 'utf8').toString('base64'),
      },
    ],
  }),
};

/** Amazon Data Firehose. */
export const FIREHOSE_SERVICE: ServiceDefinition = {
  name: 'firehose',
  describe: 'Amazon Data Firehose data transformation',
  events: [FIREHOSE_TRANSFORMATION],
};
