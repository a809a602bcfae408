import { Stack, Stage, Validations, type StackProps, type StageProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { NODEJS_20_DEPRECATION } from './acknowledgements.js';
import { functionDir } from './asset-dirs.js';
import { FUNCTION_TIMEOUT } from './function-timeout.js';

/** A stack deployed once per stage, with the `Staged` function. */
export class ApiStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    Validations.of(this).acknowledge(NODEJS_20_DEPRECATION);
    new lambda.Function(this, 'Staged', {
      runtime: lambda.Runtime.NODEJS_20_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(functionDir('staged')),
      environment: { STAGE: Stage.of(this)?.stageName ?? 'none' },
      timeout: FUNCTION_TIMEOUT,
    });
  }
}

/** One deployment stage (e.g. `Prod`) of the API: its stack's path is `<stage>/ApiStack`. */
export class ApiStage extends Stage {
  constructor(scope: Construct, id: string, props?: StageProps) {
    super(scope, id, props);
    new ApiStack(this, 'ApiStack');
  }
}
