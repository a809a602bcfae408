import { LOCATION_OPTIONS, arnOf, hexId, valueOf, type EventDefinition, type ServiceDefinition } from './event-definition.js';

/**
 * `alb request`: an HTTP request an Application Load Balancer forwards to a Lambda target
 * group (multi-value headers off).
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html
 */
export const ALB_REQUEST: EventDefinition = {
  name: 'request',
  describe: 'A request forwarded by an Application Load Balancer',
  options: [
    { name: 'method', describe: 'The HTTP method', default: 'GET' },
    { name: 'path', describe: 'The request path', default: '/lambda' },
    { name: 'body', describe: 'The request body', default: '' },
    { name: 'target-group', describe: 'The target group name', default: 'lambda-target-group' },
    ...LOCATION_OPTIONS,
  ],
  build: (values, context) => {
    const body = valueOf(values, 'body');
    return {
      requestContext: {
        elb: { targetGroupArn: arnOf(values, 'elasticloadbalancing', `targetgroup/${valueOf(values, 'target-group')}/${hexId(context, 16).toLowerCase()}`) },
      },
      httpMethod: valueOf(values, 'method').toUpperCase(),
      path: valueOf(values, 'path'),
      queryStringParameters: {},
      headers: {
        accept: '*/*',
        ...(body === '' ? {} : { 'content-type': 'application/json' }),
        host: `lambda-alb-123456789.${valueOf(values, 'region')}.elb.amazonaws.com`,
        'user-agent': 'curl/8.5.0',
        'x-amzn-trace-id': `Root=1-${Math.floor(context.now.getTime() / 1000).toString(16)}-${hexId(context, 24).toLowerCase()}`,
        'x-forwarded-for': '127.0.0.1',
        'x-forwarded-port': '80',
        'x-forwarded-proto': 'http',
      },
      body,
      isBase64Encoded: false,
    };
  },
};

/** Elastic Load Balancing (Application Load Balancer). */
export const ALB_SERVICE: ServiceDefinition = {
  name: 'alb',
  describe: 'Application Load Balancer requests',
  events: [ALB_REQUEST],
};
