import { randomUUID } from 'node:crypto';
import { DEFAULT_ACCOUNT, DEFAULT_REGION } from '../assembly/index.js';

/** One `--option` of an event, with the value used when it is not given. */
export interface EventOption {
  /** The option's name on the command line, without `--` (SAM's name where SAM has one). */
  readonly name: string;
  /** One line for `--help`. */
  readonly describe: string;
  /** The value when the option is not given. */
  readonly default: string;
}

/** The option values an event is built from: every option of its definition, defaults filled in. */
export type EventValues = Readonly<Record<string, string>>;

/** What varies from one generated event to the next: the time and fresh IDs. */
export interface EventContext {
  /** The time the event happens. */
  readonly now: Date;
  /** A fresh UUID. */
  readonly uuid: () => string;
}

/** One event a service sends to a function. */
export interface EventDefinition {
  /** The event's name on the command line (`put`, `receive-message`). */
  readonly name: string;
  /** One line for listings and `--help`. */
  readonly describe: string;
  readonly options: readonly EventOption[];
  /** Builds the event as the service would send it. */
  readonly build: (values: EventValues, context: EventContext) => unknown;
}

/** A service and the events it sends. */
export interface ServiceDefinition {
  /** The service's name on the command line (`s3`, `apigateway`). */
  readonly name: string;
  readonly describe: string;
  readonly events: readonly EventDefinition[];
}

/** The context of an event happening now, with random IDs. */
export function currentEventContext(): EventContext {
  return { now: new Date(), uuid: randomUUID };
}

/** The common `--region`, `--partition` and `--account-id` options. */
export const REGION_OPTION: EventOption = { name: 'region', describe: 'The region the event comes from', default: DEFAULT_REGION };
export const PARTITION_OPTION: EventOption = { name: 'partition', describe: 'The partition of ARNs (aws, aws-cn, aws-us-gov)', default: 'aws' };
export const ACCOUNT_OPTION: EventOption = { name: 'account-id', describe: 'The AWS account ID in ARNs', default: DEFAULT_ACCOUNT };

/** `--region`, `--partition`, `--account-id`. */
export const LOCATION_OPTIONS: readonly EventOption[] = [REGION_OPTION, PARTITION_OPTION, ACCOUNT_OPTION];

/** A value of `values`; every option has one once defaults are filled in. */
export function valueOf(values: EventValues, name: string): string {
  return values[name] ?? '';
}

/** `arn:<partition>:<service>:<region>:<account>:<resource>` from the event's location options. */
export function arnOf(values: EventValues, service: string, resource: string): string {
  return `arn:${valueOf(values, 'partition')}:${service}:${valueOf(values, 'region')}:${valueOf(values, 'account-id')}:${resource}`;
}

/** Hex digits from a UUID, for IDs shaped like the service's (request IDs, sequencers). */
export function hexId(context: EventContext, length: number): string {
  let hex = '';
  while (hex.length < length) hex += context.uuid().replace(/-/g, '');
  return hex.slice(0, length).toUpperCase();
}

/** ISO 8601 without milliseconds (`2026-11-30T09:00:00Z`), as EventBridge writes times. */
export function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
