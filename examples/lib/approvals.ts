import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { functionDir } from './asset-dirs.js';

/** A durable workflow: order validation, a wait, a manager's approval by callback, settlement. */
export class Approvals extends Construct {
  /** The durable function: `<stack>/Approvals/Workflow`, named `approval-workflow`. */
  readonly workflow: lambda.Function;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.workflow = new lambda.Function(this, 'Workflow', {
      functionName: 'approval-workflow',
      // Durable functions need nodejs22.x or later, whose runtime includes the durable execution SDK.
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(functionDir('approval')),
      // Each invocation runs until the next wait or callback; the execution may last a day.
      timeout: Duration.seconds(30),
      durableConfig: { executionTimeout: Duration.days(1), retentionPeriod: Duration.days(7) },
    });
  }
}
