import { TELEMETRY_CATEGORIES, type TelemetryCategory } from './telemetry-event.js';

/** Which API a subscription came through: the Telemetry API or the (deprecated) Logs API. */
export type SubscriptionApi = 'telemetry' | 'logs';

/** How a subscription batches its events (docs/conformance.md J.53). */
export interface BufferingConfig {
  /** A batch goes when it holds this many events. */
  readonly maxItems: number;
  /** A batch goes when its events (as JSON) reach this many bytes. */
  readonly maxBytes: number;
  /** A batch goes this long after its first event. */
  readonly timeoutMs: number;
}

/** The limits and defaults of each buffering setting, the same for both APIs. */
export const BUFFERING_LIMITS: { readonly [K in keyof BufferingConfig]: { readonly min: number; readonly max: number; readonly default: number } } = {
  maxItems: { min: 1000, max: 10_000, default: 10_000 },
  maxBytes: { min: 262_144, max: 1_048_576, default: 262_144 },
  timeoutMs: { min: 25, max: 30_000, default: 1000 },
};

/** Where a subscription's events go. */
export type TelemetryDestination =
  | {
      readonly protocol: 'HTTP';
      /** As the extension gave it: `http://sandbox.localdomain:PORT[/path]`. */
      readonly URI: string;
      /** The Telemetry API always POSTs; the Logs API lets the extension ask for PUT. */
      readonly method: 'POST' | 'PUT';
    }
  | { readonly protocol: 'TCP'; readonly port: number };

/** A subscription request that passed validation, with defaults filled in. */
export interface SubscriptionRequest {
  readonly api: SubscriptionApi;
  readonly schemaVersion: string;
  /** The categories asked for, without repeats, in the order given. */
  readonly types: readonly TelemetryCategory[];
  readonly destination: TelemetryDestination;
  readonly buffering: BufferingConfig;
}

/** Schema versions the Telemetry API accepts. https://docs.aws.amazon.com/lambda/latest/dg/telemetry-api-reference.html */
const TELEMETRY_SCHEMA_VERSIONS: readonly string[] = ['2022-07-01', '2022-12-13', '2025-01-29'];

/** Schema versions the Logs API accepts; the first is its default. https://docs.aws.amazon.com/lambda/latest/dg/runtimes-logs-api.html */
const LOGS_SCHEMA_VERSIONS: readonly string[] = ['2020-08-15', '2021-03-18'];

/** The hosts a destination URI may name: the environment itself. */
const SANDBOX_HOSTS: readonly string[] = ['sandbox.localdomain', 'sandbox'];

/** What {@link parseSubscriptionRequest} found: the request, or every problem with it. */
export type ParseSubscriptionResult =
  | { readonly ok: true; readonly request: SubscriptionRequest }
  | { readonly ok: false; readonly problems: readonly string[] };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(values: readonly string[]): string {
  return values.join(', ');
}

function parseTypes(value: unknown, problems: string[]): TelemetryCategory[] {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) {
    // The documentation's own example of a validation message.
    problems.push('types should not be empty');
    return [];
  }
  if (!Array.isArray(value) || !value.every((type): type is TelemetryCategory => TELEMETRY_CATEGORIES.includes(type as TelemetryCategory))) {
    problems.push(`types must be an array of ${describe(TELEMETRY_CATEGORIES)}`);
    return [];
  }
  return [...new Set(value)];
}

function parseUri(value: unknown, problems: string[]): string | undefined {
  if (typeof value !== 'string' || value === '') {
    problems.push('URI is not provided');
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`URI ${value} is not a valid URI`);
    return undefined;
  }
  const before = problems.length;
  if (url.protocol !== 'http:') problems.push(`URI scheme must be http (Lambda supports HTTP, not HTTPS): ${value}`);
  if (!SANDBOX_HOSTS.includes(url.hostname)) {
    problems.push(`URI host must be sandbox.localdomain (the execution environment): ${value}`);
  }
  // The documentation's own example of a validation message.
  if (url.port === '') problems.push('URI port is not provided');
  return problems.length === before ? value : undefined;
}

