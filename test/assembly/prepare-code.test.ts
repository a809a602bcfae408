import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readFile, readdir, readlink, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { prepareCode, prepareLayers, type FunctionSpec } from '../../lib/assembly/index.js';
import { isCdkLocalError } from '../../lib/errors.js';
import { synthesizeDemoAssembly, type DemoAssembly } from '../fixtures/assembly/demo-assembly.js';
import { writeZip } from '../fixtures/assembly/write-zip.js';

function rejection(code: string, pattern: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(isCdkLocalError(error), `not a CdkLocalError: ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  };
}

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

describe('prepareCode and prepareLayers', () => {
  let root: string;
  let cacheDir: string;
  let demo: DemoAssembly;
  const byPath = (path: string): FunctionSpec => demo.byPath(path);

  before(async () => {
    demo = await synthesizeDemoAssembly('cdk-local-prepare-code-');
    root = demo.root;
    cacheDir = join(root, 'cache');
  });

  after(async () => {
    await demo.remove();
  });

  it('unpacks an asset zip once, keeping executable bits', async () => {
    const { code } = byPath('DemoStack/CustomRuntime');
    assert.equal(code.kind, 'zip');
    const [first, second] = await Promise.all([prepareCode(code, cacheDir), prepareCode(code, cacheDir)]);
    assert.equal(first, second);
    assert.match(first, /[/\\][0-9a-f]{64}$/);
    assert.equal(await readFile(join(first, 'bootstrap'), 'utf8'), '#!/bin/sh\necho bootstrap\n');
    assert.equal(await modeOf(join(first, 'bootstrap')), 0o755);
    assert.equal(await modeOf(join(first, 'data', 'readme.txt')), 0o644);
    await writeFile(join(first, 'marker'), 'left by the test');
    assert.equal(await prepareCode(code, cacheDir), first);
    assert.ok(existsSync(join(first, 'marker')), 'the zip was unpacked again');
    assert.deepEqual((await readdir(cacheDir)).filter((name) => name.startsWith('.tmp-')), []);
  });

  it('uses an asset directory as it is', async () => {
    const { code } = byPath('DemoStack/PythonAsset');
    assert.ok(code.kind === 'directory');
    assert.equal(await prepareCode(code, cacheDir), code.path);
    await assert.rejects(
      prepareCode({ kind: 'directory', path: join(root, 'nowhere') }, cacheDir),
      rejection('CDKL_ASSEMBLY_INVALID', /^The code directory .*nowhere is missing from the cloud assembly; synthesize the app again\.$/),
    );
  });

  it('writes inline code to index.js or index.py in its own directory', async () => {
    const node = await prepareCode(byPath('DemoStack/InlineNode').code, cacheDir);
    const python = await prepareCode(byPath('DemoStack/InlinePython').code, cacheDir);
    assert.match(node, /[/\\]inline-[0-9a-f]{64}$/);
    assert.notEqual(node, python);
    assert.deepEqual(await readdir(node), ['index.js']);
    assert.equal(await readFile(join(node, 'index.js'), 'utf8'), 'exports.handler = async () => "inline";');
    assert.deepEqual(await readdir(python), ['index.py']);
    assert.equal(await prepareCode(byPath('DemoStack/InlineNode').code, cacheDir), node);
  });

  it('cannot prepare images or S3 code', async () => {
    await assert.rejects(prepareCode(byPath('DemoStack/Container').code, cacheDir), rejection('CDKL_UNSUPPORTED_FUNCTION', /without Docker/));
    await assert.rejects(prepareCode(byPath('DemoStack/FromS3').code, cacheDir), rejection('CDKL_UNSUPPORTED_FUNCTION', /s3:\/\/someone-elses-bucket/));
  });

  it('refuses zips whose entries would land outside their directory', async () => {
    const slipCache = join(root, 'slip-cache');
    const escaping = join(root, 'escaping.zip');
    await writeZip(escaping, [{ name: 'ok.txt', content: 'fine' }, { name: '../../evil.txt', content: 'gotcha' }]);
    await assert.rejects(prepareCode({ kind: 'zip', path: escaping }, slipCache), rejection('CDKL_ASSEMBLY_INVALID', /escaping\.zip could not be unpacked/));
    const linking = join(root, 'linking.zip');
    await writeZip(linking, [
      { name: 'outside', content: '../../../etc', symlink: true },
      { name: 'outside/passwd', content: 'overwritten?' },
    ]);
    await assert.rejects(prepareCode({ kind: 'zip', path: linking }, slipCache), rejection('CDKL_ASSEMBLY_INVALID', /linking\.zip could not be unpacked/));
    assert.ok(!existsSync(join(root, 'evil.txt')));
    assert.deepEqual(await readdir(slipCache), [], 'half-unpacked directories are removed');
  });

  it('keeps symbolic links that stay inside the code', async () => {
    const zip = join(root, 'links.zip');
    await writeZip(zip, [
      { name: 'lib/real.js', content: 'module.exports = 1;' },
      { name: 'current.js', content: 'lib/real.js', symlink: true },
    ]);
    const directory = await prepareCode({ kind: 'zip', path: zip }, cacheDir);
    assert.ok((await lstat(join(directory, 'current.js'))).isSymbolicLink());
    assert.equal(await readlink(join(directory, 'current.js')), 'lib/real.js');
    assert.equal(await readFile(join(directory, 'current.js'), 'utf8'), 'module.exports = 1;');
  });

  it('merges layers in order, later files winning, executable bits kept', async () => {
    const first = join(root, 'layer-one.zip');
    const second = join(root, 'layer-two.zip');
    await writeZip(first, [
      { name: 'bin/tool', content: '#!/bin/sh\necho one\n', mode: 0o755 },
      { name: 'nodejs/node_modules/shared/index.js', content: 'module.exports = "one";' },
      { name: 'extensions/agent', content: '#!/bin/sh\necho agent\n', mode: 0o755 },
    ]);
    await writeZip(second, [
      { name: 'nodejs/node_modules/shared/index.js', content: 'module.exports = "two";' },
      { name: 'python/helper.py', content: 'X = 2' },
    ]);
    const layers = [
      { arn: 'arn:aws:lambda:us-east-1:123456789012:layer:one:1', code: { kind: 'zip' as const, path: first } },
      { arn: 'arn:aws:lambda:us-east-1:999999999999:layer:external:3' },
      { arn: 'arn:aws:lambda:us-east-1:123456789012:layer:two:1', code: { kind: 'zip' as const, path: second } },
    ];
    const prepared = await prepareLayers(layers, cacheDir);
    assert.match(prepared.directory ?? '', /[/\\]layers-[0-9a-f]{64}$/);
    const opt = prepared.directory ?? '';
    assert.equal(await readFile(join(opt, 'nodejs/node_modules/shared/index.js'), 'utf8'), 'module.exports = "two";');
    assert.equal(await readFile(join(opt, 'python/helper.py'), 'utf8'), 'X = 2');
    assert.equal(await modeOf(join(opt, 'bin/tool')), 0o755);
    assert.equal(await modeOf(join(opt, 'extensions/agent')), 0o755);
    assert.deepEqual(prepared.warnings, [
      'Layer arn:aws:lambda:us-east-1:999999999999:layer:external:3 is not part of the app, so cdk-local cannot fetch it; the function runs without its files in /opt.',
    ]);
    assert.equal((await prepareLayers(layers, cacheDir)).directory, opt);
  });

  it('uses a single layer where it is, and has nothing to prepare without layers', async () => {
    const [layer] = byPath('DemoStack/Api/Orders/Handler').layers;
    assert.ok(layer?.code?.kind === 'directory');
    assert.deepEqual(await prepareLayers([layer], cacheDir), { directory: layer.code.path, warnings: [] });
    assert.deepEqual(await prepareLayers([], cacheDir), { warnings: [] });
  });

  it('merges the layers of a stage function from two stacks', async () => {
    const prepared = await prepareLayers(byPath('Prod/ApiStack/Worker').layers, cacheDir);
    const opt = prepared.directory ?? '';
    assert.ok(existsSync(join(opt, 'nodejs', 'node_modules', 'shared', 'index.js')));
    assert.ok(existsSync(join(opt, 'index.js')));
  });

  it('re-merges directory layers when their files change', async () => {
    const one = join(root, 'plain-one');
    const two = join(root, 'plain-two');
    await mkdir(one, { recursive: true });
    await mkdir(two, { recursive: true });
    await writeFile(join(one, 'a.txt'), 'a');
    await writeFile(join(two, 'b.txt'), 'b');
    const layers = [
      { arn: 'one', code: { kind: 'directory' as const, path: one } },
      { arn: 'two', code: { kind: 'directory' as const, path: two } },
    ];
    const before = (await prepareLayers(layers, cacheDir)).directory;
    await writeFile(join(two, 'b.txt'), 'changed, and longer');
    const afterChange = (await prepareLayers(layers, cacheDir)).directory ?? '';
    assert.notEqual(afterChange, before);
    assert.equal(await readFile(join(afterChange, 'b.txt'), 'utf8'), 'changed, and longer');
  });
});
