import { CdkLocalError, ErrorCodes } from '../errors.js';
import { LOCATION_OPTIONS, isoSeconds, valueOf, type EventContext, type EventDefinition, type ServiceDefinition } from './event-definition.js';

/** The fields of an EventBridge event a caller chooses; the rest is the envelope. */
export interface EventBridgeFields {
  readonly source: string;
  readonly detailType: string;
  readonly detail: unknown;
  readonly region: string;
  readonly account: string;
  readonly resources: readonly string[];
}

/**
 * An event as EventBridge delivers it to a rule's target.
 * @see https://docs.aws.amazon.com/eventbridge/latest/ref/overiew-event-structure.html
 */
export function eventBridgeEvent(fields: EventBridgeFields, context: EventContext): Record<string, unknown> {
  return {
    version: '0',
    id: context.uuid(),
    'detail-type': fields.detailType,
    source: fields.source,
    account: fields.account,
    time: isoSeconds(context.now),
    region: fields.region,
    resources: [...fields.resources],
    detail: fields.detail,
  };
}

function parseDetail(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new CdkLocalError(ErrorCodes.USAGE, `--detail is not JSON (${(cause as Error).message}); give an object such as '{"orderId":"1"}'.`);
  }
}

/** `eventbridge event`: an event put on a bus, as a rule delivers it. */
export const EVENTBRIDGE_EVENT: EventDefinition = {
  name: 'event',
  describe: 'An event put on an event bus, as a rule delivers it to its target',
  options: [
    { name: 'source', describe: 'The event source', default: 'com.example.orders' },
    { name: 'detail-type', describe: 'The detail type', default: 'Order Placed' },
    { name: 'detail', describe: 'The detail, as JSON', default: '{"orderId":"1234"}' },
    ...LOCATION_OPTIONS,
  ],
  build: (values, context) =>
    eventBridgeEvent(
      {
        source: valueOf(values, 'source'),
        detailType: valueOf(values, 'detail-type'),
        detail: parseDetail(valueOf(values, 'detail')),
        region: valueOf(values, 'region'),
        account: valueOf(values, 'account-id'),
        resources: [],
      },
      context,
    ),
};

/** Amazon EventBridge. */
export const EVENTBRIDGE_SERVICE: ServiceDefinition = {
  name: 'eventbridge',
  describe: 'Amazon EventBridge events delivered by a rule',
  events: [EVENTBRIDGE_EVENT],
};
