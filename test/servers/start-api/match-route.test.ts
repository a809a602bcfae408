import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiIntegration, HttpRouteSpec, RestRouteSpec } from '../../../lib/assembly/index.js';
import { matchHttpRoute, matchRestRoute } from '../../../lib/servers/start-api/match-route.js';

const unsupported: ApiIntegration = { kind: 'unsupported', description: 'test' };
const rest = (method: string, resourcePath: string): RestRouteSpec => ({ httpMethod: method, resourcePath, authorizationType: 'NONE', integration: unsupported });
const http = (routeKey: string): HttpRouteSpec => {
  const [method, path] = routeKey === '$default' ? ['$default', undefined] : routeKey.split(' ');
  return { routeKey, method: method!, ...(path === undefined ? {} : { path }), authorizationType: 'NONE', integration: unsupported };
};

describe('REST route matching', () => {
  const routes = [
    rest('GET', '/'),
    rest('GET', '/items'),
    rest('ANY', '/items/{id}'),
    rest('GET', '/items/special'),
    rest('GET', '/items/{id}/parts/{part}'),
    rest('ANY', '/{proxy+}'),
    rest('POST', '/files/{path+}'),
  ];
  const reach = (method: string, path: string): string | undefined => {
    const match = matchRestRoute(routes, method, path);
    return match === undefined ? undefined : `${match.route.httpMethod} ${match.route.resourcePath} ${JSON.stringify(match.pathParameters)}`;
  };

  it('prefers literal segments over path parameters over greedy ones', () => {
    assert.equal(reach('GET', '/items/special'), 'GET /items/special {}');
    assert.equal(reach('GET', '/items/42'), 'ANY /items/{id} {"id":"42"}');
    assert.equal(reach('GET', '/items/42/parts/7'), 'GET /items/{id}/parts/{part} {"id":"42","part":"7"}');
    assert.equal(reach('GET', '/other/a/b'), 'ANY /{proxy+} {"proxy":"other/a/b"}');
    assert.equal(reach('GET', '/'), 'GET / {}');
  });

  it('takes ANY for any method, and answers nothing for a method the resource lacks', () => {
    assert.equal(reach('DELETE', '/items/42'), 'ANY /items/{id} {"id":"42"}');
    assert.equal(reach('POST', '/items'), undefined);
    assert.equal(reach('POST', '/'), undefined);
  });

  it('gives a greedy parameter one segment or more, as sent (still encoded)', () => {
    assert.equal(reach('POST', '/files/a%20b/c.txt'), 'POST /files/{path+} {"path":"a%20b/c.txt"}');
    assert.equal(reach('POST', '/files'), 'ANY /{proxy+} {"proxy":"files"}');
  });

  it('matches no resource for a path no route has', () => {
    assert.equal(matchRestRoute([rest('GET', '/items')], 'GET', '/nothing'), undefined);
    assert.equal(matchRestRoute([rest('GET', '/items/{id}')], 'GET', '/items/'), undefined);
  });
});

describe('HTTP API route matching', () => {
  const routes = [http('GET /pets/dog/1'), http('GET /pets/dog/{id}'), http('GET /pets/{proxy+}'), http('ANY /{proxy+}'), http('ANY /items/{id}'), http('GET /items/{id}'), http('$default')];
  const reach = (method: string, path: string): string | undefined => {
    const match = matchHttpRoute(routes, method, path);
    return match === undefined ? undefined : `${match.route.routeKey} ${JSON.stringify(match.pathParameters)}`;
  };

  it('takes the most specific match, as the service documents', () => {
    assert.equal(reach('GET', '/pets/dog/1'), 'GET /pets/dog/1 {}');
    assert.equal(reach('GET', '/pets/dog/2'), 'GET /pets/dog/{id} {"id":"2"}');
    assert.equal(reach('GET', '/pets/cat/1'), 'GET /pets/{proxy+} {"proxy":"cat/1"}');
    assert.equal(reach('POST', '/pets/dog/1'), 'ANY /{proxy+} {"proxy":"pets/dog/1"}');
  });

  it('prefers an exact method over ANY on the same path', () => {
    assert.equal(reach('GET', '/items/3'), 'GET /items/{id} {"id":"3"}');
    assert.equal(reach('PUT', '/items/3'), 'ANY /items/{id} {"id":"3"}');
  });

  it('falls back to $default last, and to nothing without one', () => {
    assert.equal(reach('GET', '/'), '$default {}');
    assert.equal(matchHttpRoute([http('GET /a')], 'GET', '/b'), undefined);
    assert.equal(matchHttpRoute([http('GET /a')], 'POST', '/a'), undefined);
  });
});
