import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { extractZip } from '../assembly/extract-zip.js';
import type { CodeLocation, FunctionSpec, LayerSpec } from '../assembly/index.js';
import { materialiseDirectory } from '../assembly/materialise-directory.js';
import type { AwsCredentials } from '../environment/index.js';
import { CdkLocalError, ErrorCodes } from '../errors.js';

/** Options of {@link resolveExternalLayers}. */
export interface ExternalLayerOptions {
  /** Local directories or zips for layer version ARNs (`--layer ARN=PATH`). */
  readonly mapping?: Readonly<Record<string, string>>;
  /** The user's credentials, with which layers that are not mapped are downloaded. */
  readonly credentials?: AwsCredentials;
  /** Where downloaded layers are kept, one directory per ARN (the runtime cache). */
  readonly cacheDirectory: string;
  /** Progress and the notice for a layer that cannot be had. */
  readonly onNotice?: (message: string) => void;
}

const LAYER_VERSION_ARN = /^arn:(aws[a-z-]*):lambda:([a-z0-9-]+):(\d{12}):layer:([A-Za-z0-9_-]+):(\d+)$/;

/** A layer of a function that the app does not carry: referenced by its ARN alone. */
function isExternal(layer: LayerSpec): boolean {
  return layer.code === undefined;
}

/** Where a mapped path's code is: a directory, or a `.zip` file. */
async function mappedLocation(arn: string, path: string): Promise<CodeLocation> {
  const info = await stat(path).catch(() => undefined);
  if (info?.isDirectory() === true) return { kind: 'directory', path };
  if (info?.isFile() === true && extname(path).toLowerCase() === '.zip') return { kind: 'zip', path };
  throw new CdkLocalError(
    ErrorCodes.USAGE,
    `--layer ${arn}=${path} names ${info === undefined ? 'nothing that exists' : 'neither a directory nor a .zip file'}: give the layer's unpacked directory or its zip.`,
  );
}

/**
 * Checks `--layer ARN=PATH` mappings against the app before anything runs: every ARN must be
 * a layer some function refers to, and every path a directory or a zip. Returns the mapping
 * with absolute paths.
 */
export async function checkLayerMappings(mapping: Readonly<Record<string, string>>, functions: readonly FunctionSpec[]): Promise<Record<string, string>> {
  const referenced = [...new Set(functions.flatMap((spec) => spec.layers.filter(isExternal).map((layer) => layer.arn)))];
  const checked: Record<string, string> = {};
  for (const [arn, path] of Object.entries(mapping)) {
    if (!referenced.includes(arn)) {
      throw new CdkLocalError(
        ErrorCodes.USAGE,
        referenced.length === 0
          ? `--layer ${arn} matches no layer of the app: no function refers to a layer from outside the app.`
          : `--layer ${arn} matches no layer of the app: give one of the layer version ARNs its functions refer to (${referenced.join(', ')}).`,
      );
    }
    const absolute = resolve(path);
    await mappedLocation(arn, absolute);
    checked[arn] = absolute;
  }
  return checked;
}

/**
 * Gives a function's layers from outside the app their code: the local directory or zip that
 * `--layer` maps the ARN to, else the layer downloaded once with the user's credentials
 * (Lambda's `GetLayerVersionByArn`) into the cache. A layer that cannot be had is left out
 * with a one-sentence notice naming both ways, and the function runs without it.
 */
export async function resolveExternalLayers(layers: readonly LayerSpec[], options: ExternalLayerOptions): Promise<LayerSpec[]> {
  const resolved: LayerSpec[] = [];
  for (const layer of layers) {
    if (!isExternal(layer)) {
      resolved.push(layer);
      continue;
    }
    const mapped = options.mapping?.[layer.arn];
    if (mapped !== undefined) {
      resolved.push({ ...layer, code: await mappedLocation(layer.arn, mapped) });
      continue;
    }
    const directory = await downloadLayer(layer.arn, options);
    if (directory !== undefined) resolved.push({ ...layer, code: { kind: 'directory', path: directory } });
  }
  return resolved;
}

function leftOut(arn: string, reason: string): string {
  return `Layer ${arn} is not part of the app and could not be downloaded (${reason}); map it to a local directory or zip with --layer ${arn}=PATH, or give credentials that can read it (--profile), and meanwhile the function runs without its files in /opt.`;
}

