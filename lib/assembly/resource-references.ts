import { generatePhysicalName, type PhysicalNameOptions } from './physical-name.js';
import { opaquePlaceholder, stringifyResolved, type ResolvedValue } from './resolved-value.js';
import { Alphabets, stableCharacters, stableUuid } from './stable-characters.js';

/** A resource that a `Ref` or `Fn::GetAtt` points at, as the resolver sees it. */
export interface ReferencedResource {
  readonly logicalId: string;
  readonly type: string;
  /** How to name it to a user: its construct path, else its logical ID. */
  readonly label: string;
  /** CloudFormation name of the stack that holds it (generated names start with it). */
  readonly stackName: string;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  readonly urlSuffix: string;
  /** The resolved value of one of its properties; undefined when the property is absent. */
  property(name: string, reasons: string[]): ResolvedValue | undefined;
}

interface NameRule extends PhysicalNameOptions {
  /** The property that names the resource. */
  readonly property: string;
  /** A property that, when true, adds a suffix (`FifoQueue` → `.fifo`). */
  readonly fifoProperty?: string;
  /**
   * The generated name is cdk-local's own (a function is served locally under it), so it
   * is not a placeholder.
   */
  readonly local?: boolean;
}

interface TypeRule {
  readonly name?: NameRule;
  readonly ref: (facts: Facts) => ResolvedValue;
  readonly attributes?: Readonly<Record<string, (facts: Facts) => ResolvedValue>>;
}

/** What a rule can ask about the resource while computing a value. */
class Facts {
  constructor(
    readonly resource: ReferencedResource,
    readonly expression: string,
    readonly reasons: string[],
    private readonly nameRule: NameRule | undefined,
  ) {}

  get region(): string {
    return this.resource.region;
  }

  get account(): string {
    return this.resource.accountId;
  }

  get partition(): string {
    return this.resource.partition;
  }

  get urlSuffix(): string {
    return this.resource.urlSuffix;
  }

  /** A property as a string, or undefined when absent. */
  text(property: string): string | undefined {
    const value = this.resource.property(property, this.reasons);
    return value === undefined ? undefined : stringifyResolved(value);
  }

  /** The physical name: the naming property when set, else the name CloudFormation would generate. */
  name(): string {
    const rule = this.nameRule ?? genericNameRule(this.resource.type);
    const given = this.text(rule.property);
    if (given !== undefined && given !== '') return given;
    const fifo = rule.fifoProperty !== undefined && this.text(rule.fifoProperty) === 'true';
    const generated = generatePhysicalName(this.resource.stackName, this.resource.logicalId, {
      ...rule,
      suffix: fifo ? '.fifo' : rule.suffix,
    });
    if (rule.local !== true) this.note('name generated at deploy');
    return generated;
  }

  /** A value only AWS knows after deploy (an ID, a random suffix): stable characters, and a reason. */
  opaque(length: number, alphabet: string, salt = ''): string {
    this.note('known after deploy');
    return stableCharacters(`${this.resource.stackName}/${this.resource.logicalId}/${salt}`, length, alphabet);
  }

  /** A UUID only AWS knows after deploy. */
  opaqueUuid(salt = ''): string {
    this.note('known after deploy');
    return stableUuid(`${this.resource.stackName}/${this.resource.logicalId}/${salt}`);
  }

  /** `arn:<partition>:<service>:<region>:<account>:<resource>`. */
  arn(service: string, resource: string, scope: 'regional' | 'global' | 'none' = 'regional'): string {
    const region = scope === 'regional' ? this.region : '';
    const account = scope === 'none' ? '' : this.account;
    return `arn:${this.partition}:${service}:${region}:${account}:${resource}`;
  }

  note(why: string): void {
    const reason = `${this.expression}: ${why}`;
    if (!this.reasons.includes(reason)) this.reasons.push(reason);
  }
}

const lower10 = (facts: Facts, salt = ''): string => facts.opaque(10, Alphabets.LOWER_ALPHANUMERIC, salt);

const DYNAMODB_TABLE: TypeRule = {
  name: { property: 'TableName', maxLength: 255 },
  ref: (f) => f.name(),
  attributes: {
    Arn: (f) => f.arn('dynamodb', `table/${f.name()}`),
    StreamArn: (f) => f.arn('dynamodb', `table/${f.name()}/stream/${streamLabel(f)}`),
    TableId: (f) => f.opaqueUuid('TableId'),
  },
};

