/**
 * Sample events of the services that invoke Lambda functions, built as pure code: by
 * service and event name with options (`generate-event s3 put --bucket b`), or from a
 * trigger the app wires to a function.
 */
export type { EventContext, EventDefinition, EventOption, EventValues, ServiceDefinition } from './event-definition.js';
export { EVENT_SERVICES, findEvent, findService, generateEvent } from './registry.js';
export { eventForTrigger } from './trigger-event.js';
export { sampleMatchingPattern } from './pattern-event.js';
export { encodeS3Key } from './s3.js';
