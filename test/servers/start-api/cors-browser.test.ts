// CORS as a browser meets it: headless Chromium loads a page on one origin that calls start-api's
// endpoints (on other origins) with fetch, and the test checks what the page could see.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LocalLambda } from '../../../lib/host/index.js';
import { startApi, type ApiRequestSummary, type ApiServer } from '../../../lib/servers/index.js';
import { launchBrowser, servePage, type BrowserHarness, type PageFetchOutcome, type PageServer } from '../../helpers/browser.js';
import { createMarkedApp, processesWithMarker, type MarkedApp } from '../../helpers/marked-app.js';
import { CorsEndpoints, synthesizeCorsApp } from '../../fixtures/start-api/cors-app.js';

const MARKER_VARIABLE = 'CDK_LOCAL_CORS_BROWSER_MARKER';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function succeeded(outcome: PageFetchOutcome): Extract<PageFetchOutcome, { ok: true }> {
  assert.ok(outcome.ok, `the page's fetch failed: ${outcome.ok ? '' : `${outcome.errorName}: ${outcome.message}`}`);
  return outcome;
}

function refused(outcome: PageFetchOutcome): void {
  assert.equal(outcome.ok, false, `the page read a response it should not: ${JSON.stringify(outcome)}`);
  if (!outcome.ok) assert.equal(outcome.errorName, 'TypeError');
}

describe('start-api CORS in a browser', () => {
  let allowed: PageServer;
  let other: PageServer;
  let app: MarkedApp;
  let local: LocalLambda;
  let server: ApiServer;
  let browser: BrowserHarness;
  const requests: ApiRequestSummary[] = [];
  const base = (path: string): string => {
    const found = server.endpoints.find((item) => item.path === path);
    assert.ok(found, `no endpoint ${path}`);
    return `http://127.0.0.1:${found.port}`;
  };
  /** What the server saw for a path (with the query string), in order. */
  const seen = (url: string): string[] => {
    const { pathname, search, port } = new URL(url);
    const endpoint = server.endpoints.find((item) => String(item.port) === port);
    return requests.filter((summary) => summary.api === endpoint?.api && summary.url === `${pathname}${search}`).map((summary) => `${summary.method} ${summary.statusCode} ${summary.function === undefined ? 'front end' : 'function'}`);
  };

  before(async () => {
    // The browser first: without Chromium the test fails at once, saying how to install it.
    browser = await launchBrowser();
    allowed = await servePage();
    other = await servePage();
    app = await createMarkedApp({
      prefix: 'cdk-local-cors-browser-',
      synthesize: (outdir) => synthesizeCorsApp(outdir, allowed.origin),
      markerVariable: MARKER_VARIABLE,
      defaults: { credentials: 'none', sandbox: false },
    });
    local = await app.open();
    server = await startApi({ local, onRequest: (summary) => requests.push(summary) });
  });

  after(async () => {
    await Promise.allSettled([browser?.close(), allowed?.close(), other?.close(), server?.close(), local?.close()]);
    // close() has waited for every process of the browser; the functions' are checked here.
    if (app !== undefined) assert.deepEqual(await processesWithMarker(MARKER_VARIABLE, app.marker), []);
    await app?.remove();
  });

  describe('an HTTP API with corsPreflight', () => {
    it('lets an allowed origin PUT with a custom header after a preflight the API answers, and read only the exposed headers', async () => {
      const url = `${base(CorsEndpoints.http)}/items/1?case=allowed`;
      const outcome = succeeded(await browser.fetchFrom(allowed.origin, url, { method: 'PUT', headers: { 'x-custom': 'hello' } }));
      assert.equal(outcome.status, 200);
      assert.deepEqual(JSON.parse(outcome.body), { method: 'PUT', custom: 'hello', cookie: null });
      assert.equal(outcome.headers['x-exposed'], 'seen');
      assert.equal(outcome.headers['x-hidden'], undefined);
      assert.equal(outcome.headers['content-type'], 'application/json');
      assert.deepEqual(seen(url), ['OPTIONS 204 front end', 'PUT 200 function']);
    });

    it("refuses another origin's DELETE at the preflight: fetch throws a TypeError and the function never runs", async () => {
      const url = `${base(CorsEndpoints.http)}/items/1?case=other`;
      refused(await browser.fetchFrom(other.origin, url, { method: 'DELETE' }));
      assert.deepEqual(seen(url), ['OPTIONS 204 front end']);
    });

    it("lets another origin's simple GET run without a preflight, but not read the answer", async () => {
      const url = `${base(CorsEndpoints.http)}/items/2?case=simple`;
      refused(await browser.fetchFrom(other.origin, url));
      assert.deepEqual(seen(url), ['GET 200 function']);
    });

    it("sends cookies with credentials: 'include' where the API allows credentials, and refuses them where it does not", async () => {
      await browser.context.addCookies([{ name: 'session', value: 'abc', url: 'http://127.0.0.1/' }]);
      const withCredentials = succeeded(await browser.fetchFrom(allowed.origin, `${base(CorsEndpoints.http)}/items/3`, { credentials: 'include', headers: { 'x-custom': 'c' } }));
      assert.equal((JSON.parse(withCredentials.body) as Json).cookie, 'session=abc');
      // Without credentials the browser sends no cookie, even to an origin that would take it.
      const without = succeeded(await browser.fetchFrom(allowed.origin, `${base(CorsEndpoints.http)}/items/4`, { credentials: 'omit' }));
      assert.equal((JSON.parse(without.body) as Json).cookie, null);
      // The open API allows every origin with '*' and no credentials: a credentialed call is refused.
      refused(await browser.fetchFrom(other.origin, `${base(CorsEndpoints.open)}/items/5`, { credentials: 'include' }));
      const open = succeeded(await browser.fetchFrom(other.origin, `${base(CorsEndpoints.open)}/items/6`, { method: 'PUT', headers: { 'x-anything': 'y' } }));
      // ExposeHeaders '*' exposes every header to a call without credentials.
      assert.equal(open.headers['x-hidden'], 'unseen');
    });
  });

  describe('a function URL with cors', () => {
    it('lets an allowed origin PUT with a custom header after a preflight the URL answers', async () => {
      const url = `${base(CorsEndpoints.url)}/?case=allowed`;
      const outcome = succeeded(await browser.fetchFrom(allowed.origin, url, { method: 'PUT', headers: { 'x-custom': 'url' }, body: 'x' }));
      assert.equal((JSON.parse(outcome.body) as Json).method, 'PUT');
      assert.equal(outcome.headers['x-exposed'], 'seen');
      assert.equal(outcome.headers['x-hidden'], undefined);
      assert.deepEqual(seen(url), ['OPTIONS 204 front end', 'PUT 200 function']);
    });

    it('refuses another origin at the preflight', async () => {
      const url = `${base(CorsEndpoints.url)}/?case=other`;
      refused(await browser.fetchFrom(other.origin, url, { method: 'PUT', headers: { 'x-custom': 'url' } }));
      assert.deepEqual(seen(url), ['OPTIONS 204 front end']);
    });
  });
});
