// Zip assets held to Lambda's limits: 262,144,000 bytes unzipped, code and layers together,
// and symbolic links that may not leave the code, followed on disk through other links.
// Layers merged as Lambda unpacks them, a later one replacing what an earlier one had.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { prepareCode, prepareFunctionCode, prepareLayers, type FunctionSpec, type LayerSpec } from '../../lib/assembly/index.js';
import { isCdkLocalError } from '../../lib/errors.js';
import { makeSpec } from '../environment/spec-fixture.js';
import { writeZip } from '../fixtures/assembly/write-zip.js';

function rejection(code: string, pattern: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(isCdkLocalError(error), `not a CdkLocalError: ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  };
}

function zipSpec(code: string, layers: readonly string[] = []): FunctionSpec {
  return makeSpec({
    codeDirectory: '/unused',
    constructPath: 'ZipStack/Big',
    code: { kind: 'zip', path: code },
    layers: layers.map((path, index): LayerSpec => ({ arn: `arn:aws:lambda:us-east-1:123456789012:layer:l${index}:1`, code: { kind: 'zip', path } })),
  });
}

describe('zip limits', () => {
  let root: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'cdk-local-zip-limits-'));
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('refuses a small zip that unpacks past 262,144,000 bytes, naming the function, before unpacking it', async () => {
    const bomb = join(root, 'bomb.zip');
    await writeZip(bomb, [{ name: 'index.js', content: 'exports.handler = async () => 1;' }, { name: 'padding.bin', zeros: 300 * 1024 * 1024 }]);
    assert.ok((await lstat(bomb)).size < 2 * 1024 * 1024, 'a small zip');
    const cache = join(root, 'bomb-cache');
    await assert.rejects(prepareFunctionCode(zipSpec(bomb), cache), rejection('CDKL_CODE_TOO_LARGE', /^ZipStack\/Big's code and layers unpack to more than 262144000 bytes/));
    assert.deepEqual(existsSync(cache) ? await readdir(cache) : [], [], 'nothing unpacked');
  });

  it('counts code and layers together', async () => {
    const code = join(root, 'code.zip');
    const layer = join(root, 'layer.zip');
    await writeZip(code, [{ name: 'index.js', content: 'exports.handler = async () => 1;' }, { name: 'a.bin', zeros: 140 * 1024 * 1024 }]);
    await writeZip(layer, [{ name: 'nodejs/b.bin', zeros: 140 * 1024 * 1024 }]);
    const cache = join(root, 'together-cache');
    await assert.rejects(prepareFunctionCode(zipSpec(code, [layer]), cache), rejection('CDKL_CODE_TOO_LARGE', /ZipStack\/Big/));
    assert.deepEqual(existsSync(cache) ? await readdir(cache) : [], [], 'nothing unpacked');
  });

  it('prepares code and layers within the limit', async () => {
    const code = join(root, 'small.zip');
    const layer = join(root, 'small-layer.zip');
    await writeZip(code, [{ name: 'index.js', content: 'exports.handler = async () => 1;' }]);
    await writeZip(layer, [{ name: 'nodejs/x.js', content: 'x' }]);
    const prepared = await prepareFunctionCode(zipSpec(code, [layer]), join(root, 'small-cache'));
    assert.equal(await readFile(join(prepared.codeDirectory, 'index.js'), 'utf8'), 'exports.handler = async () => 1;');
    assert.equal(await readFile(join(prepared.layers.directory ?? '', 'nodejs/x.js'), 'utf8'), 'x');
  });

  it('refuses a chain of links that leaves the code, though each stays inside on paper', async () => {
    const chain = join(root, 'chain.zip');
    // `d/up` is the code directory itself; `escape` = d/up/.. reads as `d` on paper but is the
    // parent of the code directory on disk.
    await writeZip(chain, [
      { name: 'index.js', content: '1' },
      { name: 'd/keep', content: 'k' },
      { name: 'd/up', content: '..', symlink: true },
      { name: 'escape', content: 'd/up/..', symlink: true },
    ]);
    const cache = join(root, 'chain-cache');
    await assert.rejects(prepareCode({ kind: 'zip', path: chain }, cache), rejection('CDKL_ASSEMBLY_INVALID', /symbolic link escape points outside the directory/));
    assert.deepEqual(await readdir(cache), [], 'half-unpacked directories are removed');
  });

  it('keeps links that stay inside through other links, and dangling ones inside', async () => {
    const zip = join(root, 'inner-links.zip');
    await writeZip(zip, [
      { name: 'lib/real.js', content: 'module.exports = 1;' },
      { name: 'alias', content: 'lib', symlink: true },
      { name: 'current.js', content: 'alias/real.js', symlink: true },
      { name: 'later.js', content: 'lib/not-yet.js', symlink: true },
    ]);
    const directory = await prepareCode({ kind: 'zip', path: zip }, join(root, 'inner-cache'));
    assert.equal(await readFile(join(directory, 'current.js'), 'utf8'), 'module.exports = 1;');
    assert.equal(await readlink(join(directory, 'later.js')), 'lib/not-yet.js');
  });
});

describe('layer merge', () => {
  let root: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'cdk-local-layer-merge-'));
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const layer = (index: number, path: string): LayerSpec => ({ arn: `arn:aws:lambda:us-east-1:123456789012:layer:m${index}:1`, code: { kind: 'zip', path } });

  it('O.78 a later layer’s directory replaces an earlier file, and its file an earlier directory (zips)', async () => {
    const first = join(root, 'first.zip');
    const second = join(root, 'second.zip');
    await writeZip(first, [
      { name: 'bin/tool', content: 'a file in the first layer' },
      { name: 'lib/', content: '' },
      { name: 'lib/old.so', content: 'old' },
      { name: 'link', content: 'bin', symlink: true },
      { name: 'keep.txt', content: 'kept' },
    ]);
    await writeZip(second, [
      { name: 'bin/tool/run', content: '#!/bin/sh\necho two\n', mode: 0o755 },
      { name: 'lib', content: 'now a file' },
      { name: 'link/inside.txt', content: 'a directory where a link was' },
    ]);
    const prepared = await prepareLayers([layer(1, first), layer(2, second)], join(root, 'zip-cache'));
    const opt = prepared.directory ?? '';
    assert.equal(await readFile(join(opt, 'bin/tool/run'), 'utf8'), '#!/bin/sh\necho two\n');
    assert.equal(await readFile(join(opt, 'lib'), 'utf8'), 'now a file');
    assert.ok((await lstat(join(opt, 'link'))).isDirectory(), 'the link was replaced, not written through');
    assert.equal(await readFile(join(opt, 'link/inside.txt'), 'utf8'), 'a directory where a link was');
    assert.ok(!existsSync(join(opt, 'bin/inside.txt')));
    assert.equal(await readFile(join(opt, 'keep.txt'), 'utf8'), 'kept');
  });

  it('O.78 merges directory layers whose entries clash in kind', async () => {
    const one = join(root, 'dir-one');
    const two = join(root, 'dir-two');
    await mkdir(join(one, 'python', 'pkg'), { recursive: true });
    await writeFile(join(one, 'python', 'pkg', '__init__.py'), 'ONE = 1');
    await writeFile(join(one, 'config'), 'file');
    await mkdir(join(two, 'config'), { recursive: true });
    await writeFile(join(two, 'config', 'settings.json'), '{}');
    await mkdir(join(two, 'python'), { recursive: true });
    await writeFile(join(two, 'python', 'pkg'), 'a module file now');
    await symlink('config', join(two, 'settings'));
    const prepared = await prepareLayers(
      [
        { arn: 'one', code: { kind: 'directory', path: one } },
        { arn: 'two', code: { kind: 'directory', path: two } },
      ],
      join(root, 'dir-cache'),
    );
    const opt = prepared.directory ?? '';
    assert.equal(await readFile(join(opt, 'config', 'settings.json'), 'utf8'), '{}');
    assert.equal(await readFile(join(opt, 'python', 'pkg'), 'utf8'), 'a module file now');
    assert.equal(await readlink(join(opt, 'settings')), 'config');
  });
});
