import { isRecord } from './cfn-template.js';
import { loadTemplateScopes, type ReadAssemblyOptions } from './read-assembly.js';
import type { TemplateScope } from './template-scope.js';

/** What every trigger says: which function it invokes, what wires it, and where. */
interface TriggerBase {
  /** Construct path of the function it invokes, as in `FunctionSpec.constructPath`. */
  readonly functionPath: string;
  /** Construct path of the resource that wires it (the notification, mapping, rule, subscription, method). */
  readonly source: string;
  /** One line for listings: `S3 bucket uploads-bucket (s3:ObjectCreated:*, prefix uploads/)`. */
  readonly description: string;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
}

/** An S3 event notification of a bucket. */
export interface S3TriggerSpec extends TriggerBase {
  readonly kind: 's3';
  readonly bucketName: string;
  /** The notification's event types, e.g. `s3:ObjectCreated:*`. */
  readonly events: readonly string[];
  readonly prefix?: string;
  readonly suffix?: string;
}

/** An event source mapping of an SQS queue, a Kinesis stream or a DynamoDB stream. */
export interface StreamTriggerSpec extends TriggerBase {
  readonly kind: 'sqs' | 'kinesis' | 'dynamodb';
  /** The queue's, stream's or table stream's ARN. */
  readonly eventSourceArn: string;
}

/** An EventBridge rule with an event pattern. */
export interface EventRuleTriggerSpec extends TriggerBase {
  readonly kind: 'eventbridge';
  readonly ruleName: string;
  readonly ruleArn: string;
  readonly eventBusName: string;
  readonly pattern: Readonly<Record<string, unknown>>;
  /** The target's constant `Input`, which the function gets instead of the event. */
  readonly input?: string;
}

/** An EventBridge rule with a schedule. */
export interface ScheduleTriggerSpec extends TriggerBase {
  readonly kind: 'schedule';
  readonly ruleName: string;
  readonly ruleArn: string;
  /** `rate(5 minutes)`, `cron(0 12 * * ? *)`. */
  readonly scheduleExpression: string;
  /** The target's constant `Input`, which the function gets instead of the event. */
  readonly input?: string;
}

/** An SNS subscription of protocol `lambda`. */
export interface SnsTriggerSpec extends TriggerBase {
  readonly kind: 'sns';
  readonly topicArn: string;
}

/** A REST API method with a Lambda proxy integration. */
export interface RestApiTriggerSpec extends TriggerBase {
  readonly kind: 'rest-api';
  readonly apiId: string;
  readonly stage: string;
  /** `GET`, or `ANY`. */
  readonly httpMethod: string;
  /** The resource path, e.g. `/orders/{id}`. */
  readonly resourcePath: string;
}

/** An HTTP API route with a Lambda integration. */
export interface HttpApiTriggerSpec extends TriggerBase {
  readonly kind: 'http-api';
  readonly apiId: string;
  readonly stage: string;
  /** `GET /items/{id}`, `ANY /{proxy+}` or `$default`. */
  readonly routeKey: string;
  readonly payloadFormatVersion: '1.0' | '2.0';
}

/** A WebSocket API route with a Lambda integration. */
export interface WebSocketApiTriggerSpec extends TriggerBase {
  readonly kind: 'websocket-api';
  readonly apiId: string;
  readonly stage: string;
  /** `$connect`, `$disconnect`, `$default` or a custom route key. */
  readonly routeKey: string;
}

/** A Cognito user pool trigger (`LambdaConfig`). */
export interface CognitoTriggerSpec extends TriggerBase {
  readonly kind: 'cognito';
  readonly userPoolId: string;
  /** The trigger, as `generate-event cognito` names it: `pre-signup`, `post-confirmation`, ... */
  readonly trigger: string;
}

/** An EventBridge Scheduler schedule whose target is the function, with a constant input. */
export interface SchedulerTriggerSpec extends TriggerBase {
  readonly kind: 'scheduler';
  readonly scheduleName: string;
  readonly scheduleExpression: string;
  /** The target's `Input`, which the function gets. */
  readonly input: string;
}

/** Something that invokes the function whose event cdk-local cannot make yet. */
export interface UnsupportedTriggerSpec extends TriggerBase {
  readonly kind: 'unsupported';
  /** Why no event can be made for it, in a few words. */
  readonly reason: string;
}

