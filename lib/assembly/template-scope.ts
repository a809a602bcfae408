import type { AppIndex, ExpressionSource } from './app-index.js';
import type { AssetIndex } from './asset-index.js';
import { isRecord, type CfnResource, type CfnTemplate } from './cfn-template.js';
import { constructPathOf, stripResource } from './construct-path.js';
import { resolveResourceReference, type ReferencedResource } from './resource-references.js';
import { NO_VALUE, opaquePlaceholder, stringifyResolved, type ResolvedValue } from './resolved-value.js';
import type { StackEnvironment } from './stack-environment.js';
import { Alphabets, stableCharacters, stableUuid } from './stable-characters.js';

/** How a nested stack's template gets its parameter values: from its parent's resource. */
export interface ParentBinding {
  readonly scope: TemplateScope;
  /** The `Parameters` property of the `AWS::CloudFormation::Stack` resource, unresolved. */
  readonly parameters: Readonly<Record<string, unknown>>;
}

/** A resource found by following references, possibly into another template. */
export interface ResourceTarget {
  readonly scope: TemplateScope;
  readonly logicalId: string;
  readonly resource: CfnResource;
}

const MAX_DEPTH = 64;
const SSM_PARAMETER_TYPE = 'AWS::SSM::Parameter::Value<';
// The version CDK's bootstrap stack publishes; only CDK's own rules read it.
const CDK_BOOTSTRAP_VERSION = '30';

/**
 * One template in its deploy context: resolves CloudFormation intrinsics to the values
 * the deployed stack would see, as far as they can be known before deploy. What cannot be
 * known becomes a stable placeholder, and a reason is added to the caller's `reasons`.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
 */
export class TemplateScope {
  /** Scopes of nested stacks, by the logical ID of their `AWS::CloudFormation::Stack` resource. */
  readonly nestedScopes = new Map<string, TemplateScope>();
  /**
   * Construct paths by logical ID from the stack's artifact metadata, for templates
   * synthesized without path metadata.
   */
  metadataPaths: ReadonlyMap<string, string> | undefined;
  private readonly conditions = new Map<string, boolean | undefined>();
  private readonly activeReferences = new Set<string>();

  constructor(
    readonly template: CfnTemplate,
    readonly environment: StackEnvironment,
    readonly assets: AssetIndex,
    readonly app: AppIndex,
    readonly parent?: ParentBinding,
  ) {}

  /** The construct path of a resource, or `<stack>/<logicalId>` without path metadata. */
  constructPath(logicalId: string): string {
    const fromArtifact = this.metadataPaths?.get(logicalId);
    const fallback = fromArtifact === undefined ? `${this.environment.displayName}/${logicalId}` : stripResource(fromArtifact);
    return constructPathOf(this.template.Resources[logicalId], fallback);
  }

  /** False when the resource has a `Condition` that is false, so it would not be created. */
  resourceExists(logicalId: string): boolean {
    const condition = this.template.Resources[logicalId]?.Condition;
    return condition === undefined || this.conditionValue(condition) !== false;
  }

  /** Resolves an expression to a string (numbers as text, lists comma-joined). */
  resolveString(value: unknown, reasons: string[]): string {
    return stringifyResolved(this.resolve(value, reasons));
  }

  /** Resolves every intrinsic function in an expression. */
  resolve(value: unknown, reasons: string[], depth = 0): ResolvedValue {
    if (depth > MAX_DEPTH) {
      reasons.push('expression nested too deeply');
      return opaquePlaceholder('too-deep');
    }
    if (typeof value === 'string') {
      return value.includes('{{resolve:') ? this.resolveDynamicReferences(value, reasons) : value;
    }
    if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
    if (Array.isArray(value)) {
      return value.map((item) => this.resolve(item, reasons, depth + 1)).filter((item) => item !== NO_VALUE);
    }
    if (!isRecord(value)) return null;
    const keys = Object.keys(value);
    const [key] = keys;
    if (keys.length === 1 && key !== undefined && (key === 'Ref' || key.startsWith('Fn::'))) {
      return this.resolveIntrinsic(key, value[key], reasons, depth + 1);
    }
    const result: Record<string, ResolvedValue> = {};
    for (const [name, item] of Object.entries(value)) {
      const resolved = this.resolve(item, reasons, depth + 1);
      if (resolved !== NO_VALUE) result[name] = resolved;
    }
    return result;
  }

