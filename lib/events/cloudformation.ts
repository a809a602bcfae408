import { LOCATION_OPTIONS, arnOf, valueOf, type EventContext, type EventDefinition, type EventValues, type ServiceDefinition } from './event-definition.js';

type RequestType = 'Create' | 'Update' | 'Delete';

const OPTIONS = [
  { name: 'stack', describe: 'The stack name', default: 'MyStack' },
  { name: 'resource-type', describe: 'The custom resource type', default: 'Custom::TestResource' },
  { name: 'logical-resource-id', describe: "The custom resource's logical ID", default: 'MyTestResource' },
  { name: 'physical-resource-id', describe: "The custom resource's physical ID (update and delete)", default: 'MyTestResource-1234' },
  { name: 'properties', describe: 'The resource properties, as JSON', default: '{"Key":"Value"}' },
  ...LOCATION_OPTIONS,
];

function parseProperties(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Text that is not a JSON object is passed on as one property.
  }
  return { Value: text };
}

/**
 * A custom resource request, as CloudFormation sends it to the function behind
 * `ServiceToken`.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requests.html
 */
function customResourceRequest(requestType: RequestType, values: EventValues, context: EventContext): unknown {
  const region = valueOf(values, 'region');
  const stackId = arnOf(values, 'cloudformation', `stack/${valueOf(values, 'stack')}/${context.uuid()}`);
  const requestId = context.uuid();
  const serviceToken = arnOf(values, 'lambda', `function:${valueOf(values, 'stack')}-CustomResourceHandler`);
  const properties = { ServiceToken: serviceToken, ...parseProperties(valueOf(values, 'properties')) };
  const responseKey = encodeURIComponent(`${stackId}|${valueOf(values, 'logical-resource-id')}|${requestId}`);
  return {
    RequestType: requestType,
    ServiceToken: serviceToken,
    ResponseURL: `https://cloudformation-custom-resource-response-${region.replace(/-/g, '')}.s3.${region}.amazonaws.com/${responseKey}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=7200`,
    StackId: stackId,
    RequestId: requestId,
    LogicalResourceId: valueOf(values, 'logical-resource-id'),
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: valueOf(values, 'physical-resource-id') }),
    ResourceType: valueOf(values, 'resource-type'),
    ResourceProperties: properties,
    ...(requestType === 'Update' ? { OldResourceProperties: { ServiceToken: serviceToken } } : {}),
  };
}

function requestEvent(name: string, requestType: RequestType): EventDefinition {
  return {
    name,
    describe: `A custom resource ${requestType} request`,
    options: requestType === 'Create' ? OPTIONS.filter((option) => option.name !== 'physical-resource-id') : OPTIONS,
    build: (values, context) => customResourceRequest(requestType, values, context),
  };
}

/** AWS CloudFormation custom resources. */
export const CLOUDFORMATION_SERVICE: ServiceDefinition = {
  name: 'cloudformation',
  describe: 'AWS CloudFormation custom resource requests',
  events: [requestEvent('create-request', 'Create'), requestEvent('update-request', 'Update'), requestEvent('delete-request', 'Delete')],
};
