// CORS as start-api's front ends apply it, seen over plain HTTP: the headers of preflights and
// responses exactly, and whether the function ran. cors-browser.test.ts shows what a browser makes of them.
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { LocalLambda } from '../../../lib/host/index.js';
import { startApi, type ApiRequestSummary, type ApiServer } from '../../../lib/servers/index.js';
import { createMarkedApp, processesWithMarker, type MarkedApp } from '../../helpers/marked-app.js';
import { CorsEndpoints, synthesizeCorsApp } from '../../fixtures/start-api/cors-app.js';

const MARKER_VARIABLE = 'CDK_LOCAL_CORS_HTTP_MARKER';
/** The origin the app allows; nothing listens there, a plain HTTP client just says it. */
const ORIGIN = 'http://127.0.0.1:4321';
const OTHER_ORIGIN = 'http://127.0.0.1:4322';

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A request with exactly these headers (fetch would add its own, and hide some). */
function send(url: string, method: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const call = httpRequest(url, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    call.on('error', reject);
    call.end();
  });
}

/** The Access-Control-* headers of an answer, by lower-case name. */
function corsHeaders(answer: Answer): Record<string, string> {
  return Object.fromEntries(Object.entries(answer.headers).filter(([name]) => name.startsWith('access-control-')).map(([name, value]) => [name, String(value)]));
}