function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** The layer's directory in the cache, downloaded first when it is not there; undefined when it cannot be had. */
async function downloadLayer(arn: string, options: ExternalLayerOptions): Promise<string | undefined> {
  const notice = (message: string): void => options.onNotice?.(message);
  const parts = LAYER_VERSION_ARN.exec(arn);
  if (parts === null) {
    notice(leftOut(arn, 'it is not a layer version ARN, or it is only known at deploy time'));
    return undefined;
  }
  const directory = join(options.cacheDirectory, 'layers', createHash('sha256').update(arn).digest('hex').slice(0, 32));
  if ((await stat(directory).catch(() => undefined))?.isDirectory() === true) return directory;
  if (options.credentials === undefined) {
    notice(leftOut(arn, 'no AWS credentials were found'));
    return undefined;
  }
  const credentials = options.credentials;
  try {
    return await materialiseDirectory(directory, async (temporary) => {
      const content = await fetchLayerContent(arn, parts[2]!, credentials);
      notice(`downloading layer ${arn} (${formatSize(content.size)})`);
      const scratch = await mkdtemp(join(options.cacheDirectory, 'layers', '.download-'));
      try {
        const zip = join(scratch, 'layer.zip');
        const digest = await download(content.location, zip);
        if (digest !== content.sha256) {
          throw new CdkLocalError(
            ErrorCodes.LAYER_INVALID,
            `The layer ${arn} that was downloaded does not match its CodeSha256 (${content.sha256}, got ${digest}), so it is not used: try again, or map it to a local copy with --layer ${arn}=PATH.`,
          );
        }
        await extractZip(zip, temporary);
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    });
  } catch (error) {
    if (error instanceof CdkLocalError && error.code === ErrorCodes.LAYER_INVALID) throw error;
    notice(leftOut(arn, describeFailure(error)));
    return undefined;
  }
}

interface LayerContent {
  readonly location: string;
  readonly sha256: string;
  readonly size: number;
}

/** Asks Lambda, in the layer's region, where its content is. */
async function fetchLayerContent(arn: string, region: string, credentials: AwsCredentials): Promise<LayerContent> {
  // Loaded here: only layers from outside the app need the SDK.
  const { LambdaClient, GetLayerVersionByArnCommand } = await import('@aws-sdk/client-lambda');
  // The SDK warns once per process that its next versions need Node.js 22: not the user's concern here.
  const quiet = process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined;
  if (quiet) process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  let client: InstanceType<typeof LambdaClient>;
  try {
    client = new LambdaClient({ region, credentials, maxAttempts: 2, requestHandler: { connectionTimeout: 10_000, requestTimeout: 60_000 } });
  } finally {
    if (quiet) delete process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  }
  try {
    const answer = await client.send(new GetLayerVersionByArnCommand({ Arn: arn }));
    const content = answer.Content;
    if (content?.Location === undefined || content.CodeSha256 === undefined) throw new Error('Lambda gave no download location for it');
    return { location: content.Location, sha256: content.CodeSha256, size: content.CodeSize ?? 0 };
  } finally {
    client.destroy();
  }
}

/** Downloads `url` to `path` and returns the base64 SHA-256 of what was written. */
async function download(url: string, path: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok || response.body === null) throw new Error(`the download answered HTTP ${response.status}`);
  const hash = createHash('sha256');
  await mkdir(join(path, '..'), { recursive: true });
  const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  body.on('data', (chunk: Buffer) => hash.update(chunk));
  await pipeline(body, createWriteStream(path, { mode: 0o600 }));
  return hash.digest('base64');
}

function describeFailure(error: unknown): string {
  const name = (error as { name?: unknown }).name;
  const message = error instanceof Error ? error.message : String(error);
  const cause = (error as { cause?: { code?: unknown } }).cause?.code;
  if (typeof name === 'string' && name !== 'Error' && name !== 'TypeError') return `${name}: ${message.replace(/[.\s]+$/, '')}`;
  return (typeof cause === 'string' ? `${message}: ${cause}` : message).replace(/[.\s]+$/, '');
}