const RULES: Readonly<Record<string, TypeRule>> = {
  'AWS::Lambda::Function': {
    name: { property: 'FunctionName', maxLength: 64, local: true },
    ref: (f) => f.name(),
    attributes: { Arn: (f) => f.arn('lambda', `function:${f.name()}`) },
  },
  'AWS::Lambda::LayerVersion': {
    name: { property: 'LayerName', maxLength: 140, local: true },
    ref: (f) => layerVersionArn(f),
    attributes: { LayerVersionArn: (f) => layerVersionArn(f) },
  },
  'AWS::Lambda::Alias': {
    ref: (f) => aliasArn(f),
    attributes: { AliasArn: (f) => aliasArn(f) },
  },
  'AWS::Lambda::Version': {
    ref: (f) => `${functionArnOf(f)}:1`,
    attributes: { Version: () => '1', FunctionArn: (f) => functionArnOf(f) },
  },
  'AWS::Lambda::Url': {
    ref: (f) => functionUrl(f),
    attributes: { FunctionUrl: (f) => functionUrl(f), FunctionArn: (f) => f.text('TargetFunctionArn') ?? '' },
  },
  'AWS::DynamoDB::Table': DYNAMODB_TABLE,
  // A global table's Ref and attributes are shaped as a table's.
  'AWS::DynamoDB::GlobalTable': DYNAMODB_TABLE,
  'AWS::SQS::Queue': {
    name: { property: 'QueueName', maxLength: 80, fifoProperty: 'FifoQueue' },
    ref: (f) => queueUrl(f),
    attributes: {
      Arn: (f) => f.arn('sqs', f.name()),
      QueueName: (f) => f.name(),
      QueueUrl: (f) => queueUrl(f),
    },
  },
  'AWS::SNS::Topic': {
    name: { property: 'TopicName', maxLength: 256, fifoProperty: 'FifoTopic' },
    ref: (f) => f.arn('sns', f.name()),
    attributes: { TopicArn: (f) => f.arn('sns', f.name()), TopicName: (f) => f.name() },
  },
  'AWS::S3::Bucket': {
    name: { property: 'BucketName', maxLength: 63, lowercase: true },
    ref: (f) => f.name(),
    attributes: {
      Arn: (f) => f.arn('s3', f.name(), 'none'),
      DomainName: (f) => `${f.name()}.s3.${f.urlSuffix}`,
      RegionalDomainName: (f) => `${f.name()}.s3.${f.region}.${f.urlSuffix}`,
      DualStackDomainName: (f) => `${f.name()}.s3.dualstack.${f.region}.${f.urlSuffix}`,
      WebsiteURL: (f) => `http://${f.name()}.s3-website-${f.region}.${f.urlSuffix}`,
    },
  },
  'AWS::IAM::Role': {
    name: { property: 'RoleName', maxLength: 64 },
    ref: (f) => f.name(),
    attributes: {
      Arn: (f) => f.arn('iam', `role${iamPath(f)}${f.name()}`, 'global'),
      RoleId: (f) => `AROA${f.opaque(17, Alphabets.UPPER_ALPHANUMERIC, 'RoleId')}`,
    },
  },
  'AWS::IAM::User': {
    name: { property: 'UserName', maxLength: 64 },
    ref: (f) => f.name(),
    attributes: { Arn: (f) => f.arn('iam', `user${iamPath(f)}${f.name()}`, 'global') },
  },
  'AWS::IAM::ManagedPolicy': {
    name: { property: 'ManagedPolicyName', maxLength: 128 },
    ref: (f) => f.arn('iam', `policy${iamPath(f)}${f.name()}`, 'global'),
    attributes: { PolicyArn: (f) => f.arn('iam', `policy${iamPath(f)}${f.name()}`, 'global') },
  },
  'AWS::SecretsManager::Secret': {
    name: { property: 'Name', maxLength: 512, withoutStackName: true },
    ref: (f) => secretArn(f),
    attributes: { Id: (f) => secretArn(f) },
  },
  'AWS::SSM::Parameter': {
    name: { property: 'Name', maxLength: 2048, withoutStackName: true, prefix: 'CFN-' },
    ref: (f) => f.name(),
    attributes: { Type: (f) => f.text('Type') ?? 'String', Value: (f) => f.text('Value') ?? '' },
  },
  'AWS::Events::EventBus': {
    name: { property: 'Name', maxLength: 256 },
    ref: (f) => f.name(),
    attributes: { Arn: (f) => f.arn('events', `event-bus/${f.name()}`), Name: (f) => f.name() },
  },
  'AWS::Events::Rule': {
    name: { property: 'Name', maxLength: 64 },
    ref: (f) => f.name(),
    attributes: { Arn: (f) => f.arn('events', `rule/${f.name()}`) },
  },
  'AWS::StepFunctions::StateMachine': {
    name: { property: 'StateMachineName', maxLength: 80, withoutStackName: true },
    ref: (f) => f.arn('states', `stateMachine:${f.name()}`),
    attributes: { Arn: (f) => f.arn('states', `stateMachine:${f.name()}`), Name: (f) => f.name() },
  },
  'AWS::Kinesis::Stream': {
    name: { property: 'Name', maxLength: 128 },
    ref: (f) => f.name(),
    attributes: { Arn: (f) => f.arn('kinesis', `stream/${f.name()}`) },
  },
  'AWS::Logs::LogGroup': {
    name: { property: 'LogGroupName', maxLength: 512 },
    ref: (f) => f.name(),
    attributes: { Arn: (f) => f.arn('logs', `log-group:${f.name()}:*`) },
  },
  'AWS::KMS::Key': {
    ref: (f) => f.opaqueUuid('KeyId'),
    attributes: { Arn: (f) => f.arn('kms', `key/${f.opaqueUuid('KeyId')}`), KeyId: (f) => f.opaqueUuid('KeyId') },
  },
  'AWS::KMS::Alias': { ref: (f) => f.text('AliasName') ?? `alias/${f.name()}` },
  'AWS::ECR::Repository': {
    name: { property: 'RepositoryName', maxLength: 256, lowercase: true },
    ref: (f) => f.name(),
    attributes: {
      Arn: (f) => f.arn('ecr', `repository/${f.name()}`),
      RepositoryUri: (f) => `${f.account}.dkr.ecr.${f.region}.${f.urlSuffix}/${f.name()}`,
    },
  },
  'AWS::ApiGateway::RestApi': {
    ref: (f) => lower10(f),
    attributes: { RestApiId: (f) => lower10(f), RootResourceId: (f) => lower10(f, 'RootResourceId') },
  },
  'AWS::ApiGateway::Stage': { ref: (f) => f.text('StageName') ?? 'prod' },
  'AWS::ApiGatewayV2::Api': {
    ref: (f) => lower10(f),
    attributes: {
      ApiId: (f) => lower10(f),
      ApiEndpoint: (f) => `https://${lower10(f)}.execute-api.${f.region}.${f.urlSuffix}`,
    },
  },
  'AWS::Cognito::UserPool': {
    ref: (f) => userPoolId(f),
    attributes: {
      Arn: (f) => f.arn('cognito-idp', `userpool/${userPoolId(f)}`),
      ProviderName: (f) => `cognito-idp.${f.region}.${f.urlSuffix}/${userPoolId(f)}`,
      ProviderURL: (f) => `https://cognito-idp.${f.region}.${f.urlSuffix}/${userPoolId(f)}`,
      UserPoolId: (f) => userPoolId(f),
    },
  },
  'AWS::Cognito::UserPoolClient': {
    ref: (f) => f.opaque(26, Alphabets.LOWER_ALPHANUMERIC),
    attributes: { ClientSecret: (f) => f.opaque(51, Alphabets.LOWER_ALPHANUMERIC, 'ClientSecret') },
  },
  'AWS::EC2::VPC': { ref: (f) => `vpc-${f.opaque(17, Alphabets.HEX)}` },
  'AWS::EC2::Subnet': { ref: (f) => `subnet-${f.opaque(17, Alphabets.HEX)}` },
  'AWS::EC2::SecurityGroup': {
    ref: (f) => `sg-${f.opaque(17, Alphabets.HEX)}`,
    attributes: { GroupId: (f) => `sg-${f.opaque(17, Alphabets.HEX)}` },
  },
  'AWS::CloudFront::Distribution': {
    ref: (f) => `E${f.opaque(13, Alphabets.UPPER_ALPHANUMERIC)}`,
    attributes: { DomainName: (f) => `d${f.opaque(13, Alphabets.LOWER_ALPHANUMERIC, 'DomainName')}.cloudfront.net` },
  },
  'AWS::AppSync::GraphQLApi': {
    ref: (f) => f.arn('appsync', `apis/${f.opaque(26, Alphabets.LOWER_ALPHANUMERIC)}`),
    attributes: {
      ApiId: (f) => f.opaque(26, Alphabets.LOWER_ALPHANUMERIC),
      Arn: (f) => f.arn('appsync', `apis/${f.opaque(26, Alphabets.LOWER_ALPHANUMERIC)}`),
      GraphQLUrl: (f) =>
        `https://${f.opaque(26, Alphabets.LOWER_ALPHANUMERIC, 'Url')}.appsync-api.${f.region}.${f.urlSuffix}/graphql`,
    },
  },
  'AWS::CloudFormation::Stack': {
    name: { property: 'StackName', maxLength: 128 },
    ref: (f) => f.arn('cloudformation', `stack/${f.name()}/${f.opaqueUuid('StackId')}`),
  },
};

