import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CdkLocalError, ErrorCodes } from '../errors.js';
import { isRecord } from './cfn-template.js';

/** One `aws:cloudformation:stack` artifact of a cloud assembly or of a nested (stage) assembly. */
export interface StackArtifact {
  /** Artifact ID in its manifest.json (`ProdApiStack1A2B3C4D` in a stage). */
  readonly artifactId: string;
  /** CloudFormation stack name (`Prod-ApiStack`). */
  readonly stackName: string;
  /** Display name with stage prefixes (`Prod/ApiStack`). */
  readonly displayName: string;
  /** The assembly directory holding the template and the stack's assets. */
  readonly assemblyDirectory: string;
  /** Absolute path of the template. */
  readonly templatePath: string;
  /** Account from `aws://<account>/<region>`, undefined for `unknown-account`. */
  readonly account?: string;
  /** Region from `aws://<account>/<region>`, undefined for `unknown-region`. */
  readonly region?: string;
  /** Absolute path of the stack's metadata file (`additionalMetadataFile`), if any. */
  readonly metadataPath?: string;
  /** Metadata written into the manifest itself, by construct path, if any. */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** One assembly directory (the root or a stage's) and its asset manifests. */
export interface AssemblyDirectory {
  readonly directory: string;
  /** Asset manifest files, relative to the directory. */
  readonly assetManifestFiles: readonly string[];
}

/** Every stack of a cloud assembly, stages included, in manifest order. */
export interface ManifestTree {
  readonly stacks: readonly StackArtifact[];
  readonly assemblies: readonly AssemblyDirectory[];
}

/**
 * Reads `manifest.json` of a cloud assembly and, recursively, of the nested assemblies
 * that stages produce (`cdk:cloud-assembly` artifacts).
 * @see https://github.com/aws/aws-cdk-cli/tree/main/packages/%40aws-cdk/cloud-assembly-schema
 */
export async function readManifestTree(directory: string, warnings: string[]): Promise<ManifestTree> {
  const stacks: StackArtifact[] = [];
  const assemblies: AssemblyDirectory[] = [];
  const visited = new Set<string>();

  async function visit(assemblyDirectory: string, isRoot: boolean): Promise<void> {
    if (visited.has(assemblyDirectory)) return;
    visited.add(assemblyDirectory);
    const manifestPath = join(assemblyDirectory, 'manifest.json');
    let manifest: unknown;
    try {
      manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    } catch (error) {
      if (isRoot) {
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        throw new CdkLocalError(
          ErrorCodes.ASSEMBLY_INVALID,
          missing
            ? `No cloud assembly in ${assemblyDirectory} (it has no manifest.json): run 'cdk synth' first or pass --app <cdk.out or command>.`
            : `The cloud assembly manifest ${manifestPath} could not be read (${(error as Error).message}): synthesize the app again.`,
          { cause: error },
        );
      }
      warnings.push(`The nested cloud assembly ${assemblyDirectory} could not be read (${(error as Error).message}); its stacks are left out.`);
      return;
    }
    const artifacts = isRecord(manifest) && isRecord(manifest['artifacts']) ? manifest['artifacts'] : {};
    const assetManifestFiles: string[] = [];
    assemblies.push({ directory: assemblyDirectory, assetManifestFiles });
    const nested: string[] = [];
    for (const [artifactId, artifact] of Object.entries(artifacts)) {
      if (!isRecord(artifact)) continue;
      const properties = isRecord(artifact['properties']) ? artifact['properties'] : {};
      switch (artifact['type']) {
        case 'aws:cloudformation:stack': {
          if (typeof properties['templateFile'] !== 'string') continue;
          const environment = parseEnvironment(artifact['environment']);
          stacks.push({
            artifactId,
            stackName: typeof properties['stackName'] === 'string' ? properties['stackName'] : artifactId,
            displayName: typeof artifact['displayName'] === 'string' ? artifact['displayName'] : artifactId,
            assemblyDirectory,
            templatePath: resolve(assemblyDirectory, properties['templateFile']),
            ...environment,
            ...(typeof artifact['additionalMetadataFile'] === 'string'
              ? { metadataPath: resolve(assemblyDirectory, artifact['additionalMetadataFile']) }
              : {}),
            ...(isRecord(artifact['metadata']) ? { metadata: artifact['metadata'] } : {}),
          });
          break;
        }
        case 'cdk:asset-manifest':
          if (typeof properties['file'] === 'string') assetManifestFiles.push(properties['file']);
          break;
        case 'cdk:cloud-assembly':
          if (typeof properties['directoryName'] === 'string') nested.push(resolve(assemblyDirectory, properties['directoryName']));
          break;
        default:
          break;
      }
    }
    for (const child of nested) await visit(child, false);
  }

  await visit(resolve(directory), true);
  return { stacks, assemblies };
}

function parseEnvironment(environment: unknown): { account?: string; region?: string } {
  const match = typeof environment === 'string' ? /^aws:\/\/([^/]+)\/([^/]+)$/.exec(environment) : null;
  const account = match?.[1];
  const region = match?.[2];
  return {
    ...(account === undefined || account === 'unknown-account' ? {} : { account }),
    ...(region === undefined || region === 'unknown-region' ? {} : { region }),
  };
}
