import { valueOf, type EventDefinition, type ServiceDefinition } from './event-definition.js';

/**
 * `stepfunctions error`: the error output of a failed state, as a `Catch` passes it on to
 * a function that handles it.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */
export const STEPFUNCTIONS_ERROR: EventDefinition = {
  name: 'error',
  describe: 'The error output of a failed state, as a Catch passes it on',
  options: [
    { name: 'error', describe: 'The error name', default: 'States.TaskFailed' },
    { name: 'cause', describe: 'The cause', default: 'The task failed.' },
  ],
  build: (values) => ({ Error: valueOf(values, 'error'), Cause: valueOf(values, 'cause') }),
};

/**
 * `stepfunctions task-token`: the input of a `.waitForTaskToken` Lambda task, whose
 * parameters pass the task token along with the state's input.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token
 */
export const STEPFUNCTIONS_TASK_TOKEN: EventDefinition = {
  name: 'task-token',
  describe: 'The input of a .waitForTaskToken task: the state input and its task token',
  options: [{ name: 'input', describe: 'The state input, as JSON', default: '{"orderId":"1234"}' }],
  build: (values, context) => {
    let input: unknown;
    try {
      input = JSON.parse(valueOf(values, 'input'));
    } catch {
      input = valueOf(values, 'input');
    }
    return { input, taskToken: Buffer.from(`${context.uuid()}${context.uuid()}`).toString('base64') };
  },
};

/** AWS Step Functions. */
export const STEPFUNCTIONS_SERVICE: ServiceDefinition = {
  name: 'stepfunctions',
  describe: 'AWS Step Functions task inputs',
  events: [STEPFUNCTIONS_ERROR, STEPFUNCTIONS_TASK_TOKEN],
};