/**
 * What `Ref` (no attribute) or `Fn::GetAtt` (an attribute) gives for a resource, in the
 * shape the real service gives it. Parts known only after deploy become stable
 * placeholders, each with a reason added to `reasons`.
 */
export function resolveResourceReference(
  resource: ReferencedResource,
  attribute: string | undefined,
  reasons: string[],
): ResolvedValue {
  const expression = attribute === undefined ? `Ref ${resource.label}` : `Fn::GetAtt ${resource.label}.${attribute}`;
  const rule = RULES[resource.type];
  const facts = new Facts(resource, expression, reasons, rule?.name);
  if (isCustomResource(resource.type)) {
    facts.note('set by a custom resource at deploy');
    return opaquePlaceholder(attribute === undefined ? resource.logicalId : `${resource.logicalId}-${attribute}`);
  }
  if (attribute === undefined) {
    if (rule !== undefined) return rule.ref(facts);
    const name = facts.name();
    facts.note('known after deploy');
    return name;
  }
  const known = rule?.attributes?.[attribute];
  if (known !== undefined) return known(facts);
  return genericAttribute(facts, attribute);
}

function isCustomResource(type: string): boolean {
  return type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
}

/** A naming property guessed from the type: `AWS::Foo::Widget` → `WidgetName`. */
function genericNameRule(type: string): NameRule {
  const shortType = type.split('::').at(-1) ?? 'Resource';
  return { property: `${shortType}Name`, maxLength: 64 };
}

