import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { CdkLocalError, ErrorCodes } from '../errors.js';
import { AppIndex } from './app-index.js';
import { AssetIndex, readAssetIndex } from './asset-index.js';
import { DEFAULT_ACCOUNT, DEFAULT_REGION } from './aws-defaults.js';
import { isRecord, toCfnTemplate, type CfnTemplate } from './cfn-template.js';
import { buildFunctionSpec } from './build-function-spec.js';
import type { ApiSpec } from './api-spec.js';
import { readApis } from './read-apis.js';
import type { FunctionSpec } from './function-spec.js';
import { readFunctionUrls } from './function-urls.js';
import { readVersions } from './read-versions.js';
import { generatePhysicalName } from './physical-name.js';
import { nestedStackPrefix, readConstructPaths, type ConstructPaths } from './read-construct-paths.js';
import { readManifestTree } from './read-manifest-tree.js';
import { partitionOf, type StackEnvironment } from './stack-environment.js';
import { TemplateScope } from './template-scope.js';

/** Options of {@link readAssembly}. */
export interface ReadAssemblyOptions {
  /**
   * Region of stacks whose environment is `unknown-region` (environment-agnostic); pass
   * the user's `AWS_REGION`, which is where such a stack would be deployed.
   * @default 'us-east-1'
   */
  readonly defaultRegion?: string;
  /**
   * Account of stacks whose environment is `unknown-account`.
   * @default '123456789012'
   */
  readonly defaultAccount?: string;
}

/** The Lambda functions of a cloud assembly. */
export interface Assembly {
  /** Absolute path of the cloud assembly directory. */
  readonly directory: string;
  /** Every `AWS::Lambda::Function` of every stack, nested stack and stage, in manifest and template order. */
  readonly functions: readonly FunctionSpec[];
  /** The REST, HTTP and WebSocket APIs and the function URLs of every stack, in manifest and template order. */
  readonly apis: readonly ApiSpec[];
  /** What could not be made sense of (a missing nested template, an unresolvable layer), one sentence each. */
  readonly warnings: readonly string[];
}

/**
 * Reads a synthesized cloud assembly (`cdk.out`) into the specs of its Lambda functions.
 * Reads JSON only (manifests, templates, asset manifests): no CDK code is loaded and no
 * zip is opened, so it stays fast for apps with hundreds of functions.
 */
export async function readAssembly(directory: string, options: ReadAssemblyOptions = {}): Promise<Assembly> {
  const { root, scopes, warnings } = await loadTemplateScopes(directory, options);
  const functions: FunctionSpec[] = [];
  const byScope = new Map<TemplateScope, Map<string, FunctionSpec>>();
  for (const scope of scopes) collectFunctions(scope, functions, warnings, byScope);
  const apis: ApiSpec[] = [];
  for (const scope of scopes) collectApis(scope, apis, warnings, byScope);
  return { directory: root, functions, apis, warnings };
}

/** The templates of a cloud assembly's top-level stacks, ready to resolve; nested stacks hang below them. */
export interface TemplateScopes {
  /** Absolute path of the cloud assembly directory. */
  readonly root: string;
  /** One scope per top-level stack, in manifest order. */
  readonly scopes: readonly TemplateScope[];
  readonly warnings: string[];
}

/** Reads the manifests and templates of a cloud assembly into {@link TemplateScope}s. */
export async function loadTemplateScopes(directory: string, options: ReadAssemblyOptions = {}): Promise<TemplateScopes> {
  const root = resolve(directory);
  const warnings: string[] = [];
  const tree = await readManifestTree(root, warnings);
  const assetIndexes = new Map<string, AssetIndex>(
    await Promise.all(
      tree.assemblies.map(
        async (assembly) => [assembly.directory, await readAssetIndex(assembly.directory, assembly.assetManifestFiles, warnings)] as const,
      ),
    ),
  );
  const templates = await Promise.all(tree.stacks.map((stack) => readTemplate(stack.templatePath, true)));
  const app = new AppIndex();
  const scopes = tree.stacks.map((stack, index) => {
    const region = stack.region ?? options.defaultRegion ?? DEFAULT_REGION;
    const environment: StackEnvironment = {
      stackName: stack.stackName,
      topStackName: stack.stackName,
      displayName: stack.displayName,
      artifactId: stack.artifactId,
      region,
      accountId: stack.account ?? options.defaultAccount ?? DEFAULT_ACCOUNT,
      ...partitionOf(region),
      assemblyDirectory: stack.assemblyDirectory,
    };
    const assets = assetIndexes.get(stack.assemblyDirectory) ?? new AssetIndex();
    const scope = new TemplateScope(templates[index] ?? toCfnTemplate({}), environment, assets, app);
    app.register(scope);
    return scope;
  });
  await Promise.all(scopes.map((scope) => loadNestedStacks(scope, app, warnings)));
  await Promise.all(
    scopes.map(async (scope, index) => {
      const stack = tree.stacks[index];
      if (stack === undefined || !lacksPathMetadata(scope)) return;
      const paths = await readConstructPaths(stack);
      if (paths !== undefined) assignConstructPaths(scope, `/${stack.displayName}`, paths);
    }),
  );
  return { root, scopes, warnings };
}