/** One thing of the app that invokes a function, as plain data. */
export type TriggerSpec =
  | S3TriggerSpec
  | StreamTriggerSpec
  | EventRuleTriggerSpec
  | ScheduleTriggerSpec
  | SnsTriggerSpec
  | RestApiTriggerSpec
  | HttpApiTriggerSpec
  | WebSocketApiTriggerSpec
  | CognitoTriggerSpec
  | SchedulerTriggerSpec
  | UnsupportedTriggerSpec;

/**
 * Reads what invokes each function of a cloud assembly: S3 notifications, event source
 * mappings, EventBridge rules and schedules, EventBridge Scheduler schedules, SNS
 * subscriptions, API Gateway proxy integrations and Cognito user pool triggers, in template
 * order. Names and ARNs are resolved as for environment
 * variables.
 */
export async function readTriggers(directory: string, options: ReadAssemblyOptions = {}): Promise<readonly TriggerSpec[]> {
  const { scopes } = await loadTemplateScopes(directory, options);
  const triggers: TriggerSpec[] = [];
  for (const scope of scopes) collectTriggers(scope, triggers);
  return triggers;
}

function collectTriggers(scope: TemplateScope, triggers: TriggerSpec[]): void {
  for (const [logicalId, resource] of Object.entries(scope.template.Resources)) {
    if (!scope.resourceExists(logicalId)) continue;
    const reader = READERS[resource.Type];
    if (reader !== undefined) triggers.push(...reader(new ResourceReader(scope, logicalId)));
    if (resource.Type === 'AWS::CloudFormation::Stack') {
      const nested = scope.nestedScopes.get(logicalId);
      if (nested !== undefined) collectTriggers(nested, triggers);
    }
  }
}

/** One resource of a template, and what a trigger reader asks of it. */
class ResourceReader {
  readonly properties: Readonly<Record<string, unknown>>;

  constructor(
    readonly scope: TemplateScope,
    readonly logicalId: string,
  ) {
    this.properties = scope.template.Resources[logicalId]?.Properties ?? {};
  }

  /** A property (or any value) resolved to a string. */
  text(value: unknown): string {
    return this.scope.resolveString(value, []);
  }

  /** Where the resource is, and what wires it, for a trigger of `functionPath`. */
  base(functionPath: string, description: string): TriggerBase {
    const { region, accountId, partition } = this.scope.environment;
    return { functionPath, source: this.scope.constructPath(this.logicalId), description, region, accountId, partition };
  }

  /**
   * The construct path of the function an expression names (its ARN, name, an alias or
   * version of it), looking inside `Fn::Join` and `Fn::Sub` as an integration URI needs.
   */
  functionPath(expression: unknown): string | undefined {
    return functionPathIn(this.scope, expression, 0);
  }
}

const MAX_DEPTH = 16;