function parseDestination(api: SubscriptionApi, value: unknown, problems: string[]): TelemetryDestination | undefined {
  if (!isObject(value)) {
    problems.push('destination is not provided');
    return undefined;
  }
  if (value.protocol === 'HTTP') {
    const URI = parseUri(value.URI, problems);
    let method: 'POST' | 'PUT' = 'POST';
    if (api === 'logs') {
      // The Logs API lets a listener take its batches by PUT (AWS's own Go sample sets
      // "method" and "encoding"); the Telemetry API always POSTs.
      if (value.method === 'PUT') method = 'PUT';
      else if (value.method !== undefined && value.method !== 'POST') problems.push('destination.method must be POST or PUT');
      if (value.encoding !== undefined && value.encoding !== 'JSON') problems.push('destination.encoding must be JSON');
    }
    return URI === undefined ? undefined : { protocol: 'HTTP', URI, method };
  }
  if (value.protocol === 'TCP') {
    const port = value.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535) {
      problems.push('destination.port must be an integer from 1 to 65535');
      return undefined;
    }
    return { protocol: 'TCP', port };
  }
  problems.push('destination.protocol must be HTTP or TCP');
  return undefined;
}

function parseBuffering(value: unknown, problems: string[]): BufferingConfig {
  const defaults: BufferingConfig = {
    maxItems: BUFFERING_LIMITS.maxItems.default,
    maxBytes: BUFFERING_LIMITS.maxBytes.default,
    timeoutMs: BUFFERING_LIMITS.timeoutMs.default,
  };
  if (value === undefined || value === null) return defaults;
  if (!isObject(value)) {
    problems.push('buffering must be an object');
    return defaults;
  }
  const result: Record<keyof BufferingConfig, number> = { ...defaults };
  for (const key of ['maxItems', 'maxBytes', 'timeoutMs'] as const) {
    const given = value[key];
    if (given === undefined) continue;
    const { min, max } = BUFFERING_LIMITS[key];
    if (typeof given !== 'number' || !Number.isInteger(given) || given < min || given > max) {
      problems.push(`buffering.${key} must be an integer from ${min} to ${max}`);
      continue;
    }
    result[key] = given;
  }
  return result;
}

/**
 * Validates a `PUT /2022-07-01/telemetry` or `PUT /2020-08-15/logs` body as the service
 * does (docs/conformance.md J.52–J.54, L.68) and fills in the defaults. Every problem found is
 * reported, as the service joins them in one message.
 */
export function parseSubscriptionRequest(api: SubscriptionApi, body: unknown): ParseSubscriptionResult {
  if (!isObject(body)) return { ok: false, problems: ['The request body must be a JSON object'] };
  const problems: string[] = [];
  const versions = api === 'telemetry' ? TELEMETRY_SCHEMA_VERSIONS : LOGS_SCHEMA_VERSIONS;
  let schemaVersion = body.schemaVersion;
  // The Logs API's schemaVersion is optional; the Telemetry API's is required.
  if (schemaVersion === undefined && api === 'logs') schemaVersion = LOGS_SCHEMA_VERSIONS[0];
  if (schemaVersion === undefined) problems.push('schemaVersion is not provided');
  else if (typeof schemaVersion !== 'string' || !versions.includes(schemaVersion)) {
    problems.push(`schemaVersion must be one of ${describe(versions)}`);
  }
  // Destination before types: the documentation's example message reads
  // "URI port is not provided; types should not be empty".
  const destination = parseDestination(api, body.destination, problems);
  const types = parseTypes(body.types, problems);
  const buffering = parseBuffering(body.buffering, problems);
  if (problems.length > 0 || destination === undefined) return { ok: false, problems };
  return { ok: true, request: { api, schemaVersion: schemaVersion as string, types, destination, buffering } };
}
