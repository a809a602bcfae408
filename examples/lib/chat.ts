import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { functionDir } from './asset-dirs.js';
import { FUNCTION_TIMEOUT } from './function-timeout.js';

/**
 * A WebSocket API, `<scope>/Chat`, with its stage `dev`: `$connect`, `$disconnect` and a
 * `sendmessage` route (chosen by the message's `action`) that answers the sender, all served by
 * one function, `<scope>/ChatHandler`.
 */
export function addChat(scope: Construct): apigatewayv2.WebSocketApi {
  const handler = new lambda.Function(scope, 'ChatHandler', {
    runtime: lambda.Runtime.NODEJS_20_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(functionDir('chat')),
    timeout: FUNCTION_TIMEOUT,
  });
  const api = new apigatewayv2.WebSocketApi(scope, 'Chat', {
    apiName: 'demo-chat',
    routeSelectionExpression: '$request.body.action',
    connectRouteOptions: { integration: new WebSocketLambdaIntegration('Connect', handler) },
    disconnectRouteOptions: { integration: new WebSocketLambdaIntegration('Disconnect', handler) },
  });
  // `returnResponse`: the function's `body` goes back to the sender as a message.
  api.addRoute('sendmessage', { integration: new WebSocketLambdaIntegration('SendMessage', handler), returnResponse: true });
  new apigatewayv2.WebSocketStage(scope, 'ChatStage', { webSocketApi: api, stageName: 'dev', autoDeploy: true });
  return api;
}
