import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readAssembly, type ApiSpec, type Assembly } from '../../lib/assembly/index.js';
import { CorsEndpoints, synthesizeCorsApp } from '../fixtures/start-api/cors-app.js';

const ORIGIN = 'http://127.0.0.1:4321';

describe('readAssembly: CORS configurations', () => {
  let root: string;
  let assembly: Assembly;
  const api = (path: string): ApiSpec => {
    const found = assembly.apis.find((item) => item.constructPath === path);
    assert.ok(found, `no ${path} in ${assembly.apis.map((item) => item.constructPath).join(', ')}`);
    return found;
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'cdk-local-read-cors-'));
    synthesizeCorsApp(join(root, 'cdk.out'), ORIGIN);
    assembly = await readAssembly(join(root, 'cdk.out'));
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("reads an HttpApi's corsPreflight as its CorsConfiguration", () => {
    const http = api(CorsEndpoints.http);
    assert.equal(http.kind, 'http');
    assert.deepEqual(http.kind === 'http' ? http.cors : undefined, {
      allowOrigins: [ORIGIN],
      allowMethods: ['GET', 'PUT', 'DELETE'],
      allowHeaders: ['x-custom', 'content-type'],
      exposeHeaders: ['x-exposed'],
      maxAgeSeconds: 300,
      allowCredentials: true,
    });
    const open = api(CorsEndpoints.open);
    assert.deepEqual(open.kind === 'http' ? open.cors : undefined, { allowOrigins: ['*'], allowMethods: ['*'], allowHeaders: ['*'], exposeHeaders: ['*'], allowCredentials: false });
  });

  it("reads a function URL's cors", () => {
    const url = api(CorsEndpoints.url);
    assert.deepEqual(url.kind === 'url' ? url.cors : undefined, {
      allowOrigins: [ORIGIN],
      allowMethods: ['GET', 'PUT'],
      allowHeaders: ['x-custom'],
      exposeHeaders: ['x-exposed'],
      maxAgeSeconds: 30,
      allowCredentials: true,
    });
  });

  it('gives a REST API no CORS configuration (its preflights are OPTIONS methods) and an HTTP API without one none', () => {
    assert.equal('cors' in api(CorsEndpoints.rest), false);
  });
});
