import { CdkLocalError, ErrorCodes } from '../errors.js';
import { ALB_SERVICE } from './alb.js';
import { APIGATEWAY_SERVICE } from './apigateway.js';
import { CLOUDFORMATION_SERVICE } from './cloudformation.js';
import { CLOUDWATCH_SERVICE } from './cloudwatch.js';
import { COGNITO_SERVICE } from './cognito.js';
import { DYNAMODB_SERVICE } from './dynamodb.js';
import { currentEventContext, type EventContext, type EventDefinition, type ServiceDefinition } from './event-definition.js';
import { EVENTBRIDGE_SERVICE } from './eventbridge.js';
import { FIREHOSE_SERVICE } from './firehose.js';
import { KINESIS_SERVICE } from './kinesis.js';
import { S3_SERVICE } from './s3.js';
import { SES_SERVICE } from './ses.js';
import { SNS_SERVICE } from './sns.js';
import { SQS_SERVICE } from './sqs.js';
import { STEPFUNCTIONS_SERVICE } from './stepfunctions.js';

/** Every service `generate-event` knows, in alphabetical order. */
export const EVENT_SERVICES: readonly ServiceDefinition[] = [
  ALB_SERVICE,
  APIGATEWAY_SERVICE,
  CLOUDFORMATION_SERVICE,
  CLOUDWATCH_SERVICE,
  COGNITO_SERVICE,
  DYNAMODB_SERVICE,
  EVENTBRIDGE_SERVICE,
  FIREHOSE_SERVICE,
  KINESIS_SERVICE,
  S3_SERVICE,
  SES_SERVICE,
  SNS_SERVICE,
  SQS_SERVICE,
  STEPFUNCTIONS_SERVICE,
];

/** The service named `name`; a usage error naming the known ones otherwise. */
export function findService(name: string): ServiceDefinition {
  const service = EVENT_SERVICES.find((candidate) => candidate.name === name);
  if (service !== undefined) return service;
  throw new CdkLocalError(
    ErrorCodes.USAGE,
    `No service '${name}' to generate events for; the services are ${EVENT_SERVICES.map((candidate) => candidate.name).join(', ')}.`,
  );
}

/** The event `eventName` of a service; a usage error naming the service's events otherwise. */
export function findEvent(serviceName: string, eventName: string): EventDefinition {
  const service = findService(serviceName);
  const event = service.events.find((candidate) => candidate.name === eventName);
  if (event !== undefined) return event;
  throw new CdkLocalError(
    ErrorCodes.USAGE,
    `No event '${eventName}' for ${service.name}; its events are ${service.events.map((candidate) => candidate.name).join(', ')}.`,
  );
}

/**
 * Builds an event of a service. `options` are keyed by option name (`bucket`,
 * `queue-name`); options not given take their defaults, and an option the event does not
 * have is a usage error naming the ones it has.
 */
export function generateEvent(
  serviceName: string,
  eventName: string,
  options: Readonly<Record<string, string | undefined>> = {},
  context: EventContext = currentEventContext(),
): unknown {
  const event = findEvent(serviceName, eventName);
  const known = new Set(event.options.map((option) => option.name));
  for (const name of Object.keys(options)) {
    if (!known.has(name) && options[name] !== undefined) {
      throw new CdkLocalError(
        ErrorCodes.USAGE,
        `${serviceName} ${eventName} has no option --${name}; its options are ${event.options.map((option) => `--${option.name}`).join(', ')}.`,
      );
    }
  }
  const values = Object.fromEntries(event.options.map((option) => [option.name, options[option.name] ?? option.default]));
  return event.build(values, context);
}