  /** The value of a condition of the template; undefined when it depends on what is only known at deploy. */
  conditionValue(name: string): boolean | undefined {
    if (this.conditions.has(name)) return this.conditions.get(name);
    // Marked unknown while evaluating, so a condition referring to itself ends.
    this.conditions.set(name, undefined);
    const value = this.evaluateCondition(this.template.Conditions[name], 0);
    this.conditions.set(name, value);
    return value;
  }

  /** The value of output `name` of this template. */
  outputValue(name: string, reasons: string[], depth = 0): ResolvedValue {
    const output = this.template.Outputs[name];
    if (output === undefined) {
      reasons.push(`output ${name} of ${this.environment.stackName}: no such output`);
      return opaquePlaceholder(name);
    }
    return this.resolve(output.Value, reasons, depth + 1);
  }

  /**
   * Follows an expression (`Ref`, `Fn::GetAtt`, `Fn::ImportValue`, `Fn::GetStackOutput`,
   * a nested stack's parameter or output, an SSM parameter the app writes) to the resource
   * it finally names, in whichever template of the app that is.
   */
  traceResource(expression: unknown, depth = 0): ResourceTarget | undefined {
    if (depth > MAX_DEPTH) return undefined;
    if (typeof expression === 'string') {
      const dynamic = /^\{\{resolve:ssm:([^}]+?)(?::\d+)?\}\}$/.exec(expression);
      return dynamic?.[1] === undefined ? undefined : this.traceSource(this.app.findSsmParameter(dynamic[1]), depth);
    }
    if (!isRecord(expression)) return undefined;
    const keys = Object.keys(expression);
    if (keys.length !== 1) return undefined;
    const [key] = keys;
    const argument = expression[key ?? ''];
    switch (key) {
      case 'Ref': {
        if (typeof argument !== 'string') return undefined;
        const resource = this.template.Resources[argument];
        if (resource !== undefined) return { scope: this, logicalId: argument, resource };
        const parameter = this.template.Parameters[argument];
        if (parameter === undefined) return undefined;
        if (this.parent !== undefined && Object.hasOwn(this.parent.parameters, argument)) {
          return this.parent.scope.traceResource(this.parent.parameters[argument], depth + 1);
        }
        if (parameter.Type?.startsWith(SSM_PARAMETER_TYPE) === true && typeof parameter.Default === 'string') {
          return this.traceSource(this.app.findSsmParameter(parameter.Default), depth);
        }
        return undefined;
      }
      case 'Fn::GetAtt': {
        const parsed = this.parseGetAtt(argument);
        if (parsed === undefined) return undefined;
        const resource = this.template.Resources[parsed.logicalId];
        if (resource === undefined) return undefined;
        if (resource.Type === 'AWS::CloudFormation::Stack' && parsed.attribute.startsWith('Outputs.')) {
          const nested = this.nestedScopes.get(parsed.logicalId);
          const output = nested?.template.Outputs[parsed.attribute.slice('Outputs.'.length)];
          return nested === undefined || output === undefined ? undefined : nested.traceResource(output.Value, depth + 1);
        }
        if (resource.Type === 'Custom::CrossRegionExportReader') {
          return this.traceSource(this.app.findCrossRegionExport(parsed.attribute), depth);
        }
        return { scope: this, logicalId: parsed.logicalId, resource };
      }
      case 'Fn::ImportValue':
        return this.traceSource(this.app.findExport(this.resolveString(argument, [])), depth);
      case 'Fn::GetStackOutput': {
        const reference = this.parseStackOutput(argument, []);
        return reference === undefined
          ? undefined
          : this.traceSource(this.app.findStackOutput(reference.stackName, reference.outputName), depth);
      }
      default:
        return undefined;
    }
  }

  private traceSource(source: ExpressionSource | undefined, depth: number): ResourceTarget | undefined {
    return source === undefined ? undefined : source.scope.traceResource(source.expression, depth + 1);
  }

  private resolveIntrinsic(name: string, argument: unknown, reasons: string[], depth: number): ResolvedValue {
    switch (name) {
      case 'Ref':
        return this.ref(typeof argument === 'string' ? argument : this.resolveString(argument, reasons), reasons);
      case 'Fn::GetAtt':
        return this.getAtt(argument, reasons, depth);
      case 'Fn::Join':
        return this.join(argument, reasons, depth);
      case 'Fn::Sub':
        return this.sub(argument, reasons, depth);
      case 'Fn::Select':
        return this.select(argument, reasons, depth);
      case 'Fn::Split': {
        if (!Array.isArray(argument) || argument.length !== 2) return this.malformed(name, reasons);
        const delimiter = this.resolveString(argument[0], reasons);
        return stringifyResolved(this.resolve(argument[1], reasons, depth)).split(delimiter);
      }
      case 'Fn::ImportValue':
        return this.importValue(this.resolveString(argument, reasons), reasons);
      case 'Fn::GetStackOutput':
        return this.getStackOutput(argument, reasons);
      case 'Fn::If':
        return this.if(argument, reasons, depth);
      case 'Fn::FindInMap':
        return this.findInMap(argument, reasons, depth);
      case 'Fn::Base64':
        return Buffer.from(stringifyResolved(this.resolve(argument, reasons, depth)), 'utf8').toString('base64');
      case 'Fn::GetAZs': {
        const region = this.resolveString(argument, reasons) || this.environment.region;
        return ['a', 'b', 'c'].map((zone) => `${region}${zone}`);
      }
      case 'Fn::ToJsonString':
        return JSON.stringify(toJson(this.resolve(argument, reasons, depth), false));
      case 'Fn::Length': {
        const list = this.resolve(argument, reasons, depth);
        return Array.isArray(list) ? list.length : 1;
      }
      case 'Fn::Equals':
      case 'Fn::And':
      case 'Fn::Or':
      case 'Fn::Not': {
        const value = this.evaluateCondition({ [name]: argument }, depth);
        if (value === undefined) reasons.push(`${name}: depends on values known only at deploy`);
        return value ?? false;
      }
      default:
        reasons.push(`${name}: not supported by cdk-local`);
        return opaquePlaceholder(name.replace('Fn::', ''));
    }
  }

  private malformed(name: string, reasons: string[]): ResolvedValue {
    reasons.push(`${name}: malformed arguments`);
    return opaquePlaceholder(name.replace('Fn::', ''));
  }

  private ref(name: string, reasons: string[]): ResolvedValue {
    const pseudo = this.pseudoParameter(name, reasons);
    if (pseudo !== undefined) return pseudo;
    if (Object.hasOwn(this.template.Parameters, name)) return this.parameterValue(name, reasons);
    if (Object.hasOwn(this.template.Resources, name)) return this.reference(name, undefined, reasons);
    reasons.push(`Ref ${name}: no such parameter or resource`);
    return opaquePlaceholder(name);
  }

  private reference(logicalId: string, attribute: string | undefined, reasons: string[]): ResolvedValue {
    const key = `${logicalId}.${attribute ?? ''}`;
    if (this.activeReferences.has(key)) {
      reasons.push(`${attribute === undefined ? 'Ref' : 'Fn::GetAtt'} ${logicalId}: refers to itself`);
      return opaquePlaceholder(logicalId);
    }
    this.activeReferences.add(key);
    try {
      return resolveResourceReference(this.referencedResource(logicalId), attribute, reasons);
    } finally {
      this.activeReferences.delete(key);
    }
  }

  private referencedResource(logicalId: string): ReferencedResource {
    const resource = this.template.Resources[logicalId];
    const environment = this.environment;
    return {
      logicalId,
      type: resource?.Type ?? 'AWS::CloudFormation::WaitConditionHandle',
      label: this.constructPath(logicalId),
      stackName: environment.stackName,
      region: environment.region,
      accountId: environment.accountId,
      partition: environment.partition,
      urlSuffix: environment.urlSuffix,
      property: (property, reasons) => {
        const raw = resource?.Properties?.[property];
        if (raw === undefined) return undefined;
        const value = this.resolve(raw, reasons);
        return value === NO_VALUE ? undefined : value;
      },
    };
  }

  private pseudoParameter(name: string, reasons: string[]): ResolvedValue | undefined {
    const { region, accountId, partition, urlSuffix, stackName } = this.environment;
    switch (name) {
      case 'AWS::Region':
        return region;
      case 'AWS::AccountId':
        return accountId;
      case 'AWS::Partition':
        return partition;
      case 'AWS::URLSuffix':
        return urlSuffix;
      case 'AWS::StackName':
        return stackName;
      case 'AWS::StackId':
        reasons.push('AWS::StackId: known after deploy');
        return `arn:${partition}:cloudformation:${region}:${accountId}:stack/${stackName}/${stableUuid(stackName)}`;
      case 'AWS::NotificationARNs':
        return [];
      case 'AWS::NoValue':
        return NO_VALUE;
      default:
        return undefined;
    }
  }

  private parameterValue(name: string, reasons: string[]): ResolvedValue {
    const parameter = this.template.Parameters[name];
    const type = parameter?.Type ?? 'String';
    let value: ResolvedValue | undefined;
    if (this.parent !== undefined && Object.hasOwn(this.parent.parameters, name)) {
      value = this.parent.scope.resolve(this.parent.parameters[name], reasons);
    } else if (parameter?.Default !== undefined) {
      value = this.resolve(parameter.Default, reasons);
    }
    if (value === undefined || value === NO_VALUE) {
      reasons.push(`Ref ${name}: parameter without a default, given at deploy`);
      return opaquePlaceholder(name);
    }
    let elementType = type;
    if (type.startsWith(SSM_PARAMETER_TYPE)) {
      elementType = type.slice(SSM_PARAMETER_TYPE.length, -1);
      value = this.ssmParameterValue(stringifyResolved(value), reasons);
    }
    if (elementType === 'CommaDelimitedList' || elementType.startsWith('List<')) {
      return Array.isArray(value) ? value : stringifyResolved(value).split(',');
    }
    return value;
  }

  private ssmParameterValue(parameterName: string, reasons: string[]): ResolvedValue {
    const source = this.app.findSsmParameter(parameterName);
    if (source !== undefined) return this.app.resolveSource(`SSM parameter ${parameterName}`, source, reasons);
    if (/^\/cdk-bootstrap\/[^/]+\/version$/.test(parameterName)) return CDK_BOOTSTRAP_VERSION;
    reasons.push(`SSM parameter ${parameterName}: read at deploy`);
    if (parameterName.startsWith('/aws/service/') && parameterName.includes('ami')) {
      return `ami-${stableCharacters(parameterName, 17, Alphabets.HEX)}`;
    }
    return opaquePlaceholder(`ssm-${parameterName}`);
  }

  private resolveDynamicReferences(text: string, reasons: string[]): string {
    return text.replace(/\{\{resolve:([a-z-]+):([^}]*)\}\}/g, (match, service: string, reference: string) => {
      if (service === 'ssm') {
        return stringifyResolved(this.ssmParameterValue(reference.replace(/:\d+$/, ''), reasons));
      }
      reasons.push(`${match}: resolved at deploy`);
      return opaquePlaceholder(`${service}-${reference.split(':')[0] ?? ''}`);
    });
  }

  private parseGetAtt(argument: unknown): { logicalId: string; attribute: string } | undefined {
    if (typeof argument === 'string') {
      const dot = argument.indexOf('.');
      return dot > 0 ? { logicalId: argument.slice(0, dot), attribute: argument.slice(dot + 1) } : undefined;
    }
    if (Array.isArray(argument) && argument.length === 2) {
      const [logicalId, attribute] = argument.map((part: unknown) => this.resolveString(part, []));
      return logicalId === undefined || attribute === undefined ? undefined : { logicalId, attribute };
    }
    return undefined;
  }

  private getAtt(argument: unknown, reasons: string[], depth: number): ResolvedValue {
    const parsed = this.parseGetAtt(argument);
    if (parsed === undefined) return this.malformed('Fn::GetAtt', reasons);
    const { logicalId, attribute } = parsed;
    const resource = this.template.Resources[logicalId];
    if (resource === undefined) {
      reasons.push(`Fn::GetAtt ${logicalId}.${attribute}: no such resource`);
      return opaquePlaceholder(`${logicalId}-${attribute}`);
    }
    if (resource.Type === 'AWS::CloudFormation::Stack' && attribute.startsWith('Outputs.')) {
      const nested = this.nestedScopes.get(logicalId);
      if (nested !== undefined) return nested.outputValue(attribute.slice('Outputs.'.length), reasons, depth);
      reasons.push(`Fn::GetAtt ${this.constructPath(logicalId)}.${attribute}: nested stack template not found`);
      return opaquePlaceholder(attribute);
    }
    if (resource.Type === 'Custom::CrossRegionExportReader') {
      const source = this.app.findCrossRegionExport(attribute);
      if (source !== undefined) return this.app.resolveSource(`cross-region export ${attribute}`, source, reasons);
    }
    return this.reference(logicalId, attribute, reasons);
  }

  private join(argument: unknown, reasons: string[], depth: number): ResolvedValue {
    if (!Array.isArray(argument) || argument.length !== 2) return this.malformed('Fn::Join', reasons);
    const delimiter = this.resolveString(argument[0], reasons);
    const list = this.resolve(argument[1], reasons, depth);
    return Array.isArray(list) ? list.map((item: ResolvedValue) => stringifyResolved(item)).join(delimiter) : stringifyResolved(list);
  }

  private sub(argument: unknown, reasons: string[], depth: number): ResolvedValue {
    let template: unknown = argument;
    let variables: Record<string, unknown> = {};
    if (Array.isArray(argument)) {
      template = argument[0];
      if (isRecord(argument[1])) variables = argument[1];
    }
    const text = typeof template === 'string' ? template : this.resolveString(template, reasons);
    return text.replace(/\$\{([^}]*)\}/g, (_match, inner: string) => {
      // `${!Literal}` stands for the text `${Literal}`.
      if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
      const name = inner.trim();
      if (Object.hasOwn(variables, name)) return stringifyResolved(this.resolve(variables[name], reasons, depth));
      const dot = name.indexOf('.');
      if (dot > 0 && Object.hasOwn(this.template.Resources, name.slice(0, dot))) {
        return stringifyResolved(this.getAtt([name.slice(0, dot), name.slice(dot + 1)], reasons, depth));
      }
      return stringifyResolved(this.ref(name, reasons));
    });
  }

  private select(argument: unknown, reasons: string[], depth: number): ResolvedValue {
    if (!Array.isArray(argument) || argument.length !== 2) return this.malformed('Fn::Select', reasons);
    const index = Number(this.resolveString(argument[0], reasons));
    const list = this.resolve(argument[1], reasons, depth);
    const items = Array.isArray(list) ? list : stringifyResolved(list).split(',');
    const item: ResolvedValue | undefined = Number.isInteger(index) ? items[index] : undefined;
    if (item === undefined) {
      reasons.push(`Fn::Select: index ${index} out of range`);
      return opaquePlaceholder('select');
    }
    return item;
  }

  private importValue(name: string, reasons: string[]): ResolvedValue {
    const source = this.app.findExport(name);
    if (source !== undefined) return this.app.resolveSource(`export ${name}`, source, reasons);
    reasons.push(`Fn::ImportValue ${name}: no stack of the app exports it`);
    return opaquePlaceholder(name);
  }

  private parseStackOutput(argument: unknown, reasons: string[]): { stackName: string; outputName: string } | undefined {
    if (!isRecord(argument)) return undefined;
    return {
      stackName: this.resolveString(argument['StackName'], reasons),
      outputName: this.resolveString(argument['OutputName'], reasons),
    };
  }

  private getStackOutput(argument: unknown, reasons: string[]): ResolvedValue {
    const reference = this.parseStackOutput(argument, reasons);
    if (reference === undefined) return this.malformed('Fn::GetStackOutput', reasons);
    const source = this.app.findStackOutput(reference.stackName, reference.outputName);
    const key = `${reference.stackName}.${reference.outputName}`;
    if (source !== undefined) return this.app.resolveSource(`output ${key}`, source, reasons);
    reasons.push(`Fn::GetStackOutput ${key}: no such stack output in the app`);
    return opaquePlaceholder(reference.outputName);
  }

  private if(argument: unknown, reasons: string[], depth: number): ResolvedValue {
    if (!Array.isArray(argument) || argument.length !== 3 || typeof argument[0] !== 'string') {
      return this.malformed('Fn::If', reasons);
    }
    const value = this.conditionValue(argument[0]);
    if (value === undefined) reasons.push(`Fn::If ${argument[0]}: condition known only at deploy`);
    return this.resolve(value === false ? argument[2] : argument[1], reasons, depth);
  }

  private findInMap(argument: unknown, reasons: string[], depth: number): ResolvedValue {
    if (!Array.isArray(argument) || argument.length < 3) return this.malformed('Fn::FindInMap', reasons);
    const [mapName, topKey, secondKey] = argument.slice(0, 3).map((part: unknown) => this.resolveString(part, reasons));
    const top = this.template.Mappings[mapName ?? ''];
    const second = isRecord(top) ? top[topKey ?? ''] : undefined;
    const value = isRecord(second) ? second[secondKey ?? ''] : undefined;
    if (value !== undefined) return this.resolve(value, reasons, depth);
    const options: unknown = argument[3];
    if (isRecord(options) && options['DefaultValue'] !== undefined) return this.resolve(options['DefaultValue'], reasons, depth);
    reasons.push(`Fn::FindInMap ${mapName}.${topKey}.${secondKey}: no such entry`);
    return opaquePlaceholder(`${mapName}-${secondKey}`);
  }

  private evaluateCondition(expression: unknown, depth: number): boolean | undefined {
    if (depth > MAX_DEPTH) return undefined;
    if (typeof expression === 'boolean') return expression;
    if (expression === 'true' || expression === 'false') return expression === 'true';
    if (!isRecord(expression)) return undefined;
    const [key, ...others] = Object.keys(expression);
    if (key === undefined || others.length > 0) return undefined;
    const argument = expression[key];
    const operands = Array.isArray(argument) ? argument : [argument];
    switch (key) {
      case 'Condition':
        return typeof argument === 'string' ? this.conditionValue(argument) : undefined;
      case 'Fn::Equals': {
        if (operands.length !== 2) return undefined;
        const reasons: string[] = [];
        const [left, right] = operands.map((operand: unknown) => JSON.stringify(toJson(this.resolve(operand, reasons, depth + 1), true)));
        return reasons.length > 0 ? undefined : left === right;
      }
      case 'Fn::Not': {
        const value = this.evaluateCondition(operands[0], depth + 1);
        return value === undefined ? undefined : !value;
      }
      case 'Fn::And':
      case 'Fn::Or': {
        const values = operands.map((operand: unknown) => this.evaluateCondition(operand, depth + 1));
        const decisive = key === 'Fn::And' ? false : true;
        if (values.includes(decisive)) return decisive;
        return values.includes(undefined) ? undefined : !decisive;
      }
      default:
        return undefined;
    }
  }
}

/**
 * A resolved value as plain JSON. `Fn::Equals` compares numbers and booleans as
 * CloudFormation does, as text (`scalarsAsText`).
 */
function toJson(value: ResolvedValue, scalarsAsText: boolean): unknown {
  if (scalarsAsText && (typeof value === 'number' || typeof value === 'boolean')) return String(value);
  if (value === NO_VALUE) return null;
  if (Array.isArray(value)) return value.map((item: ResolvedValue) => toJson(item, scalarsAsText));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toJson(item, scalarsAsText)]));
  }
  return value;
}