function functionPathIn(scope: TemplateScope, expression: unknown, depth: number): string | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const target = scope.traceResource(expression);
  if (target !== undefined) {
    const type = target.resource.Type;
    if (type === 'AWS::Lambda::Function') return target.scope.constructPath(target.logicalId);
    if (type === 'AWS::Lambda::Alias' || type === 'AWS::Lambda::Version') {
      return functionPathIn(target.scope, target.resource.Properties?.['FunctionName'], depth + 1);
    }
    return undefined;
  }
  if (Array.isArray(expression)) {
    for (const item of expression) {
      const found = functionPathIn(scope, item, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (isRecord(expression)) {
    const sub = expression['Fn::Sub'];
    if (typeof sub === 'string') return functionInSubText(scope, sub, depth);
    for (const value of Object.values(expression)) {
      const found = functionPathIn(scope, value, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** `${Handler.Arn}` or `${Handler}` inside an `Fn::Sub` string. */
function functionInSubText(scope: TemplateScope, text: string, depth: number): string | undefined {
  for (const match of text.matchAll(/\$\{([^}!][^}]*)\}/g)) {
    const [name = '', attribute] = (match[1] ?? '').split('.');
    const expression = attribute === undefined ? { Ref: name } : { 'Fn::GetAtt': [name, attribute] };
    const found = functionPathIn(scope, expression, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

type TriggerReader = (resource: ResourceReader) => TriggerSpec[];

const READERS: Readonly<Record<string, TriggerReader>> = {
  'Custom::S3BucketNotifications': readCdkBucketNotifications,
  'AWS::S3::Bucket': readBucketNotifications,
  'AWS::Lambda::EventSourceMapping': readEventSourceMapping,
  'AWS::Events::Rule': readRule,
  'AWS::SNS::Subscription': readSnsSubscription,
  'AWS::SNS::Topic': readTopicSubscriptions,
  'AWS::ApiGateway::Method': readRestApiMethod,
  'AWS::ApiGatewayV2::Integration': readHttpApiIntegration,
  'AWS::Cognito::UserPool': readUserPoolTriggers,
  'AWS::Scheduler::Schedule': readSchedule,
};

/** `LambdaConfig` keys of a user pool, and the trigger each is. */
const USER_POOL_TRIGGERS: Readonly<Record<string, string>> = {
  PreSignUp: 'pre-signup',
  PostConfirmation: 'post-confirmation',
  PreAuthentication: 'pre-authentication',
  PostAuthentication: 'post-authentication',
  PreTokenGeneration: 'pre-token-generation',
  PreTokenGenerationConfig: 'pre-token-generation',
  CustomMessage: 'custom-message',
  UserMigration: 'user-migration',
  DefineAuthChallenge: 'define-auth-challenge',
  CreateAuthChallenge: 'create-auth-challenge',
  VerifyAuthChallengeResponse: 'verify-auth-challenge-response',
  CustomEmailSender: 'custom-email-sender',
  CustomSMSSender: 'custom-sms-sender',
};

/** A user pool's Lambda triggers; the custom sender triggers are listed as not supported. */
function readUserPoolTriggers(resource: ResourceReader): TriggerSpec[] {
  const config = resource.properties['LambdaConfig'];
  if (!isRecord(config)) return [];
  const userPoolId = resource.text({ Ref: resource.logicalId });
  const seen = new Set<string>();
  const triggers: TriggerSpec[] = [];
  for (const [key, value] of Object.entries(config)) {
    const trigger = USER_POOL_TRIGGERS[key];
    // The config objects (PreTokenGenerationConfig, CustomEmailSender) hold the function in LambdaArn.
    const functionPath = trigger === undefined ? undefined : resource.functionPath(isRecord(value) && 'LambdaArn' in value ? value['LambdaArn'] : value);
    if (trigger === undefined || functionPath === undefined || seen.has(`${functionPath} ${trigger}`)) continue;
    seen.add(`${functionPath} ${trigger}`);
    const description = `Cognito user pool ${userPoolId} ${key} trigger`;
    if (trigger.startsWith('custom-') && trigger.endsWith('-sender')) {
      triggers.push({ kind: 'unsupported', ...resource.base(functionPath, description), reason: 'custom sender triggers have no event generator yet' });
    } else {
      triggers.push({ kind: 'cognito', ...resource.base(functionPath, description), userPoolId, trigger });
    }
  }
  return triggers;
}

/** An EventBridge Scheduler schedule that invokes a function. */
function readSchedule(resource: ResourceReader): TriggerSpec[] {
  const target = resource.properties['Target'];
  if (!isRecord(target)) return [];
  const functionPath = resource.functionPath(target['Arn']);
  if (functionPath === undefined) return [];
  const name = resource.properties['Name'];
  const scheduleName = resource.text(name ?? { Ref: resource.logicalId });
  const scheduleExpression = resource.text(resource.properties['ScheduleExpression']);
  const description = `EventBridge Scheduler schedule ${scheduleName} (${scheduleExpression})`;
  if (target['Input'] === undefined) {
    const reason = "a schedule without Input delivers the scheduler's default notification, which cdk-local does not make yet";
    return [{ kind: 'unsupported', ...resource.base(functionPath, description), reason }];
  }
  return [{ kind: 'scheduler', ...resource.base(functionPath, description), scheduleName, scheduleExpression, input: resource.text(target['Input']) }];
}

/** The `prefix` and `suffix` filter rules of a notification (`Name`/`Value` pairs). */
function keyFilter(resource: ResourceReader, rules: unknown): { prefix?: string; suffix?: string } {
  const filter: { prefix?: string; suffix?: string } = {};
  if (!Array.isArray(rules)) return filter;
  for (const rule of rules) {
    if (!isRecord(rule)) continue;
    const name = resource.text(rule['Name']).toLowerCase();
    if (name === 'prefix' || name === 'suffix') filter[name] = resource.text(rule['Value']);
  }
  return filter;
}

function s3Trigger(resource: ResourceReader, functionPath: string, bucketName: string, events: string[], rules: unknown): S3TriggerSpec {
  const filter = keyFilter(resource, rules);
  const details = [events.join(', '), filter.prefix === undefined ? '' : `prefix ${filter.prefix}`, filter.suffix === undefined ? '' : `suffix ${filter.suffix}`]
    .filter((part) => part !== '')
    .join(', ');
  return { kind: 's3', ...resource.base(functionPath, `S3 bucket ${bucketName} (${details})`), bucketName, events, ...filter };
}

/**
 * CDK's `bucket.addEventNotification()`: a `Custom::S3BucketNotifications` resource whose
 * `NotificationConfiguration` is the bucket's, set by a custom resource at deploy.
 */
function readCdkBucketNotifications(resource: ResourceReader): TriggerSpec[] {
  const configuration = resource.properties['NotificationConfiguration'];
  const bucketName = resource.text(resource.properties['BucketName']);
  if (!isRecord(configuration) || !Array.isArray(configuration['LambdaFunctionConfigurations'])) return [];
  const triggers: TriggerSpec[] = [];
  for (const entry of configuration['LambdaFunctionConfigurations']) {
    if (!isRecord(entry)) continue;
    const functionPath = resource.functionPath(entry['LambdaFunctionArn']);
    if (functionPath === undefined) continue;
    const events = Array.isArray(entry['Events']) ? entry['Events'].map((event) => resource.text(event)) : [];
    const filter = isRecord(entry['Filter']) && isRecord(entry['Filter']['Key']) ? entry['Filter']['Key']['FilterRules'] : undefined;
    triggers.push(s3Trigger(resource, functionPath, bucketName, events, filter));
  }
  return triggers;
}

/** A bucket's own `NotificationConfiguration.LambdaConfigurations`. */
function readBucketNotifications(resource: ResourceReader): TriggerSpec[] {
  const configuration = resource.properties['NotificationConfiguration'];
  if (!isRecord(configuration) || !Array.isArray(configuration['LambdaConfigurations'])) return [];
  const bucketName = resource.text({ Ref: resource.logicalId });
  const triggers: TriggerSpec[] = [];
  for (const entry of configuration['LambdaConfigurations']) {
    if (!isRecord(entry)) continue;
    const functionPath = resource.functionPath(entry['Function']);
    if (functionPath === undefined) continue;
    const filter = isRecord(entry['Filter']) && isRecord(entry['Filter']['S3Key']) ? entry['Filter']['S3Key']['Rules'] : undefined;
    triggers.push(s3Trigger(resource, functionPath, bucketName, [resource.text(entry['Event'])], filter));
  }
  return triggers;
}

/** An event source mapping: SQS, Kinesis and DynamoDB streams; other sources are listed as not supported. */
function readEventSourceMapping(resource: ResourceReader): TriggerSpec[] {
  const functionPath = resource.functionPath(resource.properties['FunctionName']);
  if (functionPath === undefined) return [];
  const arnExpression = resource.properties['EventSourceArn'];
  if (arnExpression === undefined) {
    const reason = 'an event source without an ARN (self-managed Kafka) has no event generator yet';
    return [{ kind: 'unsupported', ...resource.base(functionPath, 'event source mapping (self-managed Kafka)'), reason }];
  }
  const eventSourceArn = resource.text(arnExpression);
  const service = eventSourceArn.split(':')[2] ?? '';
  switch (service) {
    case 'sqs':
      return [{ kind: 'sqs', ...resource.base(functionPath, `SQS queue ${eventSourceArn}`), eventSourceArn }];
    case 'kinesis':
      return [{ kind: 'kinesis', ...resource.base(functionPath, `Kinesis stream ${eventSourceArn}`), eventSourceArn }];
    case 'dynamodb':
      return [{ kind: 'dynamodb', ...resource.base(functionPath, `DynamoDB stream ${eventSourceArn}`), eventSourceArn }];
    default: {
      const reason = `events of ${service === '' ? 'this source' : service} have no generator yet`;
      return [{ kind: 'unsupported', ...resource.base(functionPath, `event source mapping of ${eventSourceArn}`), reason }];
    }
  }
}

/** An EventBridge rule's targets that are functions: its pattern or its schedule. */
function readRule(resource: ResourceReader): TriggerSpec[] {
  const targets = resource.properties['Targets'];
  if (!Array.isArray(targets)) return [];
  const ruleName = resource.text({ Ref: resource.logicalId });
  const ruleArn = resource.text({ 'Fn::GetAtt': [resource.logicalId, 'Arn'] });
  const schedule = resource.properties['ScheduleExpression'];
  const patternValue = resource.properties['EventPattern'];
  const pattern = patternValue === undefined ? undefined : resource.scope.resolve(patternValue, []);
  const bus = resource.properties['EventBusName'];
  const eventBusName = bus === undefined ? 'default' : resource.text(bus);
  const triggers: TriggerSpec[] = [];
  for (const target of targets) {
    if (!isRecord(target)) continue;
    const functionPath = resource.functionPath(target['Arn']);
    if (functionPath === undefined) continue;
    const input = target['Input'] === undefined ? undefined : resource.text(target['Input']);
    if (target['InputTransformer'] !== undefined || target['InputPath'] !== undefined) {
      const reason = 'a target with InputPath or InputTransformer has no event generator yet';
      triggers.push({ kind: 'unsupported', ...resource.base(functionPath, `EventBridge rule ${ruleName}`), reason });
    } else if (schedule !== undefined) {
      const scheduleExpression = resource.text(schedule);
      triggers.push({
        kind: 'schedule',
        ...resource.base(functionPath, `schedule ${ruleName} (${scheduleExpression})`),
        ruleName,
        ruleArn,
        scheduleExpression,
        ...(input === undefined ? {} : { input }),
      });
    } else if (isRecord(pattern)) {
      triggers.push({
        kind: 'eventbridge',
        ...resource.base(functionPath, `EventBridge rule ${ruleName} on bus ${eventBusName} (${JSON.stringify(pattern)})`),
        ruleName,
        ruleArn,
        eventBusName,
        pattern,
        ...(input === undefined ? {} : { input }),
      });
    }
  }
  return triggers;
}

function snsTrigger(resource: ResourceReader, functionPath: string, topicArn: string): SnsTriggerSpec {
  return { kind: 'sns', ...resource.base(functionPath, `SNS topic ${topicArn}`), topicArn };
}

/** An `AWS::SNS::Subscription` of protocol `lambda`. */
function readSnsSubscription(resource: ResourceReader): TriggerSpec[] {
  if (resource.text(resource.properties['Protocol']).toLowerCase() !== 'lambda') return [];
  const functionPath = resource.functionPath(resource.properties['Endpoint']);
  return functionPath === undefined ? [] : [snsTrigger(resource, functionPath, resource.text(resource.properties['TopicArn']))];
}

/** The `Subscription` list of an `AWS::SNS::Topic`. */
function readTopicSubscriptions(resource: ResourceReader): TriggerSpec[] {
  const subscriptions = resource.properties['Subscription'];
  if (!Array.isArray(subscriptions)) return [];
  const topicArn = resource.text({ Ref: resource.logicalId });
  const triggers: TriggerSpec[] = [];
  for (const subscription of subscriptions) {
    if (!isRecord(subscription) || resource.text(subscription['Protocol']).toLowerCase() !== 'lambda') continue;
    const functionPath = resource.functionPath(subscription['Endpoint']);
    if (functionPath !== undefined) triggers.push(snsTrigger(resource, functionPath, topicArn));
  }
  return triggers;
}

/** The logical ID an expression refers to with `Ref` or `Fn::GetAtt` in the same template. */
function referencedId(resource: ResourceReader, expression: unknown): string | undefined {
  const target = resource.scope.traceResource(expression);
  return target?.scope === resource.scope ? target.logicalId : undefined;
}

/** The path of an `AWS::ApiGateway::Resource`, following `ParentId` up to the API's root. */
function restResourcePath(resource: ResourceReader, expression: unknown, depth = 0): string {
  const logicalId = referencedId(resource, expression);
  const apiResource = logicalId === undefined ? undefined : resource.scope.template.Resources[logicalId];
  if (depth > MAX_DEPTH || apiResource?.Type !== 'AWS::ApiGateway::Resource') return '/';
  const properties = apiResource.Properties ?? {};
  const parent = restResourcePath(resource, properties['ParentId'], depth + 1);
  return `${parent === '/' ? '' : parent}/${resource.text(properties['PathPart'])}`;
}

/** The stage of an API: its `Stage` resource's `StageName`, else its deployment's, else `fallback`. */
function stageOf(resource: ResourceReader, apiId: string | undefined, stageType: string, apiProperty: string, fallback: string): string {
  for (const [logicalId, candidate] of Object.entries(resource.scope.template.Resources)) {
    if (candidate.Type !== stageType || !resource.scope.resourceExists(logicalId)) continue;
    const properties = candidate.Properties ?? {};
    if (apiId !== undefined && referencedId(resource, properties[apiProperty]) !== apiId) continue;
    return resource.text(properties['StageName']);
  }
  return fallback;
}

/** A REST API method whose `AWS_PROXY` integration calls a function. */
function readRestApiMethod(resource: ResourceReader): TriggerSpec[] {
  const integration = resource.properties['Integration'];
  if (!isRecord(integration)) return [];
  const functionPath = resource.functionPath(integration['Uri']);
  if (functionPath === undefined) return [];
  const httpMethod = resource.text(resource.properties['HttpMethod']).toUpperCase();
  const resourcePath = restResourcePath(resource, resource.properties['ResourceId']);
  const description = `REST API ${httpMethod} ${resourcePath}`;
  if (resource.text(integration['Type']).toUpperCase() !== 'AWS_PROXY') {
    return [{ kind: 'unsupported', ...resource.base(functionPath, description), reason: 'a non-proxy (AWS) integration has no event generator yet' }];
  }
  const apiExpression = resource.properties['RestApiId'];
  const apiLogicalId = referencedId(resource, apiExpression);
  const apiId = resource.text(apiExpression);
  const stage =
    stageOf(resource, apiLogicalId, 'AWS::ApiGateway::Stage', 'RestApiId', '') ||
    stageOf(resource, apiLogicalId, 'AWS::ApiGateway::Deployment', 'RestApiId', '') ||
    'prod';
  return [{ kind: 'rest-api', ...resource.base(functionPath, description), apiId, stage, httpMethod, resourcePath }];
}

/** The routes of an HTTP API whose target is a Lambda integration. */
function readHttpApiIntegration(resource: ResourceReader): TriggerSpec[] {
  const functionPath = resource.functionPath(resource.properties['IntegrationUri']);
  if (functionPath === undefined) return [];
  const apiExpression = resource.properties['ApiId'];
  const apiLogicalId = referencedId(resource, apiExpression);
  const apiId = resource.text(apiExpression);
  const version = resource.properties['PayloadFormatVersion'] === undefined ? '2.0' : resource.text(resource.properties['PayloadFormatVersion']);
  const apiResource = apiLogicalId === undefined ? undefined : resource.scope.template.Resources[apiLogicalId];
  const webSocket = apiResource !== undefined && resource.text(apiResource.Properties?.['ProtocolType']) === 'WEBSOCKET';
  const stage = stageOf(resource, apiLogicalId, 'AWS::ApiGatewayV2::Stage', 'ApiId', webSocket ? '' : '$default');
  const triggers: TriggerSpec[] = [];
  for (const [logicalId, route] of Object.entries(resource.scope.template.Resources)) {
    if (route.Type !== 'AWS::ApiGatewayV2::Route' || !resource.scope.resourceExists(logicalId)) continue;
    const target = route.Properties?.['Target'];
    if (!refersTo(target, resource.logicalId)) continue;
    const routeKey = resource.text(route.Properties?.['RouteKey']);
    if (webSocket) {
      triggers.push({ kind: 'websocket-api', ...resource.base(functionPath, `WebSocket API ${routeKey}`), apiId, stage, routeKey });
      continue;
    }
    triggers.push({
      kind: 'http-api',
      ...resource.base(functionPath, `HTTP API ${routeKey}`),
      apiId,
      stage,
      routeKey,
      payloadFormatVersion: version === '1.0' ? '1.0' : '2.0',
    });
  }
  return triggers;
}

/** True when an expression contains `{ Ref: logicalId }` (a route's `integrations/<id>` target). */
function refersTo(expression: unknown, logicalId: string, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(expression)) return expression.some((item) => refersTo(item, logicalId, depth + 1));
  if (!isRecord(expression)) return false;
  if (expression['Ref'] === logicalId) return true;
  return Object.values(expression).some((value) => refersTo(value, logicalId, depth + 1));
}
