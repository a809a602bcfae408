import { isRecord } from './cfn-template.js';
import type { FunctionUrlSpec } from './function-spec.js';
import type { TemplateScope } from './template-scope.js';

/**
 * The function URLs (`AWS::Lambda::Url`) of a template, by the logical ID of the
 * function their `TargetFunctionArn` refers to.
 */
export function readFunctionUrls(scope: TemplateScope): Map<string, FunctionUrlSpec> {
  const urls = new Map<string, FunctionUrlSpec>();
  for (const [logicalId, resource] of Object.entries(scope.template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Url' || !scope.resourceExists(logicalId)) continue;
    const properties = resource.Properties ?? {};
    const target = scope.traceResource(properties['TargetFunctionArn']);
    if (target === undefined || target.scope !== scope || target.resource.Type !== 'AWS::Lambda::Function') continue;
    if (urls.has(target.logicalId)) continue;
    const reasons: string[] = [];
    const cors = properties['Cors'] === undefined ? undefined : scope.resolve(properties['Cors'], reasons);
    urls.set(target.logicalId, {
      authType: scope.resolveString(properties['AuthType'], reasons) === 'NONE' ? 'NONE' : 'AWS_IAM',
      invokeMode: scope.resolveString(properties['InvokeMode'], reasons) === 'RESPONSE_STREAM' ? 'RESPONSE_STREAM' : 'BUFFERED',
      ...(isRecord(cors) ? { cors } : {}),
    });
  }
  return urls;
}
