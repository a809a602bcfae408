import { Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { NODEJS_20_DEPRECATION } from './acknowledgements.js';
import { functionDir, layerDir } from './asset-dirs.js';
import { FUNCTION_TIMEOUT } from './function-timeout.js';
import { Orders } from './orders.js';
import { Approvals } from './approvals.js';
import { addChat } from './chat.js';
import { WorkersStack } from './workers-stack.js';

/** The example app's main stack: one function per kind of thing cdk-local runs. */
export class DemoStack extends Stack {
  /** The table whose name and ARN reach `Hello` as `TABLE_NAME` and `TABLE_ARN`. */
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    Validations.of(this).acknowledge(NODEJS_20_DEPRECATION);

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const table = this.table;

    // Code from an asset directory; a literal, a Ref and a Fn::GetAtt in its environment.
    const hello = new lambda.Function(this, 'Hello', {
      runtime: lambda.Runtime.NODEJS_20_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(functionDir('hello')),
      memorySize: 256,
      timeout: FUNCTION_TIMEOUT,
      environment: {
        GREETING: 'Hello',
        TABLE_NAME: table.tableName,
        TABLE_ARN: table.tableArn,
      },
    });
    table.grantReadData(hello);

    new lambda.Function(this, 'Inline', {
      runtime: lambda.Runtime.NODEJS_20_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(
        "exports.handler = async (event) => { console.log('Inline got', JSON.stringify(event)); return { inline: true, event }; };",
      ),
      timeout: FUNCTION_TIMEOUT,
    });

    // TypeScript bundled by the esbuild in node_modules, never by Docker.
    new NodejsFunction(this, 'Bundled', {
      entry: fileURLToPath(new URL('../functions/bundled/handler.ts', import.meta.url)),
      runtime: lambda.Runtime.NODEJS_20_X,
      bundling: { forceDockerBundling: false },
      timeout: FUNCTION_TIMEOUT,
    });

    new WorkersStack(this, 'Workers', { table });
    new Orders(this, 'Orders', { table });
    new Approvals(this, 'Approvals');

    new lambda.Function(this, 'Python', {
      runtime: lambda.Runtime.PYTHON_3_12,
      handler: 'app.handler',
      code: lambda.Code.fromAsset(functionDir('python')),
      environment: { GREETING: 'Hola' },
      timeout: FUNCTION_TIMEOUT,
    });

    const sharedLayer = new lambda.LayerVersion(this, 'SharedLayer', {
      code: lambda.Code.fromAsset(layerDir('shared')),
      compatibleRuntimes: [lambda.Runtime.NODEJS_20_X],
      description: 'greeting-lib, found through NODE_PATH',
    });
    new lambda.Function(this, 'WithLayer', {
      runtime: lambda.Runtime.NODEJS_20_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(functionDir('with-layer')),
      layers: [sharedLayer],
      timeout: FUNCTION_TIMEOUT,
    });

    // An external extension in a layer: it subscribes to the Telemetry API and prints what it receives.
    const telemetryRecorder = new lambda.LayerVersion(this, 'TelemetryRecorderLayer', {
      code: lambda.Code.fromAsset(layerDir('telemetry-recorder')),
      description: 'An external extension that records telemetry',
    });
    new lambda.Function(this, 'Observed', {
      runtime: lambda.Runtime.NODEJS_20_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(functionDir('observed')),
      layers: [telemetryRecorder],
      timeout: FUNCTION_TIMEOUT,
    });

    // What `cdk-local start-api` serves: a REST API and an HTTP API in front of one handler,
    // a function URL that streams its answer, and a WebSocket API (`chat.ts`).
    const web = this.addNodeFunction('Web', 'web', { timeout: Duration.seconds(10) });
    const restApi = new apigateway.RestApi(this, 'RestApi', {
      restApiName: 'demo-rest',
      deployOptions: { stageName: 'dev' },
      // CORS preflights answered by API Gateway itself (MOCK OPTIONS methods), for a browser app on Vite's port.
      defaultCorsPreflightOptions: { allowOrigins: ['http://localhost:5173'] },
    });
    const webIntegration = new apigateway.LambdaIntegration(web);
    restApi.root.addResource('hello').addMethod('GET', webIntegration);
    restApi.root.addResource('items').addResource('{id}').addMethod('ANY', webIntegration);
    const httpApi = new apigatewayv2.HttpApi(this, 'HttpApi', { apiName: 'demo-http' });
    httpApi.addRoutes({ path: '/hello', methods: [apigatewayv2.HttpMethod.GET], integration: new HttpLambdaIntegration('Hello', web) });
    httpApi.addRoutes({ path: '/items/{id}', methods: [apigatewayv2.HttpMethod.ANY], integration: new HttpLambdaIntegration('Items', web) });
    this.addNodeFunction('Ticker', 'ticker', { timeout: Duration.seconds(30) }).addFunctionUrl({
      authType: lambda.FunctionUrlAuthType.NONE,
      invokeMode: lambda.InvokeMode.RESPONSE_STREAM,
    });
    addChat(this);

    // Functions that fail on purpose, one way each.
    this.addNodeFunction('Thrower', 'thrower');
    this.addNodeFunction('Sleeper', 'sleeper', { timeout: Duration.seconds(2) });
    this.addNodeFunction('Crasher', 'crasher');
    this.addNodeFunction('Chatty', 'chatty');
  }

  private addNodeFunction(id: string, dir: string, props: Partial<lambda.FunctionProps> = {}): lambda.Function {
    return new lambda.Function(this, id, {
      runtime: lambda.Runtime.NODEJS_20_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(functionDir(dir)),
      timeout: FUNCTION_TIMEOUT,
      ...props,
    });
  }
}
