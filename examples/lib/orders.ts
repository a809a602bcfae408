import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { functionDir } from './asset-dirs.js';
import { FUNCTION_TIMEOUT } from './function-timeout.js';

/** Properties of {@link Orders}. */
export interface OrdersProps {
  /** The table the orders live in. */
  readonly table: ITable;
}

/** The orders service: an API construct with its handler, two levels below the stack. */
export class Orders extends Construct {
  /** The function behind the API: `<stack>/Orders/Api/Handler`. */
  readonly handler: lambda.Function;

  constructor(scope: Construct, id: string, props: OrdersProps) {
    super(scope, id);
    this.handler = new OrdersApi(this, 'Api', props).handler;
  }
}

class OrdersApi extends Construct {
  readonly handler: lambda.Function;

  constructor(scope: Construct, id: string, props: OrdersProps) {
    super(scope, id);
    this.handler = new lambda.Function(this, 'Handler', {
      // An explicit physical name, so `cdk-local invoke orders-api` works too.
      functionName: 'orders-api',
      runtime: lambda.Runtime.NODEJS_20_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(functionDir('orders')),
      environment: { TABLE_NAME: props.table.tableName },
      timeout: FUNCTION_TIMEOUT,
    });
    props.table.grantReadData(this.handler);
  }
}