describe('start-api CORS over plain HTTP', () => {
  let app: MarkedApp;
  let local: LocalLambda;
  let server: ApiServer;
  const requests: ApiRequestSummary[] = [];
  const notices: string[] = [];
  const base = (path: string): string => {
    const found = server.endpoints.find((item) => item.path === path);
    assert.ok(found, `no endpoint ${path}`);
    return `http://127.0.0.1:${found.port}`;
  };
  /** Sends a request and returns the answer with the server's summary of it. */
  const exchange = async (url: string, method: string, headers: Record<string, string>): Promise<Answer & { summary: ApiRequestSummary }> => {
    const seen = requests.length;
    const answer = await send(url, method, headers);
    // The summary is recorded once the answer is written, which may be just after the client has it.
    for (let waited = 0; requests.length === seen && waited < 10_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    const summary = requests[seen];
    assert.ok(summary, `no summary of ${method} ${url}`);
    return { ...answer, summary };
  };
  const preflight = (url: string, origin: string, method: string, requestHeaders?: string) =>
    exchange(url, 'OPTIONS', { Origin: origin, 'Access-Control-Request-Method': method, ...(requestHeaders === undefined ? {} : { 'Access-Control-Request-Headers': requestHeaders }) });

  before(async () => {
    app = await createMarkedApp({
      prefix: 'cdk-local-cors-http-',
      synthesize: (outdir) => synthesizeCorsApp(outdir, ORIGIN),
      markerVariable: MARKER_VARIABLE,
      defaults: { credentials: 'none', sandbox: false },
    });
    local = await app.open();
    server = await startApi({ local, onRequest: (summary) => requests.push(summary), onNotice: (message) => notices.push(message) });
  });

  after(async () => {
    await Promise.allSettled([server?.close(), local?.close()]);
    if (app !== undefined) assert.deepEqual(await processesWithMarker(MARKER_VARIABLE, app.marker), []);
    await app?.remove();
  });

  it('says nothing about CORS at start: it is applied, not a gap', () => {
    assert.deepEqual(
      notices.filter((notice) => /CORS|origin/i.test(notice)),
      [],
    );
  });

  describe('an HTTP API with corsPreflight', () => {
    it('T.107 T.109 answers an allowed preflight itself, 204 with the configured headers, without calling the function', async () => {
      const answer = await preflight(`${base(CorsEndpoints.http)}/items/1`, ORIGIN, 'PUT', 'x-custom,content-type');
      assert.equal(answer.status, 204);
      assert.equal(answer.body, '');
      assert.deepEqual(corsHeaders(answer), {
        'access-control-allow-origin': ORIGIN,
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'GET,PUT,DELETE',
        'access-control-allow-headers': 'x-custom,content-type',
        'access-control-max-age': '300',
      });
      assert.ok(answer.headers['apigw-requestid']);
      assert.equal(answer.summary.function, undefined);
      assert.equal(answer.summary.detail, 'CORS preflight');
    });

    it('T.110 answers a preflight from another origin, or for a method or header it does not allow, 204 without any Access-Control header', async () => {
      for (const [origin, method, headers] of [
        [OTHER_ORIGIN, 'PUT', undefined],
        [ORIGIN, 'PATCH', undefined],
        [ORIGIN, 'PUT', 'x-custom,x-not-allowed'],
      ] as const) {
        const answer = await preflight(`${base(CorsEndpoints.http)}/items/1`, origin, method, headers);
        assert.equal(answer.status, 204, `${origin} ${method} ${headers}`);
        assert.deepEqual(corsHeaders(answer), {}, `${origin} ${method} ${headers}`);
        assert.equal(answer.summary.function, undefined);
      }
    });

    it('T.107 answers a preflight for a path no route has, as it needs no OPTIONS route', async () => {
      const answer = await preflight(`${base(CorsEndpoints.http)}/nowhere`, ORIGIN, 'GET');
      assert.equal(answer.status, 204);
      assert.equal(corsHeaders(answer)['access-control-allow-origin'], ORIGIN);
    });

    it("T.108 sends the preflight to the function when a route takes OPTIONS (ANY), with the preflight's configured headers on its answer", async () => {
      const answer = await preflight(`${base(CorsEndpoints.http)}/any`, ORIGIN, 'PUT', 'x-custom');
      assert.equal(answer.status, 200);
      assert.equal(JSON.parse(answer.body).method, 'OPTIONS');
      assert.ok(answer.summary.function);
      assert.deepEqual(corsHeaders(answer), {
        'access-control-allow-origin': ORIGIN,
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'GET,PUT,DELETE',
        'access-control-allow-headers': 'x-custom,content-type',
        'access-control-max-age': '300',
      });
      const refused = await preflight(`${base(CorsEndpoints.http)}/any`, OTHER_ORIGIN, 'PUT');
      assert.ok(refused.summary.function);
      assert.deepEqual(corsHeaders(refused), {});
    });

    it("T.111 puts the configured headers on a response to an allowed origin, in place of the function's own", async () => {
      const answer = await exchange(`${base(CorsEndpoints.http)}/items/1`, 'GET', { Origin: ORIGIN, Cookie: 'session=abc' });
      assert.equal(answer.status, 200);
      assert.deepEqual(corsHeaders(answer), {
        'access-control-allow-origin': ORIGIN,
        'access-control-allow-credentials': 'true',
        'access-control-expose-headers': 'x-exposed',
      });
      assert.equal(answer.headers['x-hidden'], 'unseen');
      assert.equal(JSON.parse(answer.body).cookie, 'session=abc');
    });

    it("T.111 drops the function's CORS headers and adds none for another origin, or a request without one", async () => {
      for (const headers of [{ Origin: OTHER_ORIGIN }, {}] as Record<string, string>[]) {
        const answer = await exchange(`${base(CorsEndpoints.http)}/items/1`, 'GET', headers);
        assert.equal(answer.status, 200);
        assert.deepEqual(corsHeaders(answer), {});
      }
    });

    it("T.109 puts '*' for an API that allows every origin", async () => {
      const answer = await preflight(`${base(CorsEndpoints.open)}/items/1`, OTHER_ORIGIN, 'PUT', 'x-anything');
      assert.deepEqual(corsHeaders(answer), { 'access-control-allow-origin': '*', 'access-control-allow-methods': '*', 'access-control-allow-headers': '*' });
      const response = await exchange(`${base(CorsEndpoints.open)}/items/1`, 'GET', { Origin: OTHER_ORIGIN });
      assert.deepEqual(corsHeaders(response), { 'access-control-allow-origin': '*', 'access-control-expose-headers': '*' });
    });
  });

  describe('a function URL with cors', () => {
    it('T.112 answers an allowed preflight itself with the configured headers, without calling the function', async () => {
      const answer = await preflight(`${base(CorsEndpoints.url)}/`, ORIGIN, 'PUT', 'X-Custom');
      assert.equal(answer.status, 204);
      assert.deepEqual(corsHeaders(answer), {
        'access-control-allow-origin': ORIGIN,
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'GET,PUT',
        'access-control-allow-headers': 'x-custom',
        'access-control-max-age': '30',
      });
      assert.equal(answer.summary.function, undefined);
      const refused = await preflight(`${base(CorsEndpoints.url)}/`, OTHER_ORIGIN, 'PUT');
      assert.deepEqual(corsHeaders(refused), {});
      assert.equal(refused.summary.function, undefined);
    });

    it("T.112 puts the configured headers on the function's response in place of its own", async () => {
      const answer = await exchange(`${base(CorsEndpoints.url)}/`, 'PUT', { Origin: ORIGIN });
      assert.equal(answer.status, 200);
      assert.equal(JSON.parse(answer.body).method, 'PUT');
      assert.deepEqual(corsHeaders(answer), {
        'access-control-allow-origin': ORIGIN,
        'access-control-allow-credentials': 'true',
        'access-control-expose-headers': 'x-exposed',
      });
      assert.deepEqual(corsHeaders(await exchange(`${base(CorsEndpoints.url)}/`, 'GET', { Origin: OTHER_ORIGIN })), {});
    });
  });

  it("T.112 puts the configured headers on a streamed function URL's prelude in place of the function's own", async () => {
    const answer = await exchange(`${base(CorsEndpoints.streamed)}/`, 'GET', { Origin: OTHER_ORIGIN });
    assert.equal(answer.status, 200);
    assert.equal(answer.body, 'streamed');
    assert.equal(answer.headers['x-exposed'], 'seen');
    assert.deepEqual(corsHeaders(answer), { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'x-exposed' });
  });

  describe('a REST API', () => {
    it("T.113 passes the function's own headers on as they are, CORS ones included, and adds none", async () => {
      const answer = await exchange(`${base(CorsEndpoints.rest)}/prod/items`, 'GET', { Origin: ORIGIN });
      assert.equal(answer.status, 200);
      assert.deepEqual(corsHeaders(answer), { 'access-control-allow-origin': 'https://function.example', 'access-control-expose-headers': 'x-hidden' });
    });

    it('T.113 leaves a preflight to the OPTIONS methods of the template: without one, 403 Missing Authentication Token', async () => {
      const answer = await preflight(`${base(CorsEndpoints.rest)}/prod/items`, ORIGIN, 'GET');
      assert.equal(answer.status, 403);
      assert.deepEqual(corsHeaders(answer), {});
    });
  });
});
