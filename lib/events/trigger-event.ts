import type { TriggerSpec } from '../assembly/index.js';
import { CdkLocalError, ErrorCodes } from '../errors.js';
import { currentEventContext, type EventContext } from './event-definition.js';
import { webSocketRouteEvent } from './apigateway-websocket.js';
import { eventBridgeEvent } from './eventbridge.js';
import { sampleMatchingPattern } from './pattern-event.js';
import { generateEvent } from './registry.js';

/** A path for a route template: `{proxy+}` → `path/to/resource`, `{id}` → `id`. */
export function examplePath(template: string): string {
  return template.replace(/\{([^}]+)\+\}/g, 'path/to/resource').replace(/\{([^}]+)\}/g, '$1');
}

/** Methods a proxy route takes without a body. */
const WITHOUT_BODY = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS']);

/** `ANY` routes get a `GET`. */
function concreteMethod(method: string): string {
  return method === 'ANY' || method === '' ? 'GET' : method;
}

/** A rule target's constant `Input` is what the function gets, as JSON. */
function parseInput(input: string): unknown {
  try {
    return JSON.parse(input);
  } catch {
    return input;
  }
}

function location(trigger: TriggerSpec): Record<string, string> {
  return { region: trigger.region, partition: trigger.partition, 'account-id': trigger.accountId };
}

/**
 * The event a trigger of the app would send its function: the app's own bucket, queue,
 * stream, topic, rule and route, in the shape of the service's event.
 */
export function eventForTrigger(trigger: TriggerSpec, context: EventContext = currentEventContext()): unknown {
  switch (trigger.kind) {
    case 's3': {
      const [eventType = 's3:ObjectCreated:*'] = trigger.events;
      const removed = eventType.includes('ObjectRemoved');
      const key = `${trigger.prefix ?? ''}example${trigger.suffix ?? '.txt'}`;
      const event = generateEvent('s3', removed ? 'delete' : 'put', { bucket: trigger.bucketName, key, ...location(trigger) }, context) as {
        Records: { eventName: string }[];
      };
      // A notification for one event type (s3:ObjectCreated:Copy) gets that type's name.
      const specific = eventType.replace(/^s3:/, '');
      if (!specific.includes('*')) for (const record of event.Records) record.eventName = specific;
      return event;
    }
    case 'sqs':
      return generateEvent('sqs', 'receive-message', { 'queue-arn': trigger.eventSourceArn, ...location(trigger) }, context);
    case 'kinesis':
      return generateEvent('kinesis', 'get-records', { 'stream-arn': trigger.eventSourceArn, ...location(trigger) }, context);
    case 'dynamodb':
      return generateEvent('dynamodb', 'update', { 'stream-arn': trigger.eventSourceArn, ...location(trigger) }, context);
    case 'sns':
      return generateEvent('sns', 'notification', { 'topic-arn': trigger.topicArn, ...location(trigger) }, context);
    case 'schedule':
      if (trigger.input !== undefined) return parseInput(trigger.input);
      return generateEvent('cloudwatch', 'scheduled-event', { rule: trigger.ruleName, 'rule-arn': trigger.ruleArn, ...location(trigger) }, context);
    case 'eventbridge': {
      if (trigger.input !== undefined) return parseInput(trigger.input);
      const sample = sampleMatchingPattern(trigger.pattern);
      const { source, 'detail-type': detailType, detail, region, account, resources, ...others } = sample;
      const event = eventBridgeEvent(
        {
          source: typeof source === 'string' ? source : 'com.example',
          detailType: typeof detailType === 'string' ? detailType : 'Example Event',
          detail: detail ?? {},
          region: typeof region === 'string' ? region : trigger.region,
          account: typeof account === 'string' ? account : trigger.accountId,
          resources: resources === undefined ? [] : [String(resources)],
        },
        context,
      );
      return { ...event, ...others };
    }
    case 'rest-api': {
      const method = concreteMethod(trigger.httpMethod);
      return generateEvent(
        'apigateway',
        'aws-proxy',
        {
          method,
          path: examplePath(trigger.resourcePath),
          resource: trigger.resourcePath,
          stage: trigger.stage,
          'api-id': trigger.apiId,
          ...(WITHOUT_BODY.has(method) ? { body: '' } : {}),
          ...location(trigger),
        },
        context,
      );
    }
    case 'http-api': {
      const [routeMethod = '', routePath = '/'] = trigger.routeKey === '$default' ? [] : trigger.routeKey.split(' ');
      const method = concreteMethod(routeMethod);
      const body = WITHOUT_BODY.has(method) ? { body: '' } : {};
      const common = { method, path: examplePath(routePath), stage: trigger.stage, 'api-id': trigger.apiId, ...body, ...location(trigger) };
      if (trigger.payloadFormatVersion === '1.0') {
        return generateEvent('apigateway', 'aws-proxy', { ...common, resource: routePath }, context);
      }
      return generateEvent('apigateway', 'http-api-proxy', { ...common, 'route-key': trigger.routeKey }, context);
    }
    case 'websocket-api':
      return webSocketRouteEvent(trigger, context);
    case 'cognito':
      return generateEvent('cognito', trigger.trigger, { region: trigger.region, 'user-pool-id': trigger.userPoolId }, context);
    case 'scheduler':
      return parseInput(trigger.input);
    case 'unsupported':
      throw new CdkLocalError(
        ErrorCodes.USAGE,
        `No event can be made yet for ${trigger.description} (${trigger.reason}); write it yourself and pass it to invoke with --event.`,
      );
  }
}