async function readTemplate(path: string, required: boolean): Promise<CfnTemplate | undefined> {
  try {
    return toCfnTemplate(JSON.parse(await readFile(path, 'utf8')));
  } catch (error) {
    if (!required) return undefined;
    throw new CdkLocalError(
      ErrorCodes.ASSEMBLY_INVALID,
      `The template ${path} could not be read (${(error as Error).message}): synthesize the app again.`,
      { cause: error },
    );
  }
}

/** Finds, reads and registers the templates of the nested stacks of a template, recursively. */
async function loadNestedStacks(scope: TemplateScope, app: AppIndex, warnings: string[]): Promise<void> {
  const nestedStacks = Object.entries(scope.template.Resources).filter(
    ([logicalId, resource]) => resource.Type === 'AWS::CloudFormation::Stack' && scope.resourceExists(logicalId),
  );
  await Promise.all(
    nestedStacks.map(async ([logicalId, resource]) => {
      const path = nestedTemplatePath(scope, logicalId);
      const template = path === undefined ? undefined : await readTemplate(path, false);
      if (template === undefined) {
        warnings.push(
          `The template of nested stack ${scope.constructPath(logicalId)} is not in the cloud assembly; its functions are left out.`,
        );
        return;
      }
      const parameters = resource.Properties?.['Parameters'];
      const nested = new TemplateScope(
        template,
        {
          ...scope.environment,
          stackName: generatePhysicalName(scope.environment.stackName, logicalId, { maxLength: 128 }),
        },
        scope.assets,
        app,
        { scope, parameters: isRecord(parameters) ? parameters : {} },
      );
      app.register(nested);
      scope.nestedScopes.set(logicalId, nested);
      await loadNestedStacks(nested, app, warnings);
    }),
  );
}

/** The template of a nested stack: from `aws:asset:path` metadata, else the asset whose object key ends its TemplateURL. */
function nestedTemplatePath(scope: TemplateScope, logicalId: string): string | undefined {
  const resource = scope.template.Resources[logicalId];
  const assetPath = resource?.Metadata?.['aws:asset:path'];
  if (typeof assetPath === 'string') return resolve(scope.environment.assemblyDirectory, assetPath);
  const templateUrl = resource?.Properties?.['TemplateURL'];
  if (templateUrl === undefined) return undefined;
  const objectKey = basename(scope.resolveString(templateUrl, []));
  return scope.assets.findByObjectKey(objectKey)?.path;
}

/** True when some resource of the template or its nested templates has no `aws:cdk:path`. */
function lacksPathMetadata(scope: TemplateScope): boolean {
  return (
    Object.values(scope.template.Resources).some((resource) => typeof resource.Metadata?.['aws:cdk:path'] !== 'string') ||
    [...scope.nestedScopes.values()].some((nested) => lacksPathMetadata(nested))
  );
}

function assignConstructPaths(scope: TemplateScope, prefix: string, paths: ConstructPaths): void {
  scope.metadataPaths = paths.forTemplate(prefix);
  for (const [logicalId, nested] of scope.nestedScopes) {
    const resourcePath = scope.metadataPaths?.get(logicalId);
    const nestedPrefix = resourcePath === undefined ? undefined : nestedStackPrefix(resourcePath);
    if (nestedPrefix !== undefined) assignConstructPaths(nested, nestedPrefix, paths);
  }
}

function collectFunctions(scope: TemplateScope, functions: FunctionSpec[], warnings: string[], byScope: Map<TemplateScope, Map<string, FunctionSpec>>): void {
  const functionUrls = readFunctionUrls(scope);
  const qualifiers = readVersions(scope, warnings);
  const own = new Map<string, FunctionSpec>();
  byScope.set(scope, own);
  for (const [logicalId, resource] of Object.entries(scope.template.Resources)) {
    if (resource.Type === 'AWS::Lambda::Function' && scope.resourceExists(logicalId)) {
      const spec = Object.freeze(buildFunctionSpec(scope, logicalId, { functionUrls, qualifiers, warnings }));
      own.set(logicalId, spec);
      functions.push(spec);
    } else if (resource.Type === 'AWS::CloudFormation::Stack') {
      const nested = scope.nestedScopes.get(logicalId);
      if (nested !== undefined) collectFunctions(nested, functions, warnings, byScope);
    }
  }
}

function collectApis(scope: TemplateScope, apis: ApiSpec[], warnings: string[], byScope: Map<TemplateScope, Map<string, FunctionSpec>>): void {
  const lookup = (owner: TemplateScope, logicalId: string): FunctionSpec | undefined => byScope.get(owner)?.get(logicalId);
  apis.push(...readApis(scope, lookup, warnings).map((api) => Object.freeze(api)));
  for (const [logicalId, resource] of Object.entries(scope.template.Resources)) {
    const nested = resource.Type === 'AWS::CloudFormation::Stack' ? scope.nestedScopes.get(logicalId) : undefined;
    if (nested !== undefined) collectApis(nested, apis, warnings, byScope);
  }
}
