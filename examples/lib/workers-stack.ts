import { NestedStack, type NestedStackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { functionDir } from './asset-dirs.js';
import { FUNCTION_TIMEOUT } from './function-timeout.js';

/** Properties of {@link WorkersStack}. */
export interface WorkersStackProps extends NestedStackProps {
  /** A table of the parent stack; its name reaches the nested template as a parameter. */
  readonly table: ITable;
}

/** A nested stack holding the `Nested` function. */
export class WorkersStack extends NestedStack {
  constructor(scope: Construct, id: string, props: WorkersStackProps) {
    super(scope, id, props);
    new lambda.Function(this, 'Nested', {
      runtime: lambda.Runtime.NODEJS_20_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(functionDir('nested')),
      environment: { TABLE_NAME: props.table.tableName },
      timeout: FUNCTION_TIMEOUT,
    });
  }
}