function genericAttribute(facts: Facts, attribute: string): ResolvedValue {
  const type = facts.resource.type.split('::');
  const service = (type[1] ?? 'service').toLowerCase();
  const kind = (type[2] ?? 'resource').toLowerCase();
  facts.note('known after deploy');
  if (attribute === 'Arn' || attribute.endsWith('Arn')) return facts.arn(service, `${kind}/${facts.name()}`);
  if (attribute.endsWith('Name')) return facts.name();
  if (attribute.endsWith('Id')) return facts.opaque(12, Alphabets.LOWER_ALPHANUMERIC, attribute);
  if (attribute.endsWith('Url') || attribute.endsWith('URL') || attribute.endsWith('Endpoint')) {
    return `https://${facts.opaque(12, Alphabets.LOWER_ALPHANUMERIC, attribute)}.${service}.${facts.region}.${facts.urlSuffix}`;
  }
  return opaquePlaceholder(`${facts.resource.logicalId}-${attribute}`);
}

function queueUrl(f: Facts): string {
  return `https://sqs.${f.region}.${f.urlSuffix}/${f.account}/${f.name()}`;
}

function layerVersionArn(f: Facts): string {
  return f.arn('lambda', `layer:${f.name()}:1`);
}

function functionArnOf(f: Facts): string {
  const target = f.text('FunctionName') ?? '';
  return target.startsWith('arn:') ? target : f.arn('lambda', `function:${target}`);
}

function aliasArn(f: Facts): string {
  return `${functionArnOf(f)}:${f.text('Name') ?? 'live'}`;
}

function functionUrl(f: Facts): string {
  return `https://${f.opaque(32, Alphabets.LOWER_ALPHANUMERIC)}.lambda-url.${f.region}.on.aws/`;
}

function streamLabel(f: Facts): string {
  f.note('stream label set at deploy');
  return '1970-01-01T00:00:00.000';
}

function iamPath(f: Facts): string {
  return f.text('Path') ?? '/';
}

function secretArn(f: Facts): string {
  // Secrets Manager appends six random characters to every secret's ARN.
  return f.arn('secretsmanager', `secret:${f.name()}-${f.opaque(6, Alphabets.MIXED_ALPHANUMERIC, 'ArnSuffix')}`);
}

function userPoolId(f: Facts): string {
  return `${f.region}_${f.opaque(9, Alphabets.MIXED_ALPHANUMERIC)}`;
}
