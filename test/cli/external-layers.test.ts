import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LocalLambda } from '../../lib/index.js';
import { writeZip } from '../fixtures/assembly/write-zip.js';
import { runCli } from '../helpers/run-cli.js';

const SHARED = 'arn:aws:lambda:us-east-1:123456789012:layer:shared:3';
const MODULE = 'nodejs/node_modules/shared-lib/index.js';

// The function reads a package of the layer the way real code does: a bare require that
// Lambda's NODE_PATH (/opt/nodejs/node_modules) resolves.
const HANDLER = `
exports.handler = async () => {
  try {
    return { value: require('shared-lib').value };
  } catch (error) {
    return { missing: error.code };
  }
};`;

function synthesize(outdir: string): void {
  const app = new App({ outdir, context: { 'aws:cdk:disable-version-reporting': true }, stackTraces: false });
  const stack = new Stack(app, 'LayerStack', { env: { region: 'us-east-1', account: '123456789012' } });
  new lambda.Function(stack, 'UsesShared', {
    runtime: lambda.Runtime.NODEJS_20_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(HANDLER),
    timeout: Duration.seconds(30),
    layers: [lambda.LayerVersion.fromLayerVersionArn(stack, 'Shared', SHARED)],
  });
  app.synth();
}

describe('layers from outside the app', () => {
  let root: string;
  let assembly: string;
  let layerDirectory: string;
  let layerZip: string;
  /** No credentials and an empty cache: nothing is downloaded by accident. */
  let isolated: NodeJS.ProcessEnv;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'cdk-local-external-layers-'));
    assembly = join(root, 'cdk.out');
    synthesize(assembly);
    layerDirectory = join(root, 'shared-layer');
    await mkdir(join(layerDirectory, 'nodejs', 'node_modules', 'shared-lib'), { recursive: true });
    await writeFile(join(layerDirectory, MODULE), "exports.value = 'from the mapped directory';\n");
    layerZip = join(root, 'shared-layer.zip');
    await writeZip(layerZip, [{ name: MODULE, content: "exports.value = 'from the mapped zip';\n" }]);
    const home = join(root, 'home');
    await mkdir(home);
    isolated = {
      HOME: home,
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: '',
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
      AWS_CONFIG_FILE: join(home, 'none'),
      AWS_ENDPOINT_URL_LAMBDA: 'http://127.0.0.1:9',
      CDK_LOCAL_CACHE_DIR: join(root, 'cache-unused'),
    };
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function invoke(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ payload: unknown; stderr: string }> {
    const run = await runCli(['invoke', 'UsesShared', '--app', assembly, ...args], { env });
    assert.equal(run.exitCode, 0, run.stderr);
    return { payload: JSON.parse(run.stdout), stderr: run.stderr };
  }

  it('uses the directory --layer maps the ARN to', async () => {
    const { payload, stderr } = await invoke(['--layer', `${SHARED}=${layerDirectory}`], isolated);
    assert.deepEqual(payload, { value: 'from the mapped directory' });
    assert.doesNotMatch(stderr, /could not be downloaded/);
  });

  it('uses it in plain processes too, through NODE_PATH', async () => {
    const { payload } = await invoke(['--no-sandbox', '--layer', `${SHARED}=${layerDirectory}`], isolated);
    assert.deepEqual(payload, { value: 'from the mapped directory' });
  });

  it('takes the mapping as the library option layers', async () => {
    const notices: string[] = [];
    await using local = await LocalLambda.fromAssembly(assembly, {
      credentials: 'none',
      layers: { [SHARED]: layerZip },
      runtimeCacheDirectory: join(root, 'cache-library'),
      onNotice: (message) => notices.push(message),
    });
    const result = await local.invoke('UsesShared');
    assert.deepEqual(result.payload, { value: 'from the mapped zip' });
    assert.deepEqual(
      notices.filter((notice) => notice.includes('layer')),
      [],
    );
    await assert.rejects(
      LocalLambda.fromAssembly(assembly, { credentials: 'none', layers: { [SHARED.replace(/:3$/, ':4')]: layerZip } }),
      (error: Error & { code?: string }) => error.code === 'CDKL_USAGE' && error.message.includes(`(${SHARED})`),
    );
  });

  it('uses the zip --layer maps the ARN to', async () => {
    const { payload } = await invoke(['--layer', `${SHARED}=${layerZip}`], isolated);
    assert.deepEqual(payload, { value: 'from the mapped zip' });
  });

  it('names both ways out when the layer can be neither mapped nor downloaded', async () => {
    const { payload, stderr } = await invoke([], isolated);
    assert.deepEqual(payload, { missing: 'MODULE_NOT_FOUND' });
    const notice = stderr.split('\n').find((line) => line.includes(SHARED));
    assert.ok(notice !== undefined, stderr);
    assert.match(notice, /no AWS credentials were found/);
    assert.match(notice, new RegExp(`--layer ${SHARED}=PATH`));
    assert.match(notice, /--profile/);
  });

  it('refuses a --layer ARN that no function refers to, naming the ones they do', async () => {
    const other = 'arn:aws:lambda:us-east-1:123456789012:layer:other:1';
    const run = await runCli(['invoke', 'UsesShared', '--app', assembly, '--layer', `${other}=${layerDirectory}`], { env: isolated });
    assert.equal(run.exitCode, 2, run.stderr);
    assert.match(run.stderr, new RegExp(`--layer ${other} matches no layer of the app: .*\\(${SHARED}\\)`));
  });

  it('refuses a --layer without =PATH', async () => {
    const run = await runCli(['invoke', 'UsesShared', '--app', assembly, '--layer', SHARED], { env: isolated });
    assert.equal(run.exitCode, 2, run.stderr);
    assert.match(run.stderr, /--layer takes ARN=PATH, not 'arn:aws:lambda:us-east-1:123456789012:layer:shared:3': write it as --layer arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION=\.\/dir-or\.zip\./);
  });

  it('refuses a --layer path that is neither a directory nor a zip', async () => {
    const run = await runCli(['invoke', 'UsesShared', '--app', assembly, '--layer', `${SHARED}=${join(root, 'missing')}`], { env: isolated });
    assert.equal(run.exitCode, 2, run.stderr);
    assert.match(run.stderr, /names nothing that exists: give the layer's unpacked directory or its zip/);
  });

  describe('downloaded with the user credentials', () => {
    let server: Server;
    let port: number;
    let zip: Buffer;
    let advertisedSha: string;
    let denied = false;
    const requests: string[] = [];
    const authorizations: string[] = [];

    before(async () => {
      const zipPath = join(root, 'downloaded.zip');
      await writeZip(zipPath, [{ name: MODULE, content: "exports.value = 'from the downloaded layer';\n" }]);
      zip = await readFile(zipPath);
      advertisedSha = createHash('sha256').update(zip).digest('base64');
      server = createServer((request, response) => {
        const url = new URL(request.url ?? '/', 'http://127.0.0.1');
        requests.push(`${request.method} ${url.pathname}`);
        if (url.pathname === '/2018-10-31/layers' && url.searchParams.get('find') === 'LayerVersion') {
          authorizations.push(request.headers.authorization ?? '');
          const arn = url.searchParams.get('Arn');
          if (denied) {
            response.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException' });
            response.end(JSON.stringify({ Message: 'User is not authorized to perform: lambda:GetLayerVersion' }));
            return;
          }
          if (arn !== SHARED) {
            response.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' });
            response.end(JSON.stringify({ Type: 'User', message: 'Layer version not found' }));
            return;
          }
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(
            JSON.stringify({
              Content: { Location: `http://127.0.0.1:${port}/zip`, CodeSha256: advertisedSha, CodeSize: zip.length },
              LayerArn: SHARED.replace(/:3$/, ''),
              LayerVersionArn: SHARED,
              Version: 3,
              CompatibleRuntimes: ['nodejs20.x'],
            }),
          );
          return;
        }
        if (url.pathname === '/zip') {
          response.writeHead(200, { 'content-type': 'application/zip', 'content-length': zip.length });
          response.end(zip);
          return;
        }
        response.writeHead(404).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    after(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    function withFakeLambda(cache: string): NodeJS.ProcessEnv {
      return {
        ...isolated,
        AWS_ACCESS_KEY_ID: 'AKIAFAKEFORTESTS0001',
        AWS_SECRET_ACCESS_KEY: 'fake-secret-for-tests',
        AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${port}`,
        CDK_LOCAL_CACHE_DIR: cache,
      };
    }

    it('downloads the layer once, signed with the credentials, and reuses it from the cache', async () => {
      requests.length = 0;
      const env = withFakeLambda(join(root, 'cache-download'));
      const first = await invoke([], env);
      assert.deepEqual(first.payload, { value: 'from the downloaded layer' });
      assert.match(first.stderr, new RegExp(`^cdk-local: downloading layer ${SHARED} \\(1 KB\\)$`, 'm'));
      assert.doesNotMatch(first.stderr, /Warning/);
      assert.deepEqual(requests, ['GET /2018-10-31/layers', 'GET /zip']);
      assert.match(authorizations.at(-1) ?? '', /^AWS4-HMAC-SHA256 Credential=AKIAFAKEFORTESTS0001\/\d{8}\/us-east-1\/lambda\/aws4_request/);

      const second = await invoke([], env);
      assert.deepEqual(second.payload, { value: 'from the downloaded layer' });
      assert.doesNotMatch(second.stderr, /downloading layer/);
      assert.equal(requests.length, 2, 'the second run asked Lambda again');
    });

    it('prefers a --layer mapping to the download', async () => {
      requests.length = 0;
      const { payload } = await invoke(['--layer', `${SHARED}=${layerDirectory}`], withFakeLambda(join(root, 'cache-mapped')));
      assert.deepEqual(payload, { value: 'from the mapped directory' });
      assert.deepEqual(requests, []);
    });

    it('names both ways out when Lambda denies access, and runs the function without the layer', async () => {
      denied = true;
      try {
        const { payload, stderr } = await invoke([], withFakeLambda(join(root, 'cache-denied')));
        assert.deepEqual(payload, { missing: 'MODULE_NOT_FOUND' });
        assert.match(
          stderr,
          new RegExp(`^cdk-local: Layer ${SHARED} is not part of the app and could not be downloaded \\(AccessDeniedException: User is not authorized.*\\); map it .* with --layer ${SHARED}=PATH, or give credentials that can read it \\(--profile\\)`, 'm'),
        );
      } finally {
        denied = false;
      }
    });

    it('refuses a download whose sha256 is not the advertised one', async () => {
      const right = advertisedSha;
      advertisedSha = createHash('sha256').update('something else').digest('base64');
      try {
        const run = await runCli(['invoke', 'UsesShared', '--app', assembly], { env: withFakeLambda(join(root, 'cache-tampered')) });
        assert.notEqual(run.exitCode, 0, run.stderr);
        assert.match(run.stderr, new RegExp(`The layer ${SHARED} that was downloaded does not match its CodeSha256 .*--layer ${SHARED}=PATH\\.`));
      } finally {
        advertisedSha = right;
      }
    });
  });
});
