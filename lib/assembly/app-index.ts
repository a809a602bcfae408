import { isRecord } from './cfn-template.js';
import { opaquePlaceholder, type ResolvedValue } from './resolved-value.js';
import type { TemplateScope } from './template-scope.js';

/** An expression and the template it must be resolved in. */
export interface ExpressionSource {
  readonly scope: TemplateScope;
  readonly expression: unknown;
}

/**
 * Everything one template may reach in the others of the same app: exports
 * (`Fn::ImportValue`), stack outputs (`Fn::GetStackOutput`), SSM parameters the app
 * itself writes, and CDK's cross-region export writers. Indexes are built on first use.
 */
export class AppIndex {
  private readonly scopes: TemplateScope[] = [];
  private exports: Map<string, ExpressionSource> | undefined;
  private ssmParameters: Map<string, ExpressionSource> | undefined;
  private crossRegionExports: Map<string, ExpressionSource> | undefined;
  private readonly resolving = new Set<string>();

  /** Adds a template (top-level or nested) of the app. */
  register(scope: TemplateScope): void {
    this.scopes.push(scope);
    this.exports = undefined;
    this.ssmParameters = undefined;
    this.crossRegionExports = undefined;
  }

  /** The output exported under `name` by some stack of the app. */
  findExport(name: string): ExpressionSource | undefined {
    if (this.exports === undefined) {
      const exports = new Map<string, ExpressionSource>();
      this.exports = exports;
      for (const scope of this.scopes) {
        for (const output of Object.values(scope.template.Outputs)) {
          if (output.Export?.Name === undefined) continue;
          const reasons: string[] = [];
          const exportName = scope.resolveString(output.Export.Name, reasons);
          if (reasons.length === 0 && !exports.has(exportName)) exports.set(exportName, { scope, expression: output.Value });
        }
      }
    }
    return this.exports.get(name);
  }

  /** Output `outputName` of the top-level stack named `stackName`. */
  findStackOutput(stackName: string, outputName: string): ExpressionSource | undefined {
    for (const scope of this.scopes) {
      if (scope.parent !== undefined || scope.environment.stackName !== stackName) continue;
      const output = scope.template.Outputs[outputName];
      if (output !== undefined) return { scope, expression: output.Value };
    }
    return undefined;
  }

  /** The value of an `AWS::SSM::Parameter` the app itself creates under `name`. */
  findSsmParameter(name: string): ExpressionSource | undefined {
    if (this.ssmParameters === undefined) {
      const parameters = new Map<string, ExpressionSource>();
      this.ssmParameters = parameters;
      for (const scope of this.scopes) {
        for (const resource of Object.values(scope.template.Resources)) {
          if (resource.Type !== 'AWS::SSM::Parameter' || resource.Properties?.['Name'] === undefined) continue;
          const reasons: string[] = [];
          const parameterName = scope.resolveString(resource.Properties['Name'], reasons);
          if (reasons.length === 0) parameters.set(parameterName, { scope, expression: resource.Properties['Value'] });
        }
      }
    }
    return this.ssmParameters.get(name);
  }

  /** The value a `Custom::CrossRegionExportWriter` of the app writes under `/cdk/exports/...`. */
  findCrossRegionExport(key: string): ExpressionSource | undefined {
    if (this.crossRegionExports === undefined) {
      const exports = new Map<string, ExpressionSource>();
      this.crossRegionExports = exports;
      for (const scope of this.scopes) {
        for (const resource of Object.values(scope.template.Resources)) {
          if (resource.Type !== 'Custom::CrossRegionExportWriter') continue;
          const writerProps = resource.Properties?.['WriterProps'];
          if (!isRecord(writerProps) || !isRecord(writerProps['exports'])) continue;
          for (const [exportKey, expression] of Object.entries(writerProps['exports'])) {
            exports.set(exportKey, { scope, expression });
          }
        }
      }
    }
    return this.crossRegionExports.get(key);
  }

  /** Resolves an expression found in another template, refusing to go round in circles. */
  resolveSource(key: string, source: ExpressionSource, reasons: string[]): ResolvedValue {
    if (this.resolving.has(key)) {
      reasons.push(`${key}: refers to itself`);
      return opaquePlaceholder(key);
    }
    this.resolving.add(key);
    try {
      return source.scope.resolve(source.expression, reasons);
    } finally {
      this.resolving.delete(key);
    }
  }
}
